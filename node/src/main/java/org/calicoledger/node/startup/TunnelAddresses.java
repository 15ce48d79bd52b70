package org.calicoledger.node.startup;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.calicoledger.ipam.AssignRequest;
import org.calicoledger.ipam.Allocation;
import org.calicoledger.ipam.Assignment;
import org.calicoledger.ipam.Ipam;
import org.calicoledger.model.IPPool;
import org.calicoledger.model.Node;
import org.calicoledger.model.net.Cidr;
import org.calicoledger.model.selector.Selector;
import org.calicoledger.store.Store;

/**
 * The node's tunnel addresses, allocated from IPAM as Calico's {@code allocate-tunnel-addrs} does: an IPIP address
 * ({@code spec.bgp.ipv4IPIPTunnelAddr}, handle {@code ipip-tunnel-addr-<node>}) while some enabled IPv4 pool that
 * selects the node has {@code ipipMode} Always or CrossSubnet, and a VXLAN address ({@code spec.ipv4VXLANTunnelAddr},
 * handle {@code vxlan-tunnel-addr-<node>}) likewise for {@code vxlanMode}; pools must allow the {@code Tunnel} use.
 * Allocations carry the attributes {@code node} and {@code type} ({@code ipipTunnelAddress},
 * {@code vxlanTunnelAddress}).
 *
 * <p>Invariant after {@link #reconcile}: an address on the Node is held in IPAM by its handle and lies in an
 * eligible pool; with no eligible pool the field is empty and the handle released. A kept address is never
 * re-assigned, so a tunnel device configured with it stays valid.
 */
public final class TunnelAddresses {
  private static final System.Logger LOG = System.getLogger("calico-node");

  /** One kind of tunnel address. */
  enum Kind {
    IPIP("ipip-tunnel-addr-", "ipipTunnelAddress"),
    VXLAN("vxlan-tunnel-addr-", "vxlanTunnelAddress");

    final String handlePrefix;
    final String attributeType;

    Kind(String handlePrefix, String attributeType) {
      this.handlePrefix = handlePrefix;
      this.attributeType = attributeType;
    }

    String handle(String node) {
      return handlePrefix + node;
    }

    String of(Node n) {
      return this == IPIP ? NodeSpecs.bgp(n).ipv4IPIPTunnelAddr() : n.spec().ipv4VXLANTunnelAddr();
    }

    Node with(Node n, String addr) {
      return this == IPIP ? NodeSpecs.withIpipTunnelAddr(n, addr) : NodeSpecs.withVxlanTunnelAddr(n, addr);
    }

    IPPool.EncapMode mode(IPPool p) {
      return this == IPIP ? p.spec().ipip() : p.spec().vxlan();
    }
  }

  private TunnelAddresses() {}

  /** Brings the node's tunnel addresses in line with the pools; returns the Node as stored. */
  public static Node reconcile(Store store, Ipam ipam, String nodename, String actor) {
    List<IPPool> pools = store.list(IPPool.class).items();
    Node stored = store.get(org.calicoledger.store.ResourceKey.of(org.calicoledger.model.Kind.NODE, nodename))
        .map(Node.class::cast).orElseThrow(() -> new IllegalStateException("node " + nodename
            + " is not registered: register it before allocating tunnel addresses"));
    Node want = stored;
    for (Kind k : Kind.values()) {
      want = k.with(want, ensure(ipam, k, want, eligible(k, pools, want)));
    }
    if (want.equals(stored)) {
      return stored;
    }
    Node target = want;
    return NodeRegistration.update(store, nodename, actor, "tunnel addresses",
        n -> Kind.IPIP.with(Kind.VXLAN.with(n, Kind.VXLAN.of(target)), Kind.IPIP.of(target)));
  }

  /** The pools {@code k} may take an address from: IPv4, enabled, encapsulating, selecting the node, Tunnel use. */
  static List<IPPool> eligible(Kind k, List<IPPool> pools, Node node) {
    List<IPPool> out = new ArrayList<>();
    Map<String, String> labels = node.metadata().labels();
    for (IPPool p : pools) {
      IPPool.Spec s = p.spec();
      Cidr cidr;
      try {
        cidr = s.network();
      } catch (IllegalArgumentException unreadable) {
        continue;
      }
      boolean tunnelUse = s.allowedUses() == null || s.allowedUses().isEmpty() || s.allowedUses().contains("Tunnel");
      String sel = s.nodeSelector() == null || s.nodeSelector().isEmpty() ? IPPool.ALL : s.nodeSelector();
      if (cidr.isIpv4() && !s.disabled() && k.mode(p).enabled() && tunnelUse && selects(sel, labels)) {
        out.add(p);
      }
    }
    return out;
  }

  private static boolean selects(String selector, Map<String, String> labels) {
    try {
      return Selector.parse(selector).matches(labels);
    } catch (RuntimeException unparsable) {
      return false;
    }
  }

  /** The address {@code k} should have: the current one if still valid, a new one, or null (none eligible). */
  private static String ensure(Ipam ipam, Kind k, Node node, List<IPPool> pools) {
    String handle = k.handle(node.name());
    String current = k.of(node);
    if (pools.isEmpty()) {
      if (current != null || holds(ipam, handle)) {
        ipam.releaseByHandle(handle);
        LOG.log(System.Logger.Level.INFO, "node " + node.name() + ": no pool needs a " + k.attributeType
            + "; released " + (current == null ? "handle " + handle : current));
      }
      return null;
    }
    if (current != null && inAny(current, pools) && heldBy(ipam, current, handle)) {
      return current;
    }
    ipam.releaseByHandle(handle);
    Assignment a = ipam.autoAssign(new AssignRequest(handle, node.name(), 1, 0,
        pools.stream().map(p -> p.name()).toList(), List.of(),
        Map.of("node", node.name(), "type", k.attributeType), "Tunnel"));
    String addr = a.ipv4().get(0).text();
    LOG.log(System.Logger.Level.INFO, "node " + node.name() + ": " + k.attributeType + " " + addr
        + (current == null ? "" : " (was " + current + ")"));
    return addr;
  }

  private static boolean holds(Ipam ipam, String handle) {
    try {
      return !ipam.allocationsOf(handle).isEmpty();
    } catch (org.calicoledger.ipam.IpamException.UnknownHandle none) {
      return false;
    }
  }

  private static boolean inAny(String addr, List<IPPool> pools) {
    try {
      Cidr host = Cidr.parseAddress(addr);
      return pools.stream().anyMatch(p -> p.spec().network().contains(host));
    } catch (IllegalArgumentException unreadable) {
      return false;
    }
  }

  private static boolean heldBy(Ipam ipam, String addr, String handle) {
    try {
      Optional<Allocation> a = ipam.allocation(InetAddress.getByName(addr));
      return a.isPresent() && handle.equals(a.get().handle());
    } catch (java.net.UnknownHostException unreadable) {
      return false;
    }
  }
}
