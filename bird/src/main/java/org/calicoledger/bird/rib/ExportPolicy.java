package org.calicoledger.bird.rib;

import java.util.ArrayList;
import java.util.List;
import org.calicoledger.bird.wire.Prefix;

/**
 * Which best paths go to which peer and with what attributes (RFC 4271 section 9.1.3, RFC 4456 reflection):
 * <ul>
 *   <li>our own routes go to every peer, next hop = our address on that session;</li>
 *   <li>a path learned over iBGP goes to no iBGP peer, unless we reflect: from a client to every other iBGP peer, from
 *       a non-client to clients (with ORIGINATOR_ID and our cluster ID prepended to CLUSTER_LIST);</li>
 *   <li>a path learned over eBGP goes to iBGP peers (next hop self) and to other eBGP peers;</li>
 *   <li>towards eBGP peers our AS is prepended, the next hop is ours and LOCAL_PREF, MED, ORIGINATOR_ID and
 *       CLUSTER_LIST are left out; towards iBGP peers LOCAL_PREF is 100 unless set;</li>
 *   <li>nothing goes back to the peer it came from.</li>
 * </ul>
 *
 * @param clusterId our route reflector cluster ID, or -1 when we reflect for nobody
 */
public record ExportPolicy(long localAs, long routerId, long clusterId) {

  /** The attributes to send {@code best} to {@code target} with, or null when it must not be sent. */
  public RouteAttributes export(Route best, RibPeer target, Prefix selfV4, Prefix selfV6, boolean v6) {
    if (best == null || best.source() == target) {
      return null;
    }
    RibPeer from = best.source();
    RouteAttributes a = best.attributes();
    Prefix self = v6 ? selfV6 : selfV4;
    boolean reflect = false;
    if (!from.local() && !from.ebgp() && !target.ebgp()) {
      if (clusterId < 0 || !(from.rrClient() || target.rrClient())) {
        return null;
      }
      reflect = true;
    }
    if (target.ebgp()) {
      return new RouteAttributes(a.origin(), a.asPath().prepend(localAs), self, -1, -1, a.communities(), -1,
          List.of(), a.passOn()).intern();
    }
    if (reflect) {
      List<Long> clusters = new ArrayList<>();
      clusters.add(clusterId);
      clusters.addAll(a.clusterList());
      long originator = a.originatorId() >= 0 ? a.originatorId() : from.routerId();
      return a.withReflection(originator, clusters).withLocalPref(a.localPref() < 0 ? 100 : a.localPref()).intern();
    }
    RouteAttributes out = a.withNextHop(self);
    if (a.localPref() < 0) {
      out = out.withLocalPref(100);
    }
    if (from.ebgp()) {
      out = out.withMed(-1);
    }
    return out.intern();
  }

  /** Whether a path from {@code from} loops back to us (our router ID as originator, our cluster in its list). */
  public boolean loops(RouteAttributes a, RibPeer from) {
    if (a.originatorId() >= 0 && a.originatorId() == routerId) {
      return true;
    }
    if (clusterId >= 0 && a.clusterList().contains(clusterId)) {
      return true;
    }
    return from.ebgp() && a.asPath().contains(localAs);
  }
}
