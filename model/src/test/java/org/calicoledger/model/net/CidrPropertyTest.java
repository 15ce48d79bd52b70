package org.calicoledger.model.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.Tuple.Tuple2;
import net.jqwik.api.statistics.Statistics;
import org.assertj.core.api.SoftAssertions;

/**
 * {@link Cidr} against {@link ReferenceNetwork}, an integer-range model of a network: parsing every spelling, printing
 * then parsing, {@code network()}, {@code contains}/{@code overlaps}, {@code size}/{@code addressAt}.
 *
 * <p>Cidrs under test are built with {@link Cidr#of} from the reference's bytes, not by parsing, so that a parsing bug
 * shows up in the parsing property alone.
 */
class CidrPropertyTest {

  @Provide
  Arbitrary<ReferenceNetwork> networks() {
    return ReferenceNetwork.any();
  }

  @Provide
  Arbitrary<Tuple2<ReferenceNetwork, String>> spelled() {
    return ReferenceNetwork.any().flatMap(n -> n.spellings().map(text -> Tuple.of(n, text)));
  }

  @Provide
  Arbitrary<List<ReferenceNetwork>> pairs() {
    return ReferenceNetwork.pairs();
  }

  @Provide
  Arbitrary<Tuple2<ReferenceNetwork, String>> ipv4Mapped() {
    return ReferenceNetwork.ipv4Mapped().flatMap(n -> n.spellings().map(text -> Tuple.of(n, text)));
  }

  private static Cidr cidr(ReferenceNetwork n) {
    return Cidr.of(n.inetAddress(), n.prefix());
  }

  private static BigInteger value(Cidr c) {
    return new BigInteger(1, c.address().getAddress());
  }

  @Property(tries = 3000)
  void everySpellingParsesToTheReferenceNetwork(@ForAll("spelled") Tuple2<ReferenceNetwork, String> input) {
    ReferenceNetwork n = input.get1();
    Cidr c = Cidr.parse(input.get2());
    assertThat(c.bits()).as("family of %s", input.get2()).isEqualTo(n.bits());
    assertThat(c.prefixLength()).isEqualTo(n.prefix());
    assertThat(value(c)).isEqualTo(n.address());
    assertThat(c.toString()).as("RFC 5952 text of %s", input.get2()).isEqualTo(n.canonical());
    Statistics.label("family").collect(n.isIpv4() ? "IPv4" : "IPv6");
  }

  @Property(tries = 3000)
  void printThenParseIsIdentity(@ForAll("networks") ReferenceNetwork n) {
    Cidr c = cidr(n);
    Cidr back = Cidr.parse(c.toString());
    assertThat(back).isEqualTo(c);
    assertThat(back.hashCode()).isEqualTo(c.hashCode());
    assertThat(back.toString()).isEqualTo(c.toString());
    assertThat(back.compareTo(c)).isZero();
  }

  @Property(tries = 3000)
  void networkClearsHostBitsAndContainsTheOriginal(@ForAll("networks") ReferenceNetwork n) {
    Cidr c = cidr(n);
    Cidr net = c.network();
    assertThat(c.hasHostBits()).isEqualTo(n.hasHostBits());
    assertThat(net.hasHostBits()).isFalse();
    assertThat(net.prefixLength()).isEqualTo(n.prefix());
    assertThat(value(net)).isEqualTo(n.first());
    assertThat(net.contains(c)).as("%s contains %s", net, c).isTrue();
    assertThat(c.contains(net)).as("%s contains %s", c, net).isTrue();
    assertThat(net.network()).isEqualTo(net);
    assertThat(net.equals(c)).isEqualTo(!n.hasHostBits());
    Statistics.label("host bits").collect(n.hasHostBits());
  }

