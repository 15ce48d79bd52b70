package org.calicoledger.bird.wire;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Round trips of generated messages, and the codec's contract on garbage: random and mutated bytes give a message or
 * a {@link MalformedMessageException} with a NOTIFICATION code of 1 (header), 2 (OPEN) or 3 (UPDATE), never
 * another exception.
 */
class BgpCodecPropertiesTest {
  @Provide
  Arbitrary<BgpMessage> messages() {
    return Messages.any();
  }

  @Property(tries = 2000)
  void encodeThenDecodeGivesTheSameMessage(@ForAll("messages") BgpMessage m) throws Exception {
    byte[] bytes = BgpCodec.encode(m, CodecOptions.DEFAULT);
    assertThat(BgpCodec.decode(bytes, CodecOptions.DEFAULT)).isEqualTo(m);
    assertThat(BgpCodec.encode(BgpCodec.decode(bytes, CodecOptions.DEFAULT), CodecOptions.DEFAULT)).isEqualTo(bytes);
  }

  static final CodecOptions ADD_PATH =
      new CodecOptions(true, java.util.EnumSet.of(Family.IPV4_UNICAST, Family.IPV6_UNICAST));

  @Provide
  Arbitrary<BgpMessage.Update> addPathUpdates() {
    return Messages.addPathUpdate();
  }

  /** RFC 7911: with ADD-PATH negotiated, every prefix's path id survives encode and decode. */
  @Property(tries = 500)
  void addPathUpdatesRoundTripWithTheirPathIds(@ForAll("addPathUpdates") BgpMessage.Update u) throws Exception {
    byte[] bytes = BgpCodec.encode(u, ADD_PATH);
    BgpMessage back = BgpCodec.decode(bytes, ADD_PATH);
    assertThat(back).isEqualTo(u);
    assertThat(BgpCodec.encode(back, ADD_PATH)).isEqualTo(bytes);
  }

  /** Garbage under ADD-PATH options still gives a message or a typed error. */
  @Property(tries = 1000)
  void mutatedAddPathUpdatesGiveAMessageOrATypedError(@ForAll("addPathUpdates") BgpMessage.Update u,
      @ForAll int at, @ForAll byte value) {
    byte[] b = BgpCodec.encode(u, ADD_PATH);
    int i = 19 + Math.floorMod(at, Math.max(1, b.length - 19));
    if (i < b.length) {
      b[i] = value;
    }
    try {
      assertThat(BgpCodec.decode(b, ADD_PATH)).isNotNull();
    } catch (MalformedMessageException e) {
      assertThat(e.code()).isBetween(1, 3);
    }
  }

  @Provide
  Arbitrary<byte[]> randomFrames() {
    return Arbitraries.bytes().array(byte[].class).ofMinSize(0).ofMaxSize(200).map(body -> {
      byte[] f = new byte[19 + body.length];
      java.util.Arrays.fill(f, 0, 16, (byte) 0xFF);
      f[16] = (byte) (f.length >>> 8);
      f[17] = (byte) f.length;
      System.arraycopy(body, 0, f, 18, Math.min(body.length, 1));
      f[18] = body.length > 0 ? (byte) (1 + Math.floorMod(body[0], 6)) : 4;
      if (body.length > 1) {
        System.arraycopy(body, 1, f, 19, body.length - 1);
      }
      return f;
    });
  }

  @Property(tries = 5000)
  void randomBodiesGiveAMessageOrATypedError(@ForAll("randomFrames") byte[] frame) {
    check(frame);
  }

  @Property(tries = 3000)
  void rawRandomBytesGiveAMessageOrATypedError(@ForAll byte[] bytes) {
    check(bytes);
  }

  @Property(tries = 5000)
  void mutatedMessagesGiveAMessageOrATypedError(@ForAll("messages") BgpMessage m,
      @ForAll int at, @ForAll byte value, @ForAll boolean truncate) {
    byte[] b = BgpCodec.encode(m, CodecOptions.DEFAULT);
    int i = 18 + Math.floorMod(at, Math.max(1, b.length - 18));
    if (truncate && b.length > 19) {
      b = java.util.Arrays.copyOf(b, Math.max(19, i));
      b[16] = (byte) (b.length >>> 8);
      b[17] = (byte) b.length;
    } else if (i < b.length) {
      b[i] = value;
    }
    check(b);
  }

  static void check(byte[] frame) {
    try {
      BgpMessage m = BgpCodec.decode(frame, CodecOptions.DEFAULT);
      assertThat(m).isNotNull();
    } catch (MalformedMessageException e) {
      assertThat(e.code()).isBetween(1, 3);
      assertThat(e.toNotification().code()).isEqualTo(e.code());
    }
  }
}
