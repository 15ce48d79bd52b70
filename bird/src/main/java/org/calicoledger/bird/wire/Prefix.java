package org.calicoledger.bird.wire;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An IPv4 or IPv6 prefix as a compact value (the RIB's key): the address in two longs ({@code hi} is 0 for IPv4 and
 * the low 32 bits of {@code lo} hold the address), host bits always zero.
 *
 * <p>Invariant: bits past {@code length} are zero, so equal networks are equal values whatever bits the wire carried.
 */
public record Prefix(long hi, long lo, int length, boolean v6) implements Comparable<Prefix> {

  public Prefix {
    int max = v6 ? 128 : 32;
    if (length < 0 || length > max) {
      throw new IllegalArgumentException("prefix length " + length + " is outside 0.." + max);
    }
    if (v6) {
      hi = length == 0 ? 0 : length >= 64 ? hi : hi & (-1L << (64 - length));
      lo = length <= 64 ? 0 : length == 128 ? lo : lo & (-1L << (128 - length));
    } else {
      hi = 0;
      lo = length == 0 ? 0 : lo & 0xFFFF_FFFFL & (0xFFFF_FFFFL << (32 - length));
    }
  }

  public Family family() {
    return v6 ? Family.IPV6_UNICAST : Family.IPV4_UNICAST;
  }

  /** Parses {@code 10.0.0.0/26} or {@code fd00::/64}; a bare address is a host prefix. */
  public static Prefix parse(String text) {
    int slash = text.indexOf('/');
    String addr = slash < 0 ? text : text.substring(0, slash);
    byte[] b = addressBytes(addr);
    int len = slash < 0 ? b.length * 8 : Integer.parseInt(text.substring(slash + 1));
    return of(b, len);
  }

  /** From address bytes (4 or 16; extra bits are masked off). */
  public static Prefix of(byte[] address, int length) {
    if (address.length == 4) {
      long v = ((address[0] & 0xFFL) << 24) | ((address[1] & 0xFFL) << 16) | ((address[2] & 0xFFL) << 8)
          | (address[3] & 0xFFL);
      return new Prefix(0, v, length, false);
    }
    if (address.length != 16) {
      throw new IllegalArgumentException("an address has 4 or 16 bytes, got " + address.length);
    }
    long h = 0;
    long l = 0;
    for (int i = 0; i < 8; i++) {
      h = (h << 8) | (address[i] & 0xFFL);
      l = (l << 8) | (address[i + 8] & 0xFFL);
    }
    return new Prefix(h, l, length, true);
  }

  static byte[] addressBytes(String addr) {
    if (!addr.matches("[0-9a-fA-F:.]+")) {
      throw new IllegalArgumentException("'" + addr + "' is not an IP address");
    }
    try {
      return InetAddress.getByName(addr).getAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("'" + addr + "' is not an IP address", e);
    }
  }

  /** The full address bytes (4 or 16). */
  public byte[] address() {
    byte[] b = new byte[v6 ? 16 : 4];
    if (v6) {
      for (int i = 0; i < 8; i++) {
        b[i] = (byte) (hi >>> (56 - 8 * i));
        b[i + 8] = (byte) (lo >>> (56 - 8 * i));
      }
    } else {
      for (int i = 0; i < 4; i++) {
        b[i] = (byte) (lo >>> (24 - 8 * i));
      }
    }
    return b;
  }

  public InetAddress inetAddress() {
    try {
      return InetAddress.getByAddress(address());
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Whether {@code other} lies inside this prefix (same family, not shorter). */
  public boolean contains(Prefix other) {
    if (other.v6 != v6 || other.length < length) {
      return false;
    }
    return new Prefix(other.hi, other.lo, length, v6).equals(this);
  }

  /** Written out (not the record's generated one): every RIB map operation hashes a prefix, also in a cold JVM. */
  @Override
  public int hashCode() {
    long h = (hi * 31 + lo) * 31 + length;
    return (int) (h ^ (h >>> 32)) ^ (v6 ? 0x5bd1e995 : 0);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Prefix p && p.lo == lo && p.hi == hi && p.length == length && p.v6 == v6;
  }

  @Override
  public int compareTo(Prefix o) {
    int c = Boolean.compare(v6, o.v6);
    if (c == 0) {
      c = Long.compareUnsigned(hi, o.hi);
    }
    if (c == 0) {
      c = Long.compareUnsigned(lo, o.lo);
    }
    return c != 0 ? c : Integer.compare(length, o.length);
  }

  @Override
  public String toString() {
    String a = inetAddress().getHostAddress();
    if (v6) {
      a = org.calicoledger.model.net.Cidr.format(inetAddress());
    }
    return a + "/" + length;
  }
}
