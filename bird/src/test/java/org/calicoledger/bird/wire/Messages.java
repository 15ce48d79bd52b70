package org.calicoledger.bird.wire;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/** jqwik generators for clean BGP messages (what a well-behaved peer could send). */
final class Messages {
  private Messages() {}

  static Arbitrary<Prefix> v4() {
    return Combinators.combine(Arbitraries.longs().between(0, 0xFFFF_FFFFL), Arbitraries.integers().between(0, 32))
        .as((a, l) -> new Prefix(0, a, l, false));
  }

  static Arbitrary<Prefix> v6() {
    return Combinators.combine(Arbitraries.longs(), Arbitraries.longs(), Arbitraries.integers().between(0, 128))
        .as((h, l, n) -> new Prefix(h, l, n, true));
  }

  static Arbitrary<Prefix> host4() {
    return Arbitraries.longs().between(0, 0xFFFF_FFFFL).map(a -> new Prefix(0, a, 32, false));
  }

  static Arbitrary<Long> u32() {
    return Arbitraries.longs().between(0, 0xFFFF_FFFFL);
  }

  static Arbitrary<PathAttribute.AsPath> asPath() {
    Arbitrary<PathAttribute.AsPath.Segment> seg = Combinators.combine(Arbitraries.of(1, 2),
        u32().list().ofMinSize(1).ofMaxSize(6)).as(PathAttribute.AsPath.Segment::new);
    return seg.list().ofMaxSize(3).map(PathAttribute.AsPath::new);
  }

  static Arbitrary<List<PathAttribute>> attributes() {
    Arbitrary<PathAttribute> origin = Arbitraries.integers().between(0, 2).map(PathAttribute.Origin::new);
    Arbitrary<PathAttribute> nh = host4().map(PathAttribute.NextHop::new);
    Arbitrary<PathAttribute> med = u32().map(PathAttribute.Med::new);
    Arbitrary<PathAttribute> lp = u32().map(PathAttribute.LocalPref::new);
    Arbitrary<PathAttribute> comm = u32().list().ofMinSize(1).ofMaxSize(8).map(PathAttribute.Communities::new);
    Arbitrary<PathAttribute> orig = u32().map(PathAttribute.OriginatorId::new);
    Arbitrary<PathAttribute> cl = u32().list().ofMinSize(1).ofMaxSize(4).map(PathAttribute.ClusterList::new);
    Arbitrary<PathAttribute> agg = Combinators.combine(u32(), host4()).as(PathAttribute.Aggregator::new);
    Arbitrary<PathAttribute> reach = Arbitraries.oneOf(
        Combinators.combine(host4(), v4().list().ofMaxSize(10)).as((h, n) -> (PathAttribute)
            new PathAttribute.MpReach(1, 1, List.of(h), n)),
        Combinators.combine(v6().map(p -> new Prefix(p.hi(), p.lo(), 128, true)), v6().list().ofMaxSize(10))
            .as((h, n) -> (PathAttribute) new PathAttribute.MpReach(2, 1, List.of(h), n)));
    Arbitrary<PathAttribute> unreach = v6().list().ofMaxSize(10).map(w -> new PathAttribute.MpUnreach(2, 1, w));
    Arbitrary<PathAttribute> unknown = Combinators.combine(Arbitraries.of(0x80, 0xC0, 0xE0),
        Arbitraries.integers().between(16, 254), Arbitraries.bytes().array(byte[].class).ofMaxSize(40))
        .as(PathAttribute.Unknown::new);
    List<Arbitrary<PathAttribute>> all = List.of(origin, asPath().map(a -> a), nh, med, lp,
        Arbitraries.just(new PathAttribute.AtomicAggregate()), agg, comm, orig, cl, reach, unreach, unknown);
    return Arbitraries.subsetOf(all).flatMap(set -> {
      List<Arbitrary<PathAttribute>> chosen = new ArrayList<>(set);
      return Combinators.combine(chosen).as(list -> {
        List<PathAttribute> out = new ArrayList<>();
        java.util.Set<Integer> codes = new java.util.HashSet<>();
        for (PathAttribute a : list) {
          if (codes.add(a.code())) {
            out.add(a);
          }
        }
        return out;
      });
    });
  }

  static Arbitrary<BgpMessage.Update> update() {
    return Combinators.combine(v4().list().ofMaxSize(20), attributes(), v4().list().ofMaxSize(20))
        .as(BgpMessage.Update::new);
  }

