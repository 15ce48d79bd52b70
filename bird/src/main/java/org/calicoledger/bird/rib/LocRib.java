package org.calicoledger.bird.rib;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.calicoledger.bird.wire.Family;
import org.calicoledger.bird.wire.Prefix;

/**
 * The Adj-RIBs-In of every peer and the Loc-RIB chosen from them by {@link DecisionProcess}.
 *
 * <p>Invariants: {@code best(p)} is the best of all peers' paths to {@code p} (stale ones included, ranked last among
 * equals), or absent when no peer has one; every change of a best path is told, in order, to the
 * {@link BestListener}s and (for learned paths) to the {@link RouteListener}. Single-threaded: the speaker's RIB
 * thread owns it.
 *
 * <p>Memory: the decoded {@link Prefix} instance is the key in both the peer's Adj-RIB-In and the Loc-RIB; a
 * {@link Route} holds no prefix, so the routes of one UPDATE share one (without ADD-PATH); attribute sets are shared
 * through {@link RouteAttributes#intern}.
 */
public final class LocRib {
  /** Told of every best-path change; {@code best} null means the prefix is gone. */
  public interface BestListener {
    void bestChanged(Prefix prefix, Route best);
  }

  private final Map<RibPeer, AdjRibIn> adjIn = new LinkedHashMap<>();
  private final Map<Prefix, Route> best = new HashMap<>();
  private final List<BestListener> listeners = new ArrayList<>();
  private final RouteListener routes;

  public LocRib(RouteListener routes) {
    this.routes = routes;
  }

  public void addListener(BestListener l) {
    listeners.add(l);
  }

  public void announce(RibPeer peer, Prefix prefix, RouteAttributes attrs) {
    announce(peer, prefix, 0, attrs);
  }

  /** Adds or replaces {@code peer}'s path {@code pathId} (RFC 7911; 0 without ADD-PATH) to {@code prefix}. */
  public void announce(RibPeer peer, Prefix prefix, int pathId, RouteAttributes attrs) {
    AdjRibIn in = adjIn.computeIfAbsent(peer, k -> new AdjRibIn());
    Route r = new Route(attrs, peer, false, pathId);
    Route old = in.put(prefix, r);
    if (old != null && old.attributes() == attrs && !old.stale()) {
      return; // same path again (a refresh)
    }
    decide(prefix, peer, r);
  }

  /**
   * The routes of one UPDATE: {@code prefixes} (with their RFC 7911 {@code pathIds}, index for index, or none) all
   * with {@code attrs}. Same as {@link #announce} for each, but the peer's Adj-RIB-In is looked up once and, without
   * path ids, one {@link Route} value is shared by every prefix (it holds no prefix): no allocation per route.
   */
  public void announceAll(RibPeer peer, List<Prefix> prefixes, List<Integer> pathIds, RouteAttributes attrs) {
    AdjRibIn in = adjIn.computeIfAbsent(peer, k -> new AdjRibIn());
    boolean ids = !pathIds.isEmpty();
    Route shared = ids ? null : new Route(attrs, peer, false, 0);
    for (int i = 0, n = prefixes.size(); i < n; i++) {
      Prefix prefix = prefixes.get(i);
      Route r = ids ? new Route(attrs, peer, false, pathIds.get(i)) : shared;
      Route old = in.put(prefix, r);
      if (old == null || old.attributes() != attrs || old.stale()) {
        decide(prefix, peer, r);
      }
    }
  }

  public void withdraw(RibPeer peer, Prefix prefix) {
    withdraw(peer, prefix, 0);
  }

  /** Removes {@code peer}'s path {@code pathId} to {@code prefix}; its other paths stay. */
  public void withdraw(RibPeer peer, Prefix prefix, int pathId) {
    AdjRibIn in = adjIn.get(peer);
    if (in != null && in.remove(prefix, pathId) != null) {
      decide(prefix, null, null);
    }
  }

  /** Withdraws every path of {@code peer} (session down without graceful restart, or peer removed). */
  public void dropPeer(RibPeer peer) {
    AdjRibIn in = adjIn.remove(peer);
    if (in != null) {
      for (Prefix p : in.prefixes()) {
        decide(p, null, null);
      }
    }
  }

  /** Marks every path of {@code peer} stale: the peer is restarting gracefully. */
  public void markStale(RibPeer peer) {
    AdjRibIn in = adjIn.get(peer);
    if (in == null) {
      return;
    }
    for (Prefix p : in.markStale()) {
      decide(p, null, null);
    }
  }

  /**
   * Removes {@code peer}'s stale paths of {@code family} (its End-of-RIB arrived, or its restart time ran out);
   * returns how many prefixes lost a path.
   */
  public int purgeStale(RibPeer peer, Family family) {
    AdjRibIn in = adjIn.get(peer);
    if (in == null) {
      return 0;
    }
    List<Prefix> gone = in.removeStale(family);
    gone.forEach(p -> decide(p, null, null));
    return gone.size();
  }

  /** The peers' paths that are stale now. */
  public int staleCount(RibPeer peer) {
    AdjRibIn in = adjIn.get(peer);
    return in == null ? 0 : in.staleCount();
  }

  public Route best(Prefix p) {
    return best.get(p);
  }

  public int size() {
    return best.size();
  }

  /** A copy of the Loc-RIB (for status and tests). */
  public Map<Prefix, Route> snapshot() {
    return new HashMap<>(best);
  }

  /** How many paths {@code peer}'s Adj-RIB-In holds (several per prefix with ADD-PATH). */
  public int adjInSize(RibPeer peer) {
    AdjRibIn in = adjIn.get(peer);
    return in == null ? 0 : in.size();
  }

  /** {@code peer}'s paths to {@code prefix} (for status and tests). */
  public List<Route> adjIn(RibPeer peer, Prefix prefix) {
    AdjRibIn in = adjIn.get(peer);
    return in == null ? List.of() : in.paths(prefix);
  }

  /** The peers that have an Adj-RIB-In. */
  public List<RibPeer> peers() {
    return List.copyOf(adjIn.keySet());
  }

  /**
   * Recomputes the best path to {@code p}. {@code hint}/{@code hintRoute}: a path just added, which wins at once when
   * it beats the current best (the common case of a new prefix costs one comparison, not a scan of every peer).
   */
  private void decide(Prefix p, RibPeer hint, Route hintRoute) {
    Route current = best.get(p);
    Route winner;
    if (hintRoute != null && (current == null || (current.source() != hint
        && DecisionProcess.compare(hintRoute, current) < 0))) {
      winner = hintRoute;
    } else {
      winner = null;
      for (AdjRibIn in : adjIn.values()) {
        Route r = in.best(p);
        if (r != null && (winner == null || DecisionProcess.compare(r, winner) < 0)) {
          winner = r;
        }
      }
    }
    if (winner == current) {
      return;
    }
    if (winner == null) {
      best.remove(p);
    } else {
      best.put(p, winner);
    }
    for (BestListener l : listeners) {
      l.bestChanged(p, winner);
    }
    boolean wasLearned = current != null && !current.source().local();
    boolean isLearned = winner != null && !winner.source().local();
    if (isLearned) {
      if (!wasLearned || !java.util.Objects.equals(current.attributes().nextHop(), winner.attributes().nextHop())) {
        routes.announce(p, winner.attributes().nextHop());
      }
    } else if (wasLearned) {
      routes.withdraw(p);
    }
  }
}
