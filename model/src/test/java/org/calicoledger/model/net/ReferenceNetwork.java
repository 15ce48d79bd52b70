package org.calicoledger.model.net;

import java.math.BigInteger;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * The test oracle for {@link Cidr}: a network as an integer range {@code [first, last]} over 32 or 128 bits, with no
 * byte arithmetic and no {@link InetAddress} parsing, so that it shares no code path with the class under test.
 * Also the generator of networks (random, and near the special ranges where address code tends to break) and of the
 * text spellings a user may write for them.
 *
 * <p>IPv4-mapped IPv6 addresses ({@code ::ffff:0:0/96}) are generated among the others and aimed at by
 * {@link #ipv4Mapped()}: they must stay IPv6, as in Go.
 */
public record ReferenceNetwork(int bits, BigInteger address, int prefix) {
  private static final BigInteger V4_MAPPED = BigInteger.valueOf(0xFFFF).shiftLeft(32);

  public ReferenceNetwork {
    if ((bits != 32 && bits != 128) || prefix < 0 || prefix > bits || address.signum() < 0 || address.bitLength() > bits) {
      throw new IllegalArgumentException("not a network: " + bits + " " + address + "/" + prefix);
    }
  }

  public boolean isIpv4() {
    return bits == 32;
  }

  public BigInteger size() {
    return BigInteger.ONE.shiftLeft(bits - prefix);
  }

  public BigInteger first() {
    return address.subtract(address.mod(size()));
  }

  public BigInteger last() {
    return first().add(size()).subtract(BigInteger.ONE);
  }

  public boolean hasHostBits() {
    return !address.equals(first());
  }

  public ReferenceNetwork masked() {
    return new ReferenceNetwork(bits, first(), prefix);
  }

  public ReferenceNetwork withPrefix(int p) {
    return new ReferenceNetwork(bits, address, p);
  }

  public boolean contains(ReferenceNetwork o) {
    return bits == o.bits && o.prefix >= prefix && first().compareTo(o.first()) <= 0 && o.last().compareTo(last()) <= 0;
  }

  public boolean overlaps(ReferenceNetwork o) {
    return bits == o.bits && first().compareTo(o.last()) <= 0 && o.first().compareTo(last()) <= 0;
  }

  public boolean isIpv4Mapped() {
    return !isIpv4() && address.shiftRight(32).equals(BigInteger.valueOf(0xFFFF));
  }

  /** Bytes in network order, exactly 4 or 16. */
  public byte[] bytes() {
    byte[] raw = address.toByteArray();
    byte[] out = new byte[bits / 8];
    int n = Math.min(raw.length, out.length);
    System.arraycopy(raw, raw.length - n, out, out.length - n, n);
    return out;
  }

  /** The JDK address object, kept IPv6 even for IPv4-mapped bytes (which {@code InetAddress.getByAddress} would not). */
  public InetAddress inetAddress() {
    try {
      return isIpv4() ? Inet4Address.getByAddress(bytes()) : Inet6Address.getByAddress(null, bytes(), -1);
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  /** Groups as unpadded lower-case hex (IPv6) or decimal octets (IPv4), most significant first. */
  private List<String> groups() {
    int width = isIpv4() ? 8 : 16;
    List<String> out = new ArrayList<>();
    for (int shift = bits - width; shift >= 0; shift -= width) {
      int g = address.shiftRight(shift).intValue() & ((1 << width) - 1);
      out.add(isIpv4() ? Integer.toString(g) : Integer.toHexString(g));
    }
    return out;
  }

  /**
   * RFC 5952 text: the first longest run of two or more zero groups becomes {@code ::}. Found with a regex over a
   * one-character-per-group string, on purpose unlike {@code Cidr}'s loop.
   */
  public String canonicalAddress() {
    List<String> g = groups();
    if (isIpv4()) {
      return String.join(".", g);
    }
    StringBuilder zeros = new StringBuilder();
    g.forEach(s -> zeros.append(s.equals("0") ? 'z' : 'n'));
    Matcher m = Pattern.compile("z{2,}").matcher(zeros);
    int start = -1;
    int end = -1;
    while (m.find()) {
      if (m.end() - m.start() > end - start) {
        start = m.start();
        end = m.end();
      }
    }
    if (start < 0) {
      return String.join(":", g);
    }
    return String.join(":", g.subList(0, start)) + "::" + String.join(":", g.subList(end, 8));
  }

  public String canonical() {
    return canonicalAddress() + "/" + prefix;
  }

  /** Spellings that mean this network: canonical, and for IPv6 uncompressed, zero-padded and upper-case forms. */
  public Arbitrary<String> spellings() {
    if (isIpv4()) {
      return Arbitraries.just(canonical());
    }
    List<String> g = groups();
    String full = String.join(":", g);
    String padded = String.join(":", g.stream().map(s -> "0000".substring(s.length()) + s).toList());
    return Arbitraries.of(canonical(), full + "/" + prefix, padded + "/" + prefix,
        canonical().toUpperCase(Locale.ROOT), padded.toUpperCase(Locale.ROOT) + "/" + prefix);
  }

  @Override
  public String toString() {
    return canonical() + (hasHostBits() ? " (host bits)" : "");
  }

  // ---- generators ----

  public static Arbitrary<ReferenceNetwork> ipv4() {
    return networks(32, List.of(
        base("0.0.0.0", 32, 0), base("10.0.0.0", 32, 8), base("192.168.0.0", 32, 16), base("172.16.0.0", 32, 12),
        base("169.254.0.0", 32, 16), base("100.64.0.0", 32, 10), base("255.255.255.255", 32, 32),
        base("224.0.0.0", 32, 4), base("127.0.0.0", 32, 8)));
  }

  /** IPv6 networks outside {@code ::ffff:0:0/96}; see the class comment. */
  public static Arbitrary<ReferenceNetwork> ipv6() {
    return networks(128, List.of(
        base("0", 128, 128), base("1", 128, 128), base("fe80", 128, 10), base("fd00", 128, 8),
        base("20010db8", 128, 32), base("ff00", 128, 8), base("0064ff9b", 128, 96), base("0", 128, 96),
        base("ffffffffffffffffffffffffffffffff", 128, 128)));
  }

  /** {@code ::ffff:a.b.c.d} networks with a prefix of at least 96, so the whole network is IPv4-mapped. */
  public static Arbitrary<ReferenceNetwork> ipv4Mapped() {
    return Combinators.combine(Arbitraries.longs().between(0, 0xFFFF_FFFFL), Arbitraries.integers().between(96, 128))
        .as((low, p) -> new ReferenceNetwork(128, V4_MAPPED.or(BigInteger.valueOf(low)), p));
  }

  public static Arbitrary<ReferenceNetwork> any() {
    return Arbitraries.oneOf(ipv4(), ipv6());
  }

  /**
   * Pairs: nested (sub- or supernet, often sharing bits), adjacent siblings of one parent, unrelated networks of one
   * family, identical, and mixed families.
   */
  public static Arbitrary<List<ReferenceNetwork>> pairs() {
    Arbitrary<List<ReferenceNetwork>> nested = any().flatMap(a -> Combinators.combine(
            Arbitraries.integers().between(0, a.bits), randomBits(a.bits))
        .as((p, low) -> {
          ReferenceNetwork b = p >= a.prefix
              ? new ReferenceNetwork(a.bits, a.first().or(low.mod(a.size())), p)
              : a.withPrefix(p);
          return List.of(a, b);
        }));
    Arbitrary<List<ReferenceNetwork>> siblings = any().filter(a -> a.prefix > 0).map(a -> {
      ReferenceNetwork m = a.masked();
      return List.of(m, new ReferenceNetwork(a.bits, m.address.flipBit(a.bits - a.prefix), a.prefix));
    });
    Arbitrary<List<ReferenceNetwork>> unrelated = Arbitraries.oneOf(
        Combinators.combine(ipv4(), ipv4()).as(List::of), Combinators.combine(ipv6(), ipv6()).as(List::of));
    return Arbitraries.frequencyOf(
        Tuple.of(3, nested),
        Tuple.of(1, nested.map(l -> List.of(l.get(1), l.get(0)))),
        Tuple.of(2, siblings),
        Tuple.of(2, unrelated),
        Tuple.of(1, any().map(a -> List.of(a, a))),
        Tuple.of(1, Combinators.combine(ipv4(), ipv6()).as(List::of)));
  }

  /** A random address, or one inside a special range (random low bits), with any prefix length. */
  private static Arbitrary<ReferenceNetwork> networks(int bits, List<ReferenceNetwork> specials) {
    Arbitrary<BigInteger> random = randomBits(bits);
    Arbitrary<BigInteger> special = Arbitraries.of(specials).flatMap(s -> random.map(r -> s.address.or(r.mod(s.size()))));
    Arbitrary<BigInteger> address = Arbitraries.frequencyOf(Tuple.of(1, random), Tuple.of(2, special));
    return Combinators.combine(address, Arbitraries.integers().between(0, bits))
        .as((a, p) -> new ReferenceNetwork(bits, a, p));
  }

  private static Arbitrary<BigInteger> randomBits(int bits) {
    return Arbitraries.bigIntegers().between(BigInteger.ZERO, BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE));
  }

  private static ReferenceNetwork base(String hexOrDotted, int bits, int prefix) {
    BigInteger a;
    if (hexOrDotted.contains(".")) {
      a = BigInteger.ZERO;
      for (String octet : hexOrDotted.split("\\.")) {
        a = a.shiftLeft(8).or(BigInteger.valueOf(Integer.parseInt(octet)));
      }
    } else {
      // hex of the leading groups, left-aligned; a full-length (/128) base is the whole address
      BigInteger v = new BigInteger(hexOrDotted, 16);
      int used = hexOrDotted.length() * 4;
      a = prefix == bits ? v : v.shiftLeft(bits - Math.max(used, 16));
    }
    return new ReferenceNetwork(bits, a, prefix);
  }
}
