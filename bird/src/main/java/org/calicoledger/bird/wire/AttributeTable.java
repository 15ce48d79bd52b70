package org.calicoledger.bird.wire;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * One entry per path attribute this speaker understands: type code, the optional/transitive flags it must carry, the
 * RFC 7606 action when it is malformed, and how to decode and encode its value. {@link UpdateCodec} reads the
 * attribute section through this table only; an attribute added to the protocol is one more entry here.
 *
 * <p>Decoders get exactly the attribute's value bytes and throw {@link AttributeFormatException} for bad content;
 * what that means for the message (discard, treat-as-withdraw, session reset) is the entry's {@code onMalformed}.
 */
final class AttributeTable {
  static final int OPTIONAL = 0x80;
  static final int TRANSITIVE = 0x40;
  static final int PARTIAL = 0x20;
  static final int EXTENDED = 0x10;

  /** Bad content in one attribute's value. */
  static final class AttributeFormatException extends Exception {
    AttributeFormatException(String message) {
      super(message, null, false, false);
    }
  }

  interface Decoder {
    PathAttribute decode(ByteBuffer value, CodecOptions options) throws AttributeFormatException;
  }

  interface Encoder {
    void encode(PathAttribute attribute, WireWriter out, CodecOptions options);
  }

  /**
   * @param flags the optional and transitive bits the attribute must have
   * @param onMalformed RFC 7606's action for this attribute when its flags, length or content are wrong
   * @param subcode the UPDATE error subcode of a NOTIFICATION when the action is a session reset
   */
  record Entry(int code, String name, int flags, ErrorAction onMalformed, int subcode, Decoder decoder,
      Encoder encoder) {}

  private static final Entry[] ENTRIES = new Entry[256];

  private static void add(Entry e) {
    ENTRIES[e.code()] = e;
  }

  static Entry entry(int code) {
    return ENTRIES[code & 0xFF];
  }