  @Property(tries = 5000)
  void containsAndOverlapsAgreeWithIntegerRanges(@ForAll("pairs") List<ReferenceNetwork> pair) {
    ReferenceNetwork a = pair.get(0);
    ReferenceNetwork b = pair.get(1);
    Cidr ca = cidr(a);
    Cidr cb = cidr(b);
    assertThat(ca.contains(cb)).as("%s contains %s", a, b).isEqualTo(a.contains(b));
    assertThat(cb.contains(ca)).as("%s contains %s", b, a).isEqualTo(b.contains(a));
    assertThat(ca.overlaps(cb)).as("%s overlaps %s", a, b).isEqualTo(a.overlaps(b));
    assertThat(cb.overlaps(ca)).as("%s overlaps %s", b, a).isEqualTo(a.overlaps(b));
    String relation = a.bits() != b.bits() ? "mixed families"
        : a.contains(b) || b.contains(a) ? "nested" : a.overlaps(b) ? "overlap" : "disjoint";
    Statistics.label("relation").collect(relation);
    Statistics.label("relation").coverage(cov -> {
      cov.check("nested").percentage(p -> p > 25);
      cov.check("disjoint").percentage(p -> p > 15);
      cov.check("mixed families").percentage(p -> p > 5);
    });
  }

  /**
   * Ordinals whose address is IPv4-mapped ({@code ::ffff:0:0/96}, inside e.g. {@code ::/64}) are left to
   * {@link #ipv4MappedIpv6NetworksStayIpv6}, where they fail today.
   */
  @Property(tries = 2000)
  void sizeAndAddressAtFollowTheRange(@ForAll("networks") ReferenceNetwork n, @ForAll long seed) {
    Cidr c = cidr(n);
    assertThat(c.size()).isEqualTo(n.size());
    for (BigInteger ordinal : List.of(BigInteger.ZERO, BigInteger.valueOf(seed).mod(n.size()),
        n.size().subtract(BigInteger.ONE))) {
      ReferenceNetwork expected = new ReferenceNetwork(n.bits(), n.first().add(ordinal), n.bits());
      if (!expected.isIpv4Mapped()) {
        assertThat(new BigInteger(1, c.addressAt(ordinal).getAddress())).as("%s at %s", n, ordinal)
            .isEqualTo(expected.address());
      }
    }
    assertThatThrownBy(() -> c.addressAt(n.size())).isInstanceOf(IllegalArgumentException.class);
  }

  /**
   * {@code ::ffff:a.b.c.d} is an IPv6 address; Go's {@code net.ParseCIDR} (and so Calico) accepts
   * {@code ::ffff:0:0/96} with a 128-bit mask. {@code Cidr} goes through {@code InetAddress}, which turns such
   * addresses into IPv4: {@code parse} refuses {@code /96}-{@code /128} and reads {@code ::ffff:0:0/24} as
   * {@code 0.0.0.0/24}; a Cidr made by {@code of} from such an address throws in {@code contains} and does not
   * survive print-then-parse; {@code addressAt} in an IPv6 network hands out an {@code Inet4Address}.
   * Known failing until Cidr keeps the family it parsed (see the report).
   */
  @Property(tries = 200)
  void ipv4MappedIpv6NetworksStayIpv6(@ForAll("ipv4Mapped") Tuple2<ReferenceNetwork, String> input) {
    ReferenceNetwork n = input.get1();
    SoftAssertions soft = new SoftAssertions();
    soft.assertThatCode(() -> assertThat(Cidr.parse(input.get2()).bits()).isEqualTo(128))
        .as("parse %s as IPv6", input.get2()).doesNotThrowAnyException();
    Cidr built = cidr(n);
    soft.assertThatCode(() -> assertThat(built.contains(built)).isTrue())
        .as("%s contains itself", built).doesNotThrowAnyException();
    soft.assertThatCode(() -> assertThat(Cidr.parse(built.toString())).isEqualTo(built))
        .as("print then parse %s", built).doesNotThrowAnyException();
    soft.assertThat(Cidr.parse("::/64").addressAt(n.first()).getAddress())
        .as("address %s of ::/64", n.first()).hasSize(16);
    soft.assertAll();
  }

  /** Keeps the oracle honest: a network lies in its own supernet, and a network with host bits is not its network. */
  @Property(tries = 500)
  void referenceSupernetContainsNetwork(@ForAll("networks") ReferenceNetwork n) {
    ReferenceNetwork up = n.withPrefix(n.prefix() / 2);
    assertThat(up.contains(n)).isTrue();
    assertThat(n.overlaps(up)).isTrue();
    assertThat(n.masked().hasHostBits()).isFalse();
    assertThat(n.last().subtract(n.first()).add(BigInteger.ONE)).isEqualTo(n.size());
  }
}