  /** Path ids for {@code n} prefixes (RFC 7911: any 32-bit value). */
  static Arbitrary<List<Integer>> ids(int n) {
    return Arbitraries.integers().list().ofSize(n);
  }

  static Arbitrary<List<Prefix>> v4s() {
    return v4().list().ofMaxSize(20);
  }

  /**
   * UPDATEs of a session with ADD-PATH for both families: every prefix (classic fields, MP_REACH, MP_UNREACH)
   * carries a path id; other attributes as {@link #attributes()}.
   */
  static Arbitrary<BgpMessage.Update> addPathUpdate() {
    Arbitrary<PathAttribute> reach4 = v4().list().ofMaxSize(10).flatMap(n -> Combinators.combine(host4(), ids(n.size()))
        .as((h, i) -> new PathAttribute.MpReach(1, 1, List.of(h), n, i)));
    Arbitrary<PathAttribute> reach6 = v6().list().ofMaxSize(10).flatMap(n -> Combinators.combine(
        v6().map(p -> new Prefix(p.hi(), p.lo(), 128, true)), ids(n.size()))
        .as((h, i) -> new PathAttribute.MpReach(2, 1, List.of(h), n, i)));
    Arbitrary<PathAttribute> unreach6 = v6().list().ofMaxSize(10).flatMap(w -> ids(w.size())
        .map(i -> new PathAttribute.MpUnreach(2, 1, w, i)));
    Arbitrary<List<PathAttribute>> mp = Combinators.combine(Arbitraries.oneOf(reach4, reach6).optional(),
        unreach6.optional()).as((r, u) -> {
          List<PathAttribute> out = new ArrayList<>();
          r.ifPresent(out::add);
          u.ifPresent(out::add);
          return out;
        });
    Arbitrary<List<PathAttribute>> plain = attributes().map(l -> l.stream()
        .filter(a -> !(a instanceof PathAttribute.MpReach) && !(a instanceof PathAttribute.MpUnreach)).toList());
    return Combinators.combine(v4s(), v4s(), plain, mp).flatAs((w, n, attrs, m) -> Combinators.combine(
        ids(w.size()), ids(n.size())).as((wi, ni) -> {
          List<PathAttribute> all = new ArrayList<>(attrs);
          all.addAll(m);
          return new BgpMessage.Update(w, all, n, List.of(), wi, ni);
        }));
  }

  static Arbitrary<Capability> capability() {
    return Arbitraries.oneOf(
        Arbitraries.of(Family.values()).map(f -> (Capability) Capability.Multiprotocol.of(f)),
        Arbitraries.just(new Capability.RouteRefresh()),
        u32().map(Capability.FourOctetAs::new),
        Combinators.combine(Arbitraries.of(true, false), Arbitraries.integers().between(0, 4095),
            Combinators.combine(Arbitraries.integers().between(1, 2), Arbitraries.just(1), Arbitraries.of(true, false))
                .as(Capability.GracefulRestart.GrFamily::new).list().ofMaxSize(2))
            .as(Capability.GracefulRestart::new),
        Combinators.combine(Arbitraries.integers().between(1, 2), Arbitraries.just(1),
            Arbitraries.integers().between(1, 3)).as(Capability.AddPath.AddPathFamily::new).list().ofMinSize(1)
            .ofMaxSize(2).map(Capability.AddPath::new),
        Combinators.combine(Arbitraries.integers().between(128, 255),
            Arbitraries.bytes().array(byte[].class).ofMaxSize(8)).as(Capability.Unknown::new));
  }

  static Arbitrary<BgpMessage.Open> open() {
    return Combinators.combine(Arbitraries.integers().between(0, 255), Arbitraries.integers().between(0, 65535),
        Arbitraries.integers().between(0, 65535), u32(), capability().list().ofMaxSize(8))
        .as(BgpMessage.Open::new);
  }

  static Arbitrary<BgpMessage> any() {
    return Arbitraries.oneOf(open().map(m -> m), update().map(m -> m),
        Combinators.combine(Arbitraries.integers().between(0, 255), Arbitraries.integers().between(0, 255),
            Arbitraries.bytes().array(byte[].class).ofMaxSize(30)).as(BgpMessage.NotificationMessage::new),
        Arbitraries.just(BgpMessage.Keepalive.INSTANCE),
        Combinators.combine(Arbitraries.integers().between(0, 65535), Arbitraries.integers().between(0, 255),
            Arbitraries.integers().between(0, 255)).as(BgpMessage.RouteRefresh::new));
  }
}