  static {
    add(new Entry(PathAttribute.ORIGIN, "ORIGIN", TRANSITIVE, ErrorAction.TREAT_AS_WITHDRAW,
        Notification.UPDATE_INVALID_ORIGIN, (in, o) -> {
          exact(in, 1, "ORIGIN");
          int v = in.get() & 0xFF;
          if (v > 2) {
            throw new AttributeFormatException("ORIGIN " + v + " is not 0 (IGP), 1 (EGP) or 2 (INCOMPLETE)");
          }
          return new PathAttribute.Origin(v);
        }, (a, w, o) -> w.u8(((PathAttribute.Origin) a).value())));
    add(new Entry(PathAttribute.AS_PATH, "AS_PATH", TRANSITIVE, ErrorAction.TREAT_AS_WITHDRAW,
        Notification.UPDATE_MALFORMED_AS_PATH, AttributeTable::decodeAsPath, AttributeTable::encodeAsPath));
    add(new Entry(PathAttribute.NEXT_HOP, "NEXT_HOP", TRANSITIVE, ErrorAction.TREAT_AS_WITHDRAW,
        Notification.UPDATE_INVALID_NEXT_HOP, (in, o) -> {
          exact(in, 4, "NEXT_HOP");
          return new PathAttribute.NextHop(address(in, 4));
        }, (a, w, o) -> w.bytes(((PathAttribute.NextHop) a).address().address())));
    add(new Entry(PathAttribute.MED, "MULTI_EXIT_DISC", OPTIONAL, ErrorAction.TREAT_AS_WITHDRAW,
        Notification.UPDATE_ATTRIBUTE_LENGTH, (in, o) -> {
          exact(in, 4, "MULTI_EXIT_DISC");
          return new PathAttribute.Med(in.getInt() & 0xFFFF_FFFFL);
        }, (a, w, o) -> w.u32(((PathAttribute.Med) a).value())));
    add(new Entry(PathAttribute.LOCAL_PREF, "LOCAL_PREF", TRANSITIVE, ErrorAction.TREAT_AS_WITHDRAW,
        Notification.UPDATE_ATTRIBUTE_LENGTH, (in, o) -> {
          exact(in, 4, "LOCAL_PREF");
          return new PathAttribute.LocalPref(in.getInt() & 0xFFFF_FFFFL);
        }, (a, w, o) -> w.u32(((PathAttribute.LocalPref) a).value())));
    add(new Entry(PathAttribute.ATOMIC_AGGREGATE, "ATOMIC_AGGREGATE", TRANSITIVE, ErrorAction.ATTRIBUTE_DISCARD,
        Notification.UPDATE_ATTRIBUTE_LENGTH, (in, o) -> {
          exact(in, 0, "ATOMIC_AGGREGATE");
          return new PathAttribute.AtomicAggregate();
        }, (a, w, o) -> { }));
    add(new Entry(PathAttribute.AGGREGATOR, "AGGREGATOR", OPTIONAL | TRANSITIVE, ErrorAction.ATTRIBUTE_DISCARD,
        Notification.UPDATE_ATTRIBUTE_LENGTH, (in, o) -> {
          exact(in, o.fourOctetAs() ? 8 : 6, "AGGREGATOR");
          long as = o.fourOctetAs() ? in.getInt() & 0xFFFF_FFFFL : in.getShort() & 0xFFFF;
          return new PathAttribute.Aggregator(as, address(in, 4));
        }, (a, w, o) -> {
          PathAttribute.Aggregator g = (PathAttribute.Aggregator) a;
          if (o.fourOctetAs()) {
            w.u32(g.asNumber());
          } else {
            w.u16(g.asNumber() > 0xFFFF ? 23456 : (int) g.asNumber());
          }
          w.bytes(g.address().address());
        }));
    add(new Entry(PathAttribute.COMMUNITIES, "COMMUNITIES", OPTIONAL | TRANSITIVE, ErrorAction.TREAT_AS_WITHDRAW,
        Notification.UPDATE_OPTIONAL_ATTRIBUTE, (in, o) -> new PathAttribute.Communities(u32List(in, "COMMUNITIES")),
        (a, w, o) -> ((PathAttribute.Communities) a).values().forEach(w::u32)));
    add(new Entry(PathAttribute.ORIGINATOR_ID, "ORIGINATOR_ID", OPTIONAL, ErrorAction.TREAT_AS_WITHDRAW,
        Notification.UPDATE_OPTIONAL_ATTRIBUTE, (in, o) -> {
          exact(in, 4, "ORIGINATOR_ID");
          return new PathAttribute.OriginatorId(in.getInt() & 0xFFFF_FFFFL);
        }, (a, w, o) -> w.u32(((PathAttribute.OriginatorId) a).id())));
    add(new Entry(PathAttribute.CLUSTER_LIST, "CLUSTER_LIST", OPTIONAL, ErrorAction.TREAT_AS_WITHDRAW,
        Notification.UPDATE_OPTIONAL_ATTRIBUTE, (in, o) -> new PathAttribute.ClusterList(u32List(in, "CLUSTER_LIST")),
        (a, w, o) -> ((PathAttribute.ClusterList) a).ids().forEach(w::u32)));
    add(new Entry(PathAttribute.MP_REACH, "MP_REACH_NLRI", OPTIONAL, ErrorAction.SESSION_RESET,
        Notification.UPDATE_OPTIONAL_ATTRIBUTE, AttributeTable::decodeMpReach, AttributeTable::encodeMpReach));
    add(new Entry(PathAttribute.MP_UNREACH, "MP_UNREACH_NLRI", OPTIONAL, ErrorAction.SESSION_RESET,
        Notification.UPDATE_OPTIONAL_ATTRIBUTE, (in, o) -> {
          if (in.remaining() < 3) {
            throw new AttributeFormatException("MP_UNREACH_NLRI needs 3 bytes of AFI/SAFI, has " + in.remaining());
          }
          int afi = in.getShort() & 0xFFFF;
          int safi = in.get() & 0xFF;
          Family f = Family.of(afi, safi);
          if (f == null) {
            throw new AttributeFormatException("MP_UNREACH_NLRI for AFI/SAFI " + afi + "/" + safi + " not negotiated");
          }
          List<Integer> ids = o.addPath(f) ? new ArrayList<>() : null;
          List<Prefix> withdrawn = nlri(in, f, "MP_UNREACH_NLRI", ids);
          return new PathAttribute.MpUnreach(afi, safi, withdrawn, ids == null ? List.of() : ids);
        }, (a, w, o) -> {
          PathAttribute.MpUnreach u = (PathAttribute.MpUnreach) a;
          w.u16(u.afi()).u8(u.safi());
          Family f = Family.of(u.afi(), u.safi());
          NlriCodec.encode(u.withdrawn(), u.pathIds(), f != null && o.addPath(f), w);
        }));
  }

  private AttributeTable() {}

  private static void exact(ByteBuffer in, int n, String name) throws AttributeFormatException {
    if (in.remaining() != n) {
      throw new AttributeFormatException(name + " has length " + in.remaining() + ", must be " + n);
    }
  }

