package org.calicoledger.bird.rib;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import org.calicoledger.bird.wire.BgpMessage;
import org.calicoledger.bird.wire.PathAttribute;
import org.calicoledger.bird.wire.Prefix;

/**
 * The attributes of a path as the RIB uses them, interned: routes that arrived in the same UPDATE (or with equal
 * attributes in different ones) share one instance, which is what keeps a route near 100 bytes.
 *
 * @param med -1 when absent
 * @param localPref -1 when absent
 * @param originatorId -1 when absent
 * @param passOn optional transitive attributes this speaker does not interpret (passed on unchanged)
 */
public record RouteAttributes(int origin, PathAttribute.AsPath asPath, Prefix nextHop, long med, long localPref,
    List<Long> communities, long originatorId, List<Long> clusterList, List<PathAttribute> passOn) {

  private static final Map<RouteAttributes, WeakReference<RouteAttributes>> INTERNED = new WeakHashMap<>();

  public RouteAttributes {
    communities = List.copyOf(communities);
    clusterList = List.copyOf(clusterList);
    passOn = List.copyOf(passOn);
  }

  /** The shared instance equal to this one. */
  public RouteAttributes intern() {
    synchronized (INTERNED) {
      WeakReference<RouteAttributes> ref = INTERNED.get(this);
      RouteAttributes r = ref == null ? null : ref.get();
      if (r == null) {
        INTERNED.put(this, new WeakReference<>(this));
        return this;
      }
      return r;
    }
  }

  /** From a decoded UPDATE; {@code nextHop} is the classic NEXT_HOP or the MP_REACH one, as the caller picks. */
  public static RouteAttributes of(BgpMessage.Update u, Prefix nextHop) {
    int origin = 2;
    PathAttribute.AsPath path = PathAttribute.AsPath.EMPTY;
    long med = -1;
    long lp = -1;
    long orig = -1;
    List<Long> comms = List.of();
    List<Long> clusters = List.of();
    List<PathAttribute> other = new ArrayList<>();
    for (PathAttribute a : u.attributes()) {
      if (a instanceof PathAttribute.Origin o) {
        origin = o.value();
      } else if (a instanceof PathAttribute.AsPath p) {
        path = p;
      } else if (a instanceof PathAttribute.Med m) {
        med = m.value();
      } else if (a instanceof PathAttribute.LocalPref l) {
        lp = l.value();
      } else if (a instanceof PathAttribute.Communities c) {
        comms = c.values();
      } else if (a instanceof PathAttribute.OriginatorId o) {
        orig = o.id();
      } else if (a instanceof PathAttribute.ClusterList c) {
        clusters = c.ids();
      } else if (a instanceof PathAttribute.Unknown x && (x.flags() & 0xC0) == 0xC0) {
        other.add(new PathAttribute.Unknown(x.flags() | 0x20, x.code(), x.value()));
      } else if (a instanceof PathAttribute.AtomicAggregate || a instanceof PathAttribute.Aggregator) {
        other.add(a);
      }
    }
    return new RouteAttributes(origin, path, nextHop, med, lp, comms, orig, clusters, other).intern();
  }

  /** What a locally originated route carries before export rules: ORIGIN IGP, empty AS_PATH. */
  public static RouteAttributes local() {
    return new RouteAttributes(0, PathAttribute.AsPath.EMPTY, null, -1, -1, List.of(), -1, List.of(), List.of())
        .intern();
  }

  /** The path attributes to send (next hop handled by the caller for non-IPv4 families). */
  public List<PathAttribute> toWire(boolean withNextHop) {
    List<PathAttribute> out = new ArrayList<>();
    out.add(new PathAttribute.Origin(origin));
    out.add(asPath);
    if (withNextHop && nextHop != null) {
      out.add(new PathAttribute.NextHop(nextHop));
    }
    if (med >= 0) {
      out.add(new PathAttribute.Med(med));
    }
    if (localPref >= 0) {
      out.add(new PathAttribute.LocalPref(localPref));
    }
    out.addAll(passOn);
    if (!communities.isEmpty()) {
      out.add(new PathAttribute.Communities(communities));
    }
    if (originatorId >= 0) {
      out.add(new PathAttribute.OriginatorId(originatorId));
    }
    if (!clusterList.isEmpty()) {
      out.add(new PathAttribute.ClusterList(clusterList));
    }
    return out;
  }

  public RouteAttributes withNextHop(Prefix nh) {
    return new RouteAttributes(origin, asPath, nh, med, localPref, communities, originatorId, clusterList, passOn);
  }

  public RouteAttributes withAsPath(PathAttribute.AsPath p) {
    return new RouteAttributes(origin, p, nextHop, med, localPref, communities, originatorId, clusterList, passOn);
  }

  public RouteAttributes withLocalPref(long lp) {
    return new RouteAttributes(origin, asPath, nextHop, med, lp, communities, originatorId, clusterList, passOn);
  }

  public RouteAttributes withMed(long m) {
    return new RouteAttributes(origin, asPath, nextHop, m, localPref, communities, originatorId, clusterList, passOn);
  }

  public RouteAttributes withReflection(long originator, List<Long> clusters) {
    return new RouteAttributes(origin, asPath, nextHop, med, localPref, communities, originator, clusters, passOn);
  }
}
