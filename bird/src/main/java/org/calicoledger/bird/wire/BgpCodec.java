package org.calicoledger.bird.wire;

import java.nio.ByteBuffer;

/**
 * Whole BGP messages to bytes and back: the 19-byte header (marker, length, type) and the body codecs.
 *
 * <p>Contract: {@link #decode} returns a message or throws {@link MalformedMessageException} carrying the
 * NOTIFICATION code and subcode RFC 4271/7606 ask for; no other exception escapes for any input. Encoding a decoded
 * clean message gives the same bytes back, except for host bits in prefixes and the extended-length flag, which
 * are normalised.
 */
public final class BgpCodec {
  public static final int HEADER = 19;
  public static final int MAX_LENGTH = 4096;

  private BgpCodec() {}

  /**
   * How long the message starting at {@code buf[off]} is, or -1 when fewer than 19 bytes are available.
   *
   * @throws MalformedMessageException (1,1) for a bad marker, (1,2) for a length outside 19..4096
   */
  public static int frameLength(byte[] buf, int off, int available) throws MalformedMessageException {
    if (available < HEADER) {
      return -1;
    }
    for (int i = 0; i < 16; i++) {
      if (buf[off + i] != (byte) 0xFF) {
        throw new MalformedMessageException(Notification.HEADER, Notification.HEADER_NOT_SYNCHRONIZED,
            "marker byte " + i + " is not 0xff");
      }
    }
    int len = ((buf[off + 16] & 0xFF) << 8) | (buf[off + 17] & 0xFF);
    if (len < HEADER || len > MAX_LENGTH) {
      throw badLength(len, "message length " + len + " is outside 19..4096");
    }
    return len;
  }

  /** Decodes one whole message (header included); {@code frame.length} must be its length field. */
  public static BgpMessage decode(byte[] frame, CodecOptions o) throws MalformedMessageException {
    return decode(frame, 0, frame.length, o);
  }

  public static BgpMessage decode(byte[] buf, int off, int len, CodecOptions o) throws MalformedMessageException {
    int declared = frameLength(buf, off, len);
    if (declared != len) {
      throw badLength(declared, "message length field " + declared + " but " + len + " bytes given");
    }
    int type = buf[off + 18] & 0xFF;
    ByteBuffer body = ByteBuffer.wrap(buf, off + HEADER, len - HEADER).slice();
    try {
      return switch (type) {
        case BgpMessage.OPEN -> {
          if (len < 29) {
            throw badLength(len, "OPEN of " + len + " bytes is shorter than 29");
          }
          yield OpenCodec.decode(body);
        }
        case BgpMessage.UPDATE -> {
          if (len < 23) {
            throw badLength(len, "UPDATE of " + len + " bytes is shorter than 23");
          }
          yield UpdateCodec.decode(body, o);
        }
        case BgpMessage.NOTIFICATION -> {
          if (len < 21) {
            throw badLength(len, "NOTIFICATION of " + len + " bytes is shorter than 21");
          }
          byte[] data = new byte[len - 21];
          body.position(2);
          body.get(data);
          yield new BgpMessage.NotificationMessage(buf[off + 19] & 0xFF, buf[off + 20] & 0xFF, data);
        }
        case BgpMessage.KEEPALIVE -> {
          if (len != HEADER) {
            throw badLength(len, "KEEPALIVE of " + len + " bytes is not 19");
          }
          yield BgpMessage.Keepalive.INSTANCE;
        }
        case BgpMessage.ROUTE_REFRESH -> {
          if (len != 23) {
            throw badLength(len, "ROUTE-REFRESH of " + len + " bytes is not 23");
          }
          yield new BgpMessage.RouteRefresh(body.getShort() & 0xFFFF, body.get() & 0xFF, body.get() & 0xFF);
        }
        default -> throw new MalformedMessageException(Notification.HEADER, Notification.HEADER_BAD_TYPE,
            new byte[] {(byte) type}, "message type " + type + " is not 1..5");
      };
    } catch (java.nio.BufferUnderflowException | IllegalArgumentException e) {
      // a body codec read past a length it had checked: a framing bug shows as a malformed message, not a crash
      throw new MalformedMessageException(type == BgpMessage.OPEN ? Notification.OPEN : Notification.UPDATE, 0,
          "message type " + type + " does not decode: " + e);
    }
  }

  private static MalformedMessageException badLength(int len, String message) {
    return new MalformedMessageException(Notification.HEADER, Notification.HEADER_BAD_LENGTH,
        new byte[] {(byte) (len >>> 8), (byte) len}, message);
  }

  /**
   * Encodes a message with its header.
   *
   * @throws IllegalArgumentException when the message would be longer than 4096 bytes (split the UPDATE)
   */
  public static byte[] encode(BgpMessage m, CodecOptions o) {
    WireWriter w = new WireWriter(64);
    for (int i = 0; i < 16; i++) {
      w.u8(0xFF);
    }
    w.u16(0).u8(m.type());
    if (m instanceof BgpMessage.Open open) {
      OpenCodec.encode(open, w);
    } else if (m instanceof BgpMessage.Update u) {
      UpdateCodec.encode(u, w, o);
    } else if (m instanceof BgpMessage.NotificationMessage n) {
      w.u8(n.code()).u8(n.subcode()).bytes(n.data());
    } else if (m instanceof BgpMessage.RouteRefresh r) {
      w.u16(r.afi()).u8(r.reserved()).u8(r.safi());
    }
    if (w.size() > MAX_LENGTH) {
      throw new IllegalArgumentException("a " + m.getClass().getSimpleName() + " of " + w.size()
          + " bytes is longer than BGP's 4096");
    }
    w.patchShort(16, w.size());
    return w.toArray();
  }
}
