package org.calicoledger.bird.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * RFC 7911 NLRI on the wire, byte for byte: a 4-byte path id before each prefix in the classic fields and in
 * MP_REACH/MP_UNREACH, only for the families the options name; two paths to one prefix stay two NLRI.
 */
class AddPathCodecTest {
  static final CodecOptions V4 = new CodecOptions(true, EnumSet.of(Family.IPV4_UNICAST));

  static byte[] frame(String bodyHex) {
    byte[] body = HexFormat.of().parseHex(bodyHex.replace(" ", ""));
    byte[] f = new byte[19 + body.length];
    java.util.Arrays.fill(f, 0, 16, (byte) 0xFF);
    f[16] = (byte) (f.length >>> 8);
    f[17] = (byte) f.length;
    f[18] = 2;
    System.arraycopy(body, 0, f, 19, body.length);
    return f;
  }

  @Test
  void twoPathsToOnePrefixDecodeWithTheirIds() throws Exception {
    // withdrawn: id 7 10.9.0.0/16; attributes: ORIGIN IGP, AS_PATH empty, NEXT_HOP 10.0.0.2;
    // NLRI: id 1 10.1.0.0/24, id 2 10.1.0.0/24
    byte[] f = frame("0007 00000007 10 0a09"
        + " 000e 40010100 400200 4003040a000002"
        + " 00000001 18 0a0100 00000002 18 0a0100");
    BgpMessage.Update u = (BgpMessage.Update) BgpCodec.decode(f, V4);
    assertThat(u.withdrawn()).containsExactly(Prefix.parse("10.9.0.0/16"));
    assertThat(u.withdrawnPathIds()).containsExactly(7);
    assertThat(u.nlri()).containsExactly(Prefix.parse("10.1.0.0/24"), Prefix.parse("10.1.0.0/24"));
    assertThat(u.nlriPathIds()).containsExactly(1, 2);
    assertThat(BgpCodec.encode(u, V4)).isEqualTo(f);
  }

  @Test
  void withoutAddPathTheSameBytesAreNotPathIds() throws Exception {
    // one path-id NLRI read as plain NLRI: the id's zero bytes are three 0/0 prefixes, then 0.0.0.0/1 and 1.0.0.0/10
    byte[] f = frame("0000 000e 40010100 400200 4003040a000002 00000001 18 0a0100");
    BgpMessage.Update u = (BgpMessage.Update) BgpCodec.decode(f, CodecOptions.DEFAULT);
    assertThat(u.nlriPathIds()).isEmpty();
    assertThat(u.nlri()).hasSize(5); // why the path ids must follow the negotiation exactly
    assertThat(BgpCodec.decode(f, V4)).isEqualTo(new BgpMessage.Update(List.of(),
        u.attributes(), List.of(Prefix.parse("10.1.0.0/24")), List.of(), List.of(), List.of(1)));
  }

  @Test
  void mpReachAndUnreachCarryIdsForIpv6() throws Exception {
    CodecOptions v6 = new CodecOptions(true, EnumSet.of(Family.IPV6_UNICAST));
    Prefix p = Prefix.parse("fd00:1::/64");
    Prefix nh = Prefix.parse("fd00::2");
    BgpMessage.Update u = new BgpMessage.Update(List.of(), List.of(PathAttribute.Origin.IGP,
        PathAttribute.AsPath.EMPTY, new PathAttribute.MpReach(2, 1, List.of(nh), List.of(p, p), List.of(5, 6)),
        new PathAttribute.MpUnreach(2, 1, List.of(Prefix.parse("fd00:2::/64")), List.of(9))), List.of());
    byte[] b = BgpCodec.encode(u, v6);
    assertThat(BgpCodec.decode(b, v6)).isEqualTo(u);
    // id 5, length 64, fd00:1::
    assertThat(HexFormat.of().formatHex(b)).contains("00000005" + "40" + "fd000001");
  }

  @Test
  void aTruncatedPathIdIsAMalformedNlriError() {
    byte[] f = frame("0000 000e 40010100 400200 4003040a000002 000001");
    assertThatThrownBy(() -> BgpCodec.decode(f, V4)).isInstanceOf(MalformedMessageException.class)
        .hasMessageContaining("path identifier");
  }

  @Test
  void pathIdsMustMatchThePrefixes() {
    assertThatThrownBy(() -> new BgpMessage.Update(List.of(), List.of(), List.of(Prefix.parse("10.0.0.0/8")),
        List.of(), List.of(), List.of(1, 2))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("NLRI: 2 path identifiers for 1 prefixes");
  }
}
