package org.calicoledger.bird.calico;

import java.util.List;
import java.util.Set;
import org.calicoledger.bird.io.PeerConfig;
import org.calicoledger.bird.wire.Prefix;

/**
 * What the speaker on one node should do, derived from the cluster image by {@link BgpPlanner}.
 *
 * @param address the node's IPv4 address (the listen address, next hop and router ID)
 * @param address6 the node's IPv6 address, or null
 * @param clusterId route reflector cluster ID as unsigned 32 bits, -1 when the node is no route reflector
 * @param listenPort {@code BGPConfiguration default} {@code listenPort}, else 179
 * @param exports the prefixes this node originates
 * @param pools the enabled pools' CIDRs: learned routes inside them go to Felix
 */
public record BgpPlan(String address, String address6, long localAs, long clusterId, int listenPort,
    List<PeerConfig> peers, Set<Prefix> exports, List<Prefix> pools) {

  public long routerId() {
    return Prefix.parse(address).lo();
  }

  /** Whether a new speaker is needed (listen address, AS, identity); peers and routes change in place. */
  public boolean sameSpeaker(BgpPlan o) {
    return o != null && address.equals(o.address) && java.util.Objects.equals(address6, o.address6)
        && localAs == o.localAs && clusterId == o.clusterId && listenPort == o.listenPort;
  }

  public boolean inPools(Prefix p) {
    for (Prefix pool : pools) {
      if (pool.contains(p)) {
        return true;
      }
    }
    return false;
  }
}
