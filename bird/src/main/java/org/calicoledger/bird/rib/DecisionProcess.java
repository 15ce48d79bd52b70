package org.calicoledger.bird.rib;

import java.util.Comparator;
import java.util.List;

/**
 * RFC 4271 section 9.1.2.2's tie-breaking, one comparator per step, applied in order; "less" is better. Locally
 * originated routes come first (BIRD prefers its static routes over BGP by protocol preference); IGP cost is not a
 * step (every next hop here is directly connected or unresolved alike).
 */
public final class DecisionProcess {
  private DecisionProcess() {}

  static final Comparator<Route> LOCAL_FIRST = Comparator.comparing(r -> !r.source().local());
  static final Comparator<Route> NOT_STALE = Comparator.comparing(Route::stale);
  static final Comparator<Route> HIGHER_LOCAL_PREF =
      Comparator.comparingLong((Route r) -> r.attributes().localPref() < 0 ? 100 : r.attributes().localPref())
          .reversed();
  static final Comparator<Route> SHORTER_AS_PATH = Comparator.comparingInt(r -> r.attributes().asPath().pathLength());
  static final Comparator<Route> LOWER_ORIGIN = Comparator.comparingInt(r -> r.attributes().origin());
  static final Comparator<Route> LOWER_MED_SAME_AS = (a, b) -> {
    if (a.attributes().asPath().firstAs() != b.attributes().asPath().firstAs()) {
      return 0;
    }
    return Long.compare(Math.max(0, a.attributes().med()), Math.max(0, b.attributes().med()));
  };
  static final Comparator<Route> EBGP_OVER_IBGP = Comparator.comparing(r -> !r.source().ebgp());
  static final Comparator<Route> LOWER_ROUTER_ID = (a, b) -> Long.compareUnsigned(id(a), id(b));
  static final Comparator<Route> SHORTER_CLUSTER_LIST =
      Comparator.comparingInt(r -> r.attributes().clusterList().size());
  static final Comparator<Route> LOWER_PEER_ADDRESS = (a, b) -> {
    if (a.source().address() == null || b.source().address() == null) {
      return 0;
    }
    return a.source().address().compareTo(b.source().address());
  };

  /** Two paths from one ADD-PATH peer that tie on everything else: the lower path id, so the choice is stable. */
  static final Comparator<Route> LOWER_PATH_ID = (a, b) -> Integer.compareUnsigned(a.pathId(), b.pathId());

  /** The steps, in order. */
  public static final List<Comparator<Route>> STEPS = List.of(LOCAL_FIRST, NOT_STALE, HIGHER_LOCAL_PREF,
      SHORTER_AS_PATH, LOWER_ORIGIN, LOWER_MED_SAME_AS, EBGP_OVER_IBGP, LOWER_ROUTER_ID, SHORTER_CLUSTER_LIST,
      LOWER_PEER_ADDRESS, LOWER_PATH_ID);

  /** Negative when {@code a} is the better path. */
  public static int compare(Route a, Route b) {
    for (Comparator<Route> step : STEPS) {
      int c = step.compare(a, b);
      if (c != 0) {
        return c;
      }
    }
    return 0;
  }

  private static long id(Route r) {
    long o = r.attributes().originatorId();
    return o >= 0 ? o : r.source().routerId();
  }
}
