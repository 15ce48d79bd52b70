package org.calicoledger.model.net;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Objects;

/**
 * An IPv4 or IPv6 network in CIDR form, as Calico writes it ({@code 10.0.0.0/26}, {@code fd00::/122}).
 *
 * <p>Invariants: {@code address} holds 4 or 16 bytes in network order and {@code 0 <= prefixLength <= bits}.
 * A {@code Cidr} may carry host bits (an interface address such as {@code 10.0.0.5/24} is a valid value);
 * {@link #hasHostBits()} tells, and {@link #network()} drops them. Parsing never does DNS: only literal addresses are accepted.
 */
public final class Cidr implements Comparable<Cidr> {
  private final byte[] address;
  private final int prefixLength;

  private Cidr(byte[] address, int prefixLength) {
    this.address = address;
    this.prefixLength = prefixLength;
  }

  /** Parses {@code ADDR/LEN}; a bare address is not a CIDR here (use {@link #parseAddress}). */
  public static Cidr parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("empty CIDR; expected ADDRESS/PREFIX such as 10.0.0.0/16");
    }
    int slash = text.indexOf('/');
    if (slash < 0) {
      throw new IllegalArgumentException("'" + text + "' is not a CIDR: missing /PREFIX (e.g. 10.0.0.0/16)");
    }
    byte[] addr = literalBytes(text.substring(0, slash), text);
    int bits = addr.length * 8;
    String prefix = text.substring(slash + 1);
    if (!prefix.matches("[0-9]{1,3}")) {
      throw new IllegalArgumentException("'" + text + "' is not a CIDR: prefix length must be a number 0-" + bits);
    }
    int len = Integer.parseInt(prefix);
    if (len > bits) {
      throw new IllegalArgumentException("'" + text + "' is not a CIDR: prefix length must be 0-" + bits);
    }
    return new Cidr(addr, len);
  }

  /** {@code ADDR/LEN} as {@link #parse}, or a bare address as its host CIDR ({@link #parseAddress}). */
  public static Cidr parseCidrOrAddress(String text) {
    return text != null && text.indexOf('/') >= 0 ? parse(text) : parseAddress(text);
  }

  /** A single address as a host CIDR ({@code /32} or {@code /128}). */
  public static Cidr parseAddress(String text) {
    byte[] addr = literalBytes(text, text);
    return new Cidr(addr, addr.length * 8);
  }

  public static Cidr of(InetAddress address, int prefixLength) {
    byte[] a = address.getAddress();
    if (prefixLength < 0 || prefixLength > a.length * 8) {
      throw new IllegalArgumentException("prefix length " + prefixLength + " out of range for " + address.getHostAddress());
    }
    return new Cidr(a, prefixLength);
  }

  /** Accepts only numeric IPv4 dotted quads and IPv6 literals: InetAddress alone would resolve names. */
  private static byte[] literalBytes(String addr, String whole) {
    boolean v6 = addr.indexOf(':') >= 0;
    boolean ok = v6 ? addr.matches("[0-9A-Fa-f:.]+") : addr.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    if (ok && !v6) {
      for (String part : addr.split("\\.")) {
        if (Integer.parseInt(part) > 255 || (part.length() > 1 && part.startsWith("0"))) {
          ok = false;
        }
      }
    }
    if (!ok) {
      throw new IllegalArgumentException("'" + whole + "' is not a valid IP " + (whole.contains("/") ? "network" : "address"));
    }
    try {
      byte[] raw = InetAddress.getByName(addr).getAddress();
      if (v6 && raw.length == 4) {
        // Java turns IPv4-mapped IPv6 text (::ffff:a.b.c.d) into IPv4; Calico (Go) keeps it IPv6
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        System.arraycopy(raw, 0, mapped, 12, 4);
        return mapped;
      }
      return raw;
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("'" + whole + "' is not a valid IP address");
    }
  }

  public boolean isIpv4() {
    return address.length == 4;
  }

  public int version() {
    return isIpv4() ? 4 : 6;
  }

  /** 32 or 128. */
  public int bits() {
    return address.length * 8;
  }

  public int prefixLength() {
    return prefixLength;
  }

  public InetAddress address() {
    return toInet(address.clone());
  }

  /** Keeps 16-byte addresses IPv6 (InetAddress.getByAddress would turn IPv4-mapped ones into IPv4). */
  private static InetAddress toInet(byte[] bytes) {
    try {
      return bytes.length == 16 ? java.net.Inet6Address.getByAddress(null, bytes, -1) : InetAddress.getByAddress(bytes);
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  /** The address in canonical text: dotted quad, or RFC 5952 for IPv6 (as Go's {@code net.IP.String()}). */
  public String addressString() {
    return format(address);
  }

  public static String format(InetAddress address) {
    return format(address.getAddress());
  }

  private static String format(byte[] a) {
    if (a.length == 4) {
      return (a[0] & 0xff) + "." + (a[1] & 0xff) + "." + (a[2] & 0xff) + "." + (a[3] & 0xff);
    }
    int[] groups = new int[8];
    for (int i = 0; i < 8; i++) {
      groups[i] = ((a[2 * i] & 0xff) << 8) | (a[2 * i + 1] & 0xff);
    }
    int bestStart = -1;
    int bestLen = 1; // RFC 5952: a single zero group is not compressed
    for (int i = 0; i < 8; ) {
      int j = i;
      while (j < 8 && groups[j] == 0) {
        j++;
      }
      if (j - i > bestLen) {
        bestStart = i;
        bestLen = j - i;
      }
      i = j == i ? i + 1 : j;
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        sb.append("::");
        i += bestLen - 1;
        continue;
      }
      if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
        sb.append(':');
      }
      sb.append(Integer.toHexString(groups[i]));
    }
    return sb.toString();
  }

  public boolean hasHostBits() {
    return !Arrays.equals(address, network().address);
  }

  /** The same prefix with host bits cleared. */
  public Cidr network() {
    byte[] n = address.clone();
    for (int i = 0; i < n.length; i++) {
      int keep = Math.max(0, Math.min(8, prefixLength - i * 8));
      n[i] &= (byte) (0xff << (8 - keep));
    }
    return new Cidr(n, prefixLength);
  }

  public boolean contains(Cidr other) {
    if (other.address.length != address.length || other.prefixLength < prefixLength) {
      return false;
    }
    return new Cidr(other.address.clone(), prefixLength).network().equals(network());
  }

  public boolean overlaps(Cidr other) {
    return contains(other) || other.contains(this);
  }

  /** Number of addresses, 2^(bits - prefix). */
  public BigInteger size() {
    return BigInteger.ONE.shiftLeft(bits() - prefixLength);
  }

  /** The address at {@code ordinal} from the network address; the block maths of IPAM. */
  public InetAddress addressAt(BigInteger ordinal) {
    if (ordinal.signum() < 0 || ordinal.compareTo(size()) >= 0) {
      throw new IllegalArgumentException("ordinal " + ordinal + " outside " + this);
    }
    BigInteger v = new BigInteger(1, network().address).add(ordinal);
    byte[] raw = v.toByteArray();
    byte[] out = new byte[address.length];
    int copy = Math.min(raw.length, out.length);
    System.arraycopy(raw, raw.length - copy, out, out.length - copy, copy);
    return toInet(out);
  }

  /** Calico's etcd key form of a block CIDR: {@code 10.0.0.0-26}, {@code fd00::-122}. */
  public String toKeySegment() {
    return addressString() + "-" + prefixLength;
  }

  @Override
  public int compareTo(Cidr o) {
    if (address.length != o.address.length) {
      return Integer.compare(address.length, o.address.length);
    }
    int c = Arrays.compareUnsigned(address, o.address);
    return c != 0 ? c : Integer.compare(prefixLength, o.prefixLength);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Cidr c && c.prefixLength == prefixLength && Arrays.equals(c.address, address);
  }

  @Override
  public int hashCode() {
    return Objects.hash(Arrays.hashCode(address), prefixLength);
  }

  @Override
  public String toString() {
    return addressString() + "/" + prefixLength;
  }
}
