package org.calicoledger.bird.wire;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * OPEN bodies (RFC 4271 section 4.2) with capabilities in optional parameter 2 (RFC 5492). Decoding checks framing
 * only; whether the values are acceptable (version, AS, hold time, identifier) is {@link OpenValidator}'s job.
 */
final class OpenCodec {
  private static final int CAPABILITIES = 2;

  private OpenCodec() {}

  static BgpMessage.Open decode(ByteBuffer b) throws MalformedMessageException {
    if (b.remaining() < 10) {
      throw open(Notification.OPEN_UNSPECIFIC, "OPEN body of " + b.remaining() + " bytes is shorter than 10");
    }
    int version = b.get() & 0xFF;
    int myAs = b.getShort() & 0xFFFF;
    int hold = b.getShort() & 0xFFFF;
    long id = b.getInt() & 0xFFFF_FFFFL;
    int optLen = b.get() & 0xFF;
    if (optLen != b.remaining()) {
      throw open(Notification.OPEN_UNSPECIFIC, "optional parameters length " + optLen + " but " + b.remaining()
          + " bytes follow");
    }
    List<Capability> caps = new ArrayList<>();
    while (b.hasRemaining()) {
      if (b.remaining() < 2) {
        throw open(Notification.OPEN_UNSPECIFIC, "optional parameter header truncated");
      }
      int type = b.get() & 0xFF;
      int len = b.get() & 0xFF;
      if (len > b.remaining()) {
        throw open(Notification.OPEN_UNSPECIFIC, "optional parameter " + type + " length " + len + " overruns");
      }
      ByteBuffer v = b.slice();
      v.limit(len);
      b.position(b.position() + len);
      if (type != CAPABILITIES) {
        throw open(Notification.OPEN_UNSUPPORTED_PARAMETER, "optional parameter type " + type + " is not supported");
      }
      while (v.hasRemaining()) {
        caps.add(capability(v));
      }
    }
    return new BgpMessage.Open(version, myAs, hold, id, caps);
  }

  private static Capability capability(ByteBuffer v) throws MalformedMessageException {
    if (v.remaining() < 2) {
      throw open(Notification.OPEN_UNSPECIFIC, "capability header truncated");
    }
    int code = v.get() & 0xFF;
    int len = v.get() & 0xFF;
    if (len > v.remaining()) {
      throw open(Notification.OPEN_UNSPECIFIC, "capability " + code + " length " + len + " overruns");
    }
    ByteBuffer c = v.slice();
    c.limit(len);
    v.position(v.position() + len);
    switch (code) {
      case Capability.MULTIPROTOCOL -> {
        need(code, len, len == 4);
        int afi = c.getShort() & 0xFFFF;
        c.get();
        return new Capability.Multiprotocol(afi, c.get() & 0xFF);
      }
      case Capability.ROUTE_REFRESH -> {
        need(code, len, len == 0);
        return new Capability.RouteRefresh();
      }
      case Capability.FOUR_OCTET_AS -> {
        need(code, len, len == 4);
        return new Capability.FourOctetAs(c.getInt() & 0xFFFF_FFFFL);
      }
      case Capability.GRACEFUL_RESTART -> {
        need(code, len, len >= 2 && (len - 2) % 4 == 0);
        int head = c.getShort() & 0xFFFF;
        List<Capability.GracefulRestart.GrFamily> fams = new ArrayList<>();
        while (c.hasRemaining()) {
          int afi = c.getShort() & 0xFFFF;
          int safi = c.get() & 0xFF;
          fams.add(new Capability.GracefulRestart.GrFamily(afi, safi, (c.get() & 0x80) != 0));
        }
        return new Capability.GracefulRestart((head & 0x8000) != 0, head & 0x0FFF, fams);
      }
      case Capability.ADD_PATH -> {
        need(code, len, len % 4 == 0);
        List<Capability.AddPath.AddPathFamily> fams = new ArrayList<>();
        while (c.hasRemaining()) {
          int afi = c.getShort() & 0xFFFF;
          int safi = c.get() & 0xFF;
          fams.add(new Capability.AddPath.AddPathFamily(afi, safi, c.get() & 0xFF));
        }
        return new Capability.AddPath(fams);
      }
      default -> {
        byte[] raw = new byte[len];
        c.get(raw);
        return new Capability.Unknown(code, raw);
      }
    }
  }

  private static void need(int code, int len, boolean ok) throws MalformedMessageException {
    if (!ok) {
      throw open(Notification.OPEN_UNSPECIFIC, "capability " + code + " has a bad length " + len);
    }
  }

  private static MalformedMessageException open(int subcode, String message) {
    return new MalformedMessageException(Notification.OPEN, subcode, message);
  }

  static void encode(BgpMessage.Open o, WireWriter w) {
    w.u8(o.version()).u16(o.myAs()).u16(o.holdTime()).u32(o.bgpId());
    WireWriter caps = new WireWriter(64);
    for (Capability c : o.capabilities()) {
      WireWriter v = new WireWriter(16);
      if (c instanceof Capability.Multiprotocol m) {
        v.u16(m.afi()).u8(0).u8(m.safi());
      } else if (c instanceof Capability.FourOctetAs f) {
        v.u32(f.asNumber());
      } else if (c instanceof Capability.GracefulRestart g) {
        v.u16((g.restarting() ? 0x8000 : 0) | g.restartTime());
        g.families().forEach(f -> v.u16(f.afi()).u8(f.safi()).u8(f.forwardingPreserved() ? 0x80 : 0));
      } else if (c instanceof Capability.AddPath a) {
        a.families().forEach(f -> v.u16(f.afi()).u8(f.safi()).u8(f.mode()));
      } else if (c instanceof Capability.Unknown u) {
        v.bytes(u.value());
      }
      caps.u8(c.code()).u8(v.size()).bytes(v.toArray());
    }
    if (caps.size() > 253) {
      throw new IllegalArgumentException("capabilities of " + caps.size() + " bytes do not fit one OPEN parameter");
    }
    if (caps.size() == 0) {
      w.u8(0);
    } else {
      // one capabilities parameter; a parameter value holds at most 255 bytes
      w.u8(caps.size() + 2).u8(CAPABILITIES).u8(caps.size()).bytes(caps.toArray());
    }
  }
}