  private static Prefix address(ByteBuffer in, int n) {
    byte[] b = new byte[n];
    in.get(b);
    return Prefix.of(b, n * 8);
  }

  private static List<Long> u32List(ByteBuffer in, String name) throws AttributeFormatException {
    if (in.remaining() == 0 || in.remaining() % 4 != 0) {
      throw new AttributeFormatException(name + " has length " + in.remaining() + ", must be a positive multiple of 4");
    }
    List<Long> out = new ArrayList<>(in.remaining() / 4);
    while (in.hasRemaining()) {
      out.add(in.getInt() & 0xFFFF_FFFFL);
    }
    return out;
  }

  private static List<Prefix> nlri(ByteBuffer in, Family f, String name, List<Integer> pathIds)
      throws AttributeFormatException {
    try {
      return NlriCodec.decode(in, f, Notification.UPDATE_OPTIONAL_ATTRIBUTE, name, pathIds);
    } catch (MalformedMessageException e) {
      throw new AttributeFormatException(e.getMessage());
    }
  }

  private static PathAttribute decodeAsPath(ByteBuffer in, CodecOptions o) throws AttributeFormatException {
    int asBytes = o.fourOctetAs() ? 4 : 2;
    List<PathAttribute.AsPath.Segment> segments = new ArrayList<>();
    while (in.hasRemaining()) {
      if (in.remaining() < 2) {
        throw new AttributeFormatException("AS_PATH segment header truncated");
      }
      int type = in.get() & 0xFF;
      int count = in.get() & 0xFF;
      if (type < 1 || type > 4 || count == 0) {
        throw new AttributeFormatException("AS_PATH segment type " + type + " with " + count + " AS numbers");
      }
      if (in.remaining() < count * asBytes) {
        throw new AttributeFormatException("AS_PATH segment of " + count + " AS numbers overruns the attribute");
      }
      List<Long> asns = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        asns.add(asBytes == 4 ? in.getInt() & 0xFFFF_FFFFL : (long) (in.getShort() & 0xFFFF));
      }
      segments.add(new PathAttribute.AsPath.Segment(type, asns));
    }
    return new PathAttribute.AsPath(segments);
  }

  private static void encodeAsPath(PathAttribute a, WireWriter w, CodecOptions o) {
    for (PathAttribute.AsPath.Segment s : ((PathAttribute.AsPath) a).segments()) {
      w.u8(s.type()).u8(s.asns().size());
      for (long as : s.asns()) {
        if (o.fourOctetAs()) {
          w.u32(as);
        } else {
          w.u16(as > 0xFFFF ? 23456 : (int) as);
        }
      }
    }
  }

  private static PathAttribute decodeMpReach(ByteBuffer in, CodecOptions o) throws AttributeFormatException {
    if (in.remaining() < 5) {
      throw new AttributeFormatException("MP_REACH_NLRI of " + in.remaining() + " bytes is shorter than 5");
    }
    int afi = in.getShort() & 0xFFFF;
    int safi = in.get() & 0xFF;
    Family f = Family.of(afi, safi);
    if (f == null) {
      throw new AttributeFormatException("MP_REACH_NLRI for AFI/SAFI " + afi + "/" + safi + " not negotiated");
    }
    int nhLen = in.get() & 0xFF;
    int n = f.addressBytes();
    if ((nhLen != n && nhLen != 2 * n) || in.remaining() < nhLen + 1) {
      throw new AttributeFormatException("MP_REACH_NLRI next hop length " + nhLen + " for AFI " + afi);
    }
    List<Prefix> hops = new ArrayList<>(2);
    hops.add(address(in, n));
    if (nhLen == 2 * n) {
      hops.add(address(in, n));
    }
    in.get(); // reserved
    List<Integer> ids = o.addPath(f) ? new ArrayList<>() : null;
    List<Prefix> nlri = nlri(in, f, "MP_REACH_NLRI", ids);
    return new PathAttribute.MpReach(afi, safi, hops, nlri, ids == null ? List.of() : ids);
  }

  private static void encodeMpReach(PathAttribute a, WireWriter w, CodecOptions o) {
    PathAttribute.MpReach r = (PathAttribute.MpReach) a;
    w.u16(r.afi()).u8(r.safi());
    int len = 0;
    for (Prefix p : r.nextHops()) {
      len += p.address().length;
    }
    w.u8(len);
    r.nextHops().forEach(p -> w.bytes(p.address()));
    w.u8(0);
    Family f = Family.of(r.afi(), r.safi());
    NlriCodec.encode(r.nlri(), r.pathIds(), f != null && o.addPath(f), w);
  }
}
