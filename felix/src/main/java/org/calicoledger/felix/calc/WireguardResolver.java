package org.calicoledger.felix.calc;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.calicoledger.events.image.ClusterImage;
import org.calicoledger.events.image.IpamBlock;
import org.calicoledger.felix.FelixSettings;
import org.calicoledger.felix.dataplane.wireguard.WireguardPeer;
import org.calicoledger.felix.dataplane.wireguard.WireguardSpec;
import org.calicoledger.model.Node;

/**
 * WireGuard settings and peers for one node.
 *
 * <p>Inputs: the effective {@link FelixSettings} ({@code wireguardEnabled}, {@code wireguardInterfaceName},
 * {@code wireguardListeningPort}, {@code wireguardMTU}, {@code wireguardRoutingRulePriority}), the Nodes (their IPv4
 * address, tunnel addresses and published {@code status.wireguardPublicKey}) and the IPv4 IPAM blocks with their
 * affinities. Outputs: a {@link WireguardSpec}; a peer per other node that has both a published key and an IPv4
 * address, endpoint {@code <node IP>:<port>}, allowed IPs = its affine blocks plus its IPIP, VXLAN and WireGuard
 * tunnel addresses as {@code /32}s. Change rules: a node publishing or clearing its key, moving, or a block changing
 * affinity changes only that node's peer; disabling gives a spec with {@code enabled} false that still names
 * the interface and rule priority to remove.
 */
public final class WireguardResolver {
  private WireguardResolver() {}

  public static WireguardSpec resolve(ClusterImage image, FelixSettings cfg, String nodename) {
    int port = cfg.wireguardListeningPort();
    int mtu = cfg.wireguardMtu();
    String iface = cfg.wireguardInterfaceName();
    int priority = cfg.wireguardRoutingRulePriority();
    if (!cfg.wireguardEnabled()) {
      // the names still matter when off: they say what to remove
      return new WireguardSpec(false, iface, port, 1440, priority, 1, 0x100000, null, List.of());
    }
    Map<String, Node> nodes = image.nodes();
    Node self = nodes.get(nodename);
    String selfAddr = self == null || self.spec().wireguard() == null ? null
        : self.spec().wireguard().interfaceIPv4Address();
    List<WireguardPeer> peers = new ArrayList<>();
    for (Node n : nodes.values()) {
      String name = n.metadata().name();
      String key = n.status().wireguardPublicKey();
      String ip = n.spec().bgp() == null ? null : bare(n.spec().bgp().ipv4Address());
      if (name.equals(nodename) || key == null || key.isBlank() || ip == null) {
        continue;
      }
      TreeSet<String> allowed = new TreeSet<>();
      for (IpamBlock b : image.ipamBlocks().values()) {
        if (name.equals(b.host()) && !b.deleted() && b.cidr().indexOf(':') < 0) {
          allowed.add(b.cidr());
        }
      }
      host(allowed, n.spec().bgp().ipv4IPIPTunnelAddr());
      host(allowed, n.spec().ipv4VXLANTunnelAddr());
      if (n.spec().wireguard() != null) {
        host(allowed, n.spec().wireguard().interfaceIPv4Address());
      }
      peers.add(new WireguardPeer(name, key, ip + ":" + port, new ArrayList<>(allowed)));
    }
    peers.sort(java.util.Comparator.comparing(WireguardPeer::node));
    return new WireguardSpec(true, iface, port, mtu <= 0 ? 1440 : mtu, priority, 1, 0x100000, bare(selfAddr), peers);
  }

  private static void host(TreeSet<String> out, String addr) {
    String a = bare(addr);
    if (a != null && a.indexOf(':') < 0) {
      out.add(a + "/32");
    }
  }

  /** {@code 10.0.0.1/24} -> {@code 10.0.0.1}; null and blank stay null. */
  static String bare(String addr) {
    if (addr == null || addr.isBlank()) {
      return null;
    }
    int slash = addr.indexOf('/');
    return slash < 0 ? addr.trim() : addr.substring(0, slash).trim();
  }
}
