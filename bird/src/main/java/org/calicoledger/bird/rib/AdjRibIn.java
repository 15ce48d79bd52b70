package org.calicoledger.bird.rib;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.calicoledger.bird.wire.Family;
import org.calicoledger.bird.wire.Prefix;

/**
 * One peer's Adj-RIB-In: its paths keyed by (prefix, path id) (RFC 7911; the id is 0 without ADD-PATH).
 *
 * <p>Representation: a prefix maps to its one {@link Route} (the common case, no extra object) or, when the peer
 * sent several paths for it, to a {@code Route[]} with distinct path ids. Invariants: no array is empty or holds a
 * single path (that becomes a plain Route again); {@link #size} counts paths. Single-threaded, as {@link LocRib}.
 */
final class AdjRibIn {
  private final Map<Prefix, Object> paths = new HashMap<>();
  private int size;
  /** Families that may hold stale paths (since {@link #markStale}): End-of-RIB skips the scan for the others. */
  private final java.util.Set<Family> staleFamilies = java.util.EnumSet.noneOf(Family.class);

  /** Adds or replaces the path with {@code r.pathId()}; returns the path it replaced, or null. */
  Route put(Prefix p, Route r) {
    Object old = paths.put(p, r);
    if (old == null) {
      size++;
      return null;
    }
    if (old instanceof Route o) {
      if (o.pathId() == r.pathId()) {
        return o;
      }
      paths.put(p, new Route[] {o, r});
      size++;
      return null;
    }
    Route[] arr = (Route[]) old;
    for (int i = 0; i < arr.length; i++) {
      if (arr[i].pathId() == r.pathId()) {
        Route was = arr[i];
        Route[] copy = arr.clone();
        copy[i] = r;
        paths.put(p, copy);
        return was;
      }
    }
    Route[] grown = Arrays.copyOf(arr, arr.length + 1);
    grown[arr.length] = r;
    paths.put(p, grown);
    size++;
    return null;
  }

  /** Removes the path {@code (p, pathId)}; returns it, or null when there was none. */
  Route remove(Prefix p, int pathId) {
    Object v = paths.get(p);
    if (v == null) {
      return null;
    }
    if (v instanceof Route r) {
      if (r.pathId() != pathId) {
        return null;
      }
      paths.remove(p);
      size--;
      return r;
    }
    Route[] arr = (Route[]) v;
    for (int i = 0; i < arr.length; i++) {
      if (arr[i].pathId() == pathId) {
        Route was = arr[i];
        if (arr.length == 2) {
          paths.put(p, arr[1 - i]);
        } else {
          Route[] shrunk = new Route[arr.length - 1];
          System.arraycopy(arr, 0, shrunk, 0, i);
          System.arraycopy(arr, i + 1, shrunk, i, arr.length - i - 1);
          paths.put(p, shrunk);
        }
        size--;
        return was;
      }
    }
    return null;
  }

  /** The best of this peer's paths to {@code p} by {@link DecisionProcess}, or null. */
  Route best(Prefix p) {
    Object v = paths.get(p);
    if (v == null || v instanceof Route) {
      return (Route) v;
    }
    Route winner = null;
    for (Route r : (Route[]) v) {
      if (winner == null || DecisionProcess.compare(r, winner) < 0) {
        winner = r;
      }
    }
    return winner;
  }

  /** This peer's paths to {@code p}, in arrival order. */
  List<Route> paths(Prefix p) {
    Object v = paths.get(p);
    if (v == null) {
      return List.of();
    }
    return v instanceof Route r ? List.of(r) : List.of((Route[]) v);
  }

  List<Prefix> prefixes() {
    return new ArrayList<>(paths.keySet());
  }

  void forEach(BiConsumer<Prefix, Route> action) {
    paths.forEach((p, v) -> {
      if (v instanceof Route r) {
        action.accept(p, r);
      } else {
        for (Route r : (Route[]) v) {
          action.accept(p, r);
        }
      }
    });
  }

  /** Marks every path stale; returns the prefixes. */
  List<Prefix> markStale() {
    staleFamilies.addAll(java.util.EnumSet.allOf(Family.class));
    List<Prefix> touched = new ArrayList<>(paths.size());
    for (Map.Entry<Prefix, Object> e : paths.entrySet()) {
      Object v = e.getValue();
      if (v instanceof Route r) {
        e.setValue(r.asStale());
      } else {
        Route[] arr = ((Route[]) v).clone();
        for (int i = 0; i < arr.length; i++) {
          arr[i] = arr[i].asStale();
        }
        e.setValue(arr);
      }
      touched.add(e.getKey());
    }
    return touched;
  }

  /** Removes the stale paths of {@code family}; returns the prefixes that lost one. */
  List<Prefix> removeStale(Family family) {
    if (!staleFamilies.remove(family)) {
      return List.of(); // nothing was marked stale since the last purge of this family
    }
    List<Prefix> gone = new ArrayList<>();
    for (Iterator<Map.Entry<Prefix, Object>> it = paths.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<Prefix, Object> e = it.next();
      if (e.getKey().family() != family) {
        continue;
      }
      Object v = e.getValue();
      if (v instanceof Route r) {
        if (r.stale()) {
          it.remove();
          size--;
          gone.add(e.getKey());
        }
        continue;
      }
      Route[] arr = (Route[]) v;
      List<Route> kept = new ArrayList<>(arr.length);
      for (Route r : arr) {
        if (!r.stale()) {
          kept.add(r);
        }
      }
      if (kept.size() == arr.length) {
        continue;
      }
      size -= arr.length - kept.size();
      gone.add(e.getKey());
      if (kept.isEmpty()) {
        it.remove();
      } else if (kept.size() == 1) {
        e.setValue(kept.get(0));
      } else {
        e.setValue(kept.toArray(new Route[0]));
      }
    }
    return gone;
  }

  int staleCount() {
    int[] n = {0};
    forEach((p, r) -> n[0] += r.stale() ? 1 : 0);
    return n[0];
  }

  /** Number of paths (not prefixes). */
  int size() {
    return size;
  }
}
