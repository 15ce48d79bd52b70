package org.calicoledger.bird.wire;

import java.util.Arrays;
import java.util.List;

/**
 * The UPDATE path attributes this speaker understands, as values; {@link AttributeTable} holds one entry per type code
 * (flags, decoder, encoder, RFC 7606 action). Addresses are raw bytes in {@link Prefix} form (host prefixes).
 */
public sealed interface PathAttribute {
  int ORIGIN = 1;
  int AS_PATH = 2;
  int NEXT_HOP = 3;
  int MED = 4;
  int LOCAL_PREF = 5;
  int ATOMIC_AGGREGATE = 6;
  int AGGREGATOR = 7;
  int COMMUNITIES = 8;
  int ORIGINATOR_ID = 9;
  int CLUSTER_LIST = 10;
  int MP_REACH = 14;
  int MP_UNREACH = 15;

  int code();

  /** 0 IGP, 1 EGP, 2 INCOMPLETE. */
  record Origin(int value) implements PathAttribute {
    public static final Origin IGP = new Origin(0);

    @Override
    public int code() {
      return ORIGIN;
    }
  }

  /** Segments of 4-octet AS numbers. */
  record AsPath(List<Segment> segments) implements PathAttribute {
    public static final AsPath EMPTY = new AsPath(List.of());

    public AsPath {
      segments = List.copyOf(segments);
    }

    @Override
    public int code() {
      return AS_PATH;
    }

    /** The decision process's length: each AS of a sequence counts, a set counts once. */
    public int pathLength() {
      int n = 0;
      for (Segment s : segments) {
        n += s.type() == Segment.SET ? 1 : s.asns().size();
      }
      return n;
    }

    /** The neighbouring AS (first of the first sequence), or 0. */
    public long firstAs() {
      return !segments.isEmpty() && segments.get(0).type() == Segment.SEQUENCE ? segments.get(0).asns().get(0) : 0;
    }

    public boolean contains(long as) {
      return segments.stream().anyMatch(s -> s.asns().contains(as));
    }

    public AsPath prepend(long as) {
      java.util.ArrayList<Segment> out = new java.util.ArrayList<>();
      if (!segments.isEmpty() && segments.get(0).type() == Segment.SEQUENCE && segments.get(0).asns().size() < 255) {
        java.util.ArrayList<Long> first = new java.util.ArrayList<>();
        first.add(as);
        first.addAll(segments.get(0).asns());
        out.add(new Segment(Segment.SEQUENCE, first));
        out.addAll(segments.subList(1, segments.size()));
      } else {
        out.add(new Segment(Segment.SEQUENCE, List.of(as)));
        out.addAll(segments);
      }
      return new AsPath(out);
    }

    /** @param type 1 AS_SET, 2 AS_SEQUENCE (RFC 5065's confederation types 3 and 4 are kept too) */
    public record Segment(int type, List<Long> asns) {
      public static final int SET = 1;
      public static final int SEQUENCE = 2;

      public Segment {
        asns = List.copyOf(asns);
        if (asns.isEmpty() || asns.size() > 255) {
          throw new IllegalArgumentException("an AS_PATH segment holds 1..255 AS numbers, got " + asns.size());
        }
      }
    }
  }

  /** IPv4 next hop. */
  record NextHop(Prefix address) implements PathAttribute {
    @Override
    public int code() {
      return NEXT_HOP;
    }
  }

  record Med(long value) implements PathAttribute {
    @Override
    public int code() {
      return MED;
    }
  }

  record LocalPref(long value) implements PathAttribute {
    @Override
    public int code() {
      return LOCAL_PREF;
    }
  }

  record AtomicAggregate() implements PathAttribute {
    @Override
    public int code() {
      return ATOMIC_AGGREGATE;
    }
  }

  record Aggregator(long asNumber, Prefix address) implements PathAttribute {
    @Override
    public int code() {
      return AGGREGATOR;
    }
  }

  /** RFC 1997 communities as unsigned 32-bit values. */
  record Communities(List<Long> values) implements PathAttribute {
    public Communities {
      values = List.copyOf(values);
    }

    @Override
    public int code() {
      return COMMUNITIES;
    }
  }

  /** RFC 4456. */
  record OriginatorId(long id) implements PathAttribute {
    @Override
    public int code() {
      return ORIGINATOR_ID;
    }
  }

  /** RFC 4456, nearest cluster first. */
  record ClusterList(List<Long> ids) implements PathAttribute {
    public ClusterList {
      ids = List.copyOf(ids);
    }

    @Override
    public int code() {
      return CLUSTER_LIST;
    }
  }

  /**
   * RFC 4760; {@code nextHops} holds one address, or a global and a link-local one for IPv6.
   *
   * @param pathIds RFC 7911 path identifiers of {@code nlri}, index for index; empty without ADD-PATH
   */
  record MpReach(int afi, int safi, List<Prefix> nextHops, List<Prefix> nlri, List<Integer> pathIds)
      implements PathAttribute {
    public MpReach {
      nextHops = List.copyOf(nextHops);
      nlri = List.copyOf(nlri);
      pathIds = PathAttribute.pathIds(pathIds, nlri, "MP_REACH_NLRI");
    }

    public MpReach(int afi, int safi, List<Prefix> nextHops, List<Prefix> nlri) {
      this(afi, safi, nextHops, nlri, List.of());
    }

    @Override
    public int code() {
      return MP_REACH;
    }
  }

  /** @param pathIds RFC 7911 path identifiers of {@code withdrawn}, index for index; empty without ADD-PATH */
  record MpUnreach(int afi, int safi, List<Prefix> withdrawn, List<Integer> pathIds) implements PathAttribute {
    public MpUnreach {
      withdrawn = List.copyOf(withdrawn);
      pathIds = PathAttribute.pathIds(pathIds, withdrawn, "MP_UNREACH_NLRI");
    }

    public MpUnreach(int afi, int safi, List<Prefix> withdrawn) {
      this(afi, safi, withdrawn, List.of());
    }

    @Override
    public int code() {
      return MP_UNREACH;
    }
  }

  /** An immutable copy of {@code ids}, which must be empty or as long as {@code prefixes}. */
  static List<Integer> pathIds(List<Integer> ids, List<Prefix> prefixes, String field) {
    if (!ids.isEmpty() && ids.size() != prefixes.size()) {
      throw new IllegalArgumentException(field + ": " + ids.size() + " path identifiers for " + prefixes.size()
          + " prefixes (give one per prefix, or none)");
    }
    return ids.isEmpty() ? List.of() : List.copyOf(ids);
  }

  /** An attribute this speaker does not interpret; optional transitive ones are passed on with the partial bit. */
  record Unknown(int flags, int code, byte[] value) implements PathAttribute {
    public Unknown {
      value = value.clone();
    }

    @Override
    public byte[] value() {
      return value.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Unknown u && u.flags == flags && u.code == code && Arrays.equals(u.value, value);
    }

    @Override
    public int hashCode() {
      return (flags * 31 + code) * 31 + Arrays.hashCode(value);
    }
  }
}
