package org.calicoledger.bird.wire;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * UPDATE bodies (RFC 4271 section 4.3) with RFC 7606 error handling: a broken length structure or NLRI field is a
 * session reset ({@link MalformedMessageException}); a bad attribute becomes an {@link AttributeError} carrying its
 * table entry's action, and decoding goes on when the attribute's own length still frames the rest.
 */
final class UpdateCodec {
  private UpdateCodec() {}

  static BgpMessage.Update decode(ByteBuffer body, CodecOptions o) throws MalformedMessageException {
    if (body.remaining() < 4) {
      throw malformed("UPDATE body of " + body.remaining() + " bytes is shorter than 4");
    }
    int wLen = body.getShort() & 0xFFFF;
    if (wLen + 2 > body.remaining()) {
      throw malformed("withdrawn routes length " + wLen + " overruns the message");
    }
    ByteBuffer w = slice(body, wLen);
    boolean ids = o.addPath(Family.IPV4_UNICAST);
    List<Integer> withdrawnIds = ids ? new ArrayList<>() : null;
    List<Prefix> withdrawn = NlriCodec.decode(w, Family.IPV4_UNICAST, Notification.UPDATE_MALFORMED_ATTRIBUTE_LIST,
        "withdrawn routes", withdrawnIds);
    int aLen = body.getShort() & 0xFFFF;
    if (aLen > body.remaining()) {
      throw malformed("total path attribute length " + aLen + " overruns the message");
    }
    ByteBuffer attrs = slice(body, aLen);
    List<PathAttribute> out = new ArrayList<>();
    List<AttributeError> errors = new ArrayList<>();
    decodeAttributes(attrs, o, out, errors);
    List<Integer> nlriIds = ids ? new ArrayList<>() : null;
    List<Prefix> nlri = NlriCodec.decode(body, Family.IPV4_UNICAST, Notification.UPDATE_INVALID_NETWORK, "NLRI",
        nlriIds);
    return new BgpMessage.Update(withdrawn, out, nlri, errors, ids ? withdrawnIds : List.of(),
        ids ? nlriIds : List.of());
  }

  private static void decodeAttributes(ByteBuffer in, CodecOptions o, List<PathAttribute> out,
      List<AttributeError> errors) throws MalformedMessageException {
    boolean[] seen = new boolean[256];
    while (in.hasRemaining()) {
      if (in.remaining() < 3) {
        errors.add(new AttributeError(0, ErrorAction.TREAT_AS_WITHDRAW, "attribute header truncated"));
        return;
      }
      int flags = in.get() & 0xFF;
      int code = in.get() & 0xFF;
      boolean ext = (flags & AttributeTable.EXTENDED) != 0;
      if (ext && in.remaining() < 2) {
        errors.add(new AttributeError(code, ErrorAction.TREAT_AS_WITHDRAW, "attribute length truncated"));
        return;
      }
      int len = ext ? in.getShort() & 0xFFFF : in.get() & 0xFF;
      AttributeTable.Entry e = AttributeTable.entry(code);
      if (len > in.remaining()) {
        if (e != null && e.onMalformed() == ErrorAction.SESSION_RESET) {
          throw new MalformedMessageException(Notification.UPDATE, Notification.UPDATE_ATTRIBUTE_LENGTH,
              e.name() + " length " + len + " overruns the attributes");
        }
        errors.add(new AttributeError(code, ErrorAction.TREAT_AS_WITHDRAW,
            "attribute " + code + " length " + len + " overruns the attributes (" + in.remaining() + " left)"));
        return;
      }
      ByteBuffer value = slice(in, len);
      if (seen[code]) {
        if (code == PathAttribute.MP_REACH || code == PathAttribute.MP_UNREACH) {
          throw malformed("attribute " + code + " appears twice");
        }
        errors.add(new AttributeError(code, ErrorAction.ATTRIBUTE_DISCARD, "attribute " + code + " repeated"));
        continue;
      }
      seen[code] = true;
      if (e == null) {
        if ((flags & AttributeTable.OPTIONAL) == 0) {
          throw new MalformedMessageException(Notification.UPDATE, Notification.UPDATE_UNRECOGNIZED_WELL_KNOWN,
              new byte[] {(byte) flags, (byte) code}, "unrecognized well-known attribute " + code);
        }
        byte[] v = new byte[len];
        value.get(v);
        out.add(new PathAttribute.Unknown(flags & 0xE0, code, v));
        continue;
      }
      String problem = null;
      if ((flags & (AttributeTable.OPTIONAL | AttributeTable.TRANSITIVE)) != e.flags()) {
        problem = e.name() + " flags 0x" + Integer.toHexString(flags) + " do not match 0x"
            + Integer.toHexString(e.flags());
      } else {
        try {
          out.add(e.decoder().decode(value, o));
        } catch (AttributeTable.AttributeFormatException ex) {
          problem = ex.getMessage();
        }
      }
      if (problem != null) {
        if (e.onMalformed() == ErrorAction.SESSION_RESET) {
          throw new MalformedMessageException(Notification.UPDATE, e.subcode(), problem);
        }
        errors.add(new AttributeError(code, e.onMalformed(), problem));
      }
    }
  }

  static void encode(BgpMessage.Update u, WireWriter w, CodecOptions o) {
    int at = w.size();
    w.u16(0);
    boolean ids = o.addPath(Family.IPV4_UNICAST);
    NlriCodec.encode(u.withdrawn(), u.withdrawnPathIds(), ids, w);
    w.patchShort(at, w.size() - at - 2);
    at = w.size();
    w.u16(0);
    for (PathAttribute a : u.attributes()) {
      encodeAttribute(a, w, o);
    }
    w.patchShort(at, w.size() - at - 2);
    NlriCodec.encode(u.nlri(), u.nlriPathIds(), ids, w);
  }

  private static void encodeAttribute(PathAttribute a, WireWriter w, CodecOptions o) {
    WireWriter v = new WireWriter(64);
    int flags;
    if (a instanceof PathAttribute.Unknown u) {
      v.bytes(u.value());
      flags = u.flags() & 0xE0;
    } else {
      AttributeTable.Entry e = AttributeTable.entry(a.code());
      e.encoder().encode(a, v, o);
      flags = e.flags();
    }
    if (v.size() > 255) {
      w.u8(flags | AttributeTable.EXTENDED).u8(a.code()).u16(v.size());
    } else {
      w.u8(flags).u8(a.code()).u8(v.size());
    }
    w.bytes(v.toArray());
  }

  private static ByteBuffer slice(ByteBuffer in, int len) {
    ByteBuffer s = in.slice();
    s.limit(len);
    in.position(in.position() + len);
    return s;
  }

  private static MalformedMessageException malformed(String message) {
    return new MalformedMessageException(Notification.UPDATE, Notification.UPDATE_MALFORMED_ATTRIBUTE_LIST, message);
  }
}
