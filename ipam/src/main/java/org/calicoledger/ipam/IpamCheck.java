package org.calicoledger.ipam;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.calicoledger.model.ClusterInformation;
import org.calicoledger.model.IPPool;
import org.calicoledger.model.Kind;
import org.calicoledger.model.Node;
import org.calicoledger.model.WorkloadEndpoint;
import org.calicoledger.model.net.Cidr;
import org.calicoledger.store.KeyValue;
import org.calicoledger.store.ResourceKey;
import org.calicoledger.store.Store;

/**
 * {@code calicoctl ipam check}: cross-checks blocks, handles and affinities against each other and against the Node
 * and WorkloadEndpoint resources. The IPAM keys are read in one range, so they are consistent with each other at one
 * revision; resources are read after. An assignment in flight at that moment (block written, handle not yet, no
 * endpoint yet) shows up as a problem too, which is why repairs ({@link ReportRepair}) are conditional on nothing
 * having changed since.
 */
public final class IpamCheck {
  private IpamCheck() {}

  public static CheckReport run(Store store, String version) {
    List<Versioned<Block>> blocks = new ArrayList<>();
    Map<String, Versioned<Handle>> handles = new TreeMap<>();
    List<Versioned<Affinity>> affinities = new ArrayList<>();
    Store.Range ipam = store.range(IpamKeys.ROOT);
    for (KeyValue kv : ipam.kvs()) {
      if (IpamKeys.parseBlock(kv.key()).isPresent()) {
        blocks.add(BlockStore.block(kv));
      } else if (IpamKeys.parseAffinity(kv.key()).isPresent()) {
        affinities.add(new Versioned<>(Affinity.parse(kv.key(), kv.value()), kv.modRevision()));
      } else {
        IpamKeys.parseHandle(kv.key()).ifPresent(id ->
            handles.put(id, new Versioned<>(Handle.parse(kv.value(), id), kv.modRevision())));
      }
    }
    Map<String, Node> nodes = new HashMap<>();
    store.list(Node.class).items().forEach(n -> nodes.put(n.name(), n));
    Map<String, List<String>> owners = new HashMap<>();
    int nodeIps = 0;
    for (Node n : nodes.values()) {
      for (String ip : nodeAddresses(n)) {
        owners.computeIfAbsent(ip, k -> new ArrayList<>()).add("Node(" + n.name() + ")");
        nodeIps++;
      }
    }
    int workloadIps = 0;
    for (WorkloadEndpoint w : store.list(WorkloadEndpoint.class).items()) {
      if (w.spec().ipNetworks() != null) {
        for (String net : w.spec().ipNetworks()) {
          if (normalise(net).isPresent()) {
            owners.computeIfAbsent(normalise(net).get(), k -> new ArrayList<>())
                .add("Workload(" + w.namespace() + "/" + w.name() + ")");
            workloadIps++;
          }
        }
      }
    }
    Map<String, Integer> byNode = new TreeMap<>();

    Map<String, List<CheckReport.Entry>> allocations = new TreeMap<>();
    Map<String, Map<String, Integer>> heldByHandle = new LinkedHashMap<>(); // handle -> block -> count, from blocks
    Map<String, Long> blockRevision = new HashMap<>();
    for (Versioned<Block> vb : blocks) {
      Block b = vb.value();
      blockRevision.put(b.cidr().toString(), vb.revision());
      for (int o = 0; o < b.size(); o++) {
        if (!b.isAllocated(o)) {
          continue;
        }
        Allocation a = Ipam.allocation(b, o);
        String ip = a.text();
        String handle = a.handle();
        boolean reserved = handle != null && Block.WINDOWS_RESERVED_HANDLE.equalsIgnoreCase(handle);
        if (handle != null && !reserved) {
          heldByHandle.computeIfAbsent(handle, h -> new TreeMap<>()).merge(b.cidr().toString(), 1, Integer::sum);
        }
        List<String> by = reserved ? List.of("Reserved for Windows") : owners.getOrDefault(ip, List.of());
        Map<String, String> at = a.attributes();
        String node = at.get("node") != null && !at.get("node").isEmpty() ? at.get("node") : b.host();
        byNode.merge(node == null ? "" : node, 1, Integer::sum);
        allocations.computeIfAbsent(ip, k -> new ArrayList<>()).add(new CheckReport.Entry(ip, b.cidr().toString(),
            handle, new BigInteger(Long.toUnsignedString(a.sequenceNumber())), at.get("pod"), at.get("namespace"), node,
            at.get("type"), at.get("timestamp"), !by.isEmpty(), node != null && !node.equals(b.host()), List.copyOf(by),
            handle != null && !reserved && !handles.containsKey(handle)));
      }
    }

    List<CheckReport.HandleInfo> leaked = new ArrayList<>();
    List<CheckReport.HandleMismatch> mismatches = new ArrayList<>();
    handles.forEach((id, vh) -> {
      Map<String, Integer> held = heldByHandle.getOrDefault(id, Map.of());
      if (held.isEmpty()) {
        leaked.add(new CheckReport.HandleInfo(id, null, Long.toString(vh.revision())));
        return;
      }
      Set<String> blocksNamed = new HashSet<>(held.keySet());
      blocksNamed.addAll(vh.value().blocks().keySet());
      for (String c : blocksNamed) {
        int inBlock = held.getOrDefault(c, 0);
        int inHandle = vh.value().blocks().getOrDefault(c, 0);
        if (inBlock != inHandle) {
          mismatches.add(new CheckReport.HandleMismatch(id, c, inBlock, inHandle, Long.toString(vh.revision())));
        }
      }
    });
    List<CheckReport.MissingHandle> missing = new ArrayList<>();
    heldByHandle.forEach((id, held) -> {
      if (!handles.containsKey(id)) {
        missing.add(new CheckReport.MissingHandle(id, held));
      }
    });

    List<CheckReport.BlockWithoutNode> noNode = new ArrayList<>();
    Map<String, Block> byCidr = new HashMap<>();
    for (Versioned<Block> vb : blocks) {
      Block b = vb.value();
      byCidr.put(b.cidr().toString(), b);
      if (b.host() != null && !nodes.containsKey(b.host())) {
        noNode.add(new CheckReport.BlockWithoutNode(b.cidr().toString(), b.host(), b.inUseCount(),
            Long.toString(vb.revision())));
      }
    }
    List<CheckReport.StaleAffinity> stale = new ArrayList<>();
    for (Versioned<Affinity> va : affinities) {
      Affinity a = va.value();
      Block b = byCidr.get(a.cidr().toString());
      String reason = b == null ? "block does not exist"
          : !a.host().equals(b.host()) ? (b.host() == null ? "block has no affinity" : "block is affine to node " + b.host())
          : a.state() != Affinity.State.CONFIRMED ? "affinity is " + a.state().wire() : null;
      if (reason != null) {
        stale.add(new CheckReport.StaleAffinity(a.host(), a.cidr().toString(), a.state().wire(), reason,
            Long.toString(va.revision())));
      }
    }

    List<String> notAllocated = new ArrayList<>();
    List<Cidr> active = new ArrayList<>();
    for (IPPool p : store.list(IPPool.class).items()) {
      if (!p.spec().disabled()) {
        try {
          active.add(Cidr.parse(p.spec().cidr()));
        } catch (IllegalArgumentException ignored) {
          // not a usable pool
        }
      }
    }
    owners.keySet().stream().sorted().forEach(ip -> {
      Cidr host = Cidr.parseAddress(ip);
      if (!allocations.containsKey(ip) && active.stream().anyMatch(c -> c.contains(host))) {
        notAllocated.add(ip);
      }
    });

    ClusterInformation.Spec ci = store.get(ResourceKey.of(Kind.CLUSTER_INFORMATION, ClusterInformation.NAME))
        .map(r -> ((ClusterInformation) r).spec()).orElse(null);
    String ciRevision = store.get(ResourceKey.of(Kind.CLUSTER_INFORMATION, ClusterInformation.NAME))
        .map(r -> r.metadata().resourceVersion()).orElse("");
    return new CheckReport(version, ci == null ? "" : nz(ci.clusterGUID()),
        ci != null && Boolean.FALSE.equals(ci.datastoreReady()), ciRevision, ci == null ? "" : nz(ci.clusterType()),
        ipam.revision(), allocations, leaked, missing, mismatches, noNode, stale, notAllocated,
        new CheckReport.Stats(blocks.size(), active.size(), nodeIps, workloadIps, owners.size(), handles.size(),
            byNode));
  }

  private static String nz(String s) {
    return s == null ? "" : s;
  }

  /** The addresses a Node uses from IPAM: tunnel and WireGuard interface addresses. */
  static List<String> nodeAddresses(Node n) {
    List<String> out = new ArrayList<>();
    Node.Spec s = n.spec();
    if (s.bgp() != null) {
      normalise(s.bgp().ipv4IPIPTunnelAddr()).ifPresent(out::add);
    }
    normalise(s.ipv4VXLANTunnelAddr()).ifPresent(out::add);
    normalise(s.ipv6VXLANTunnelAddr()).ifPresent(out::add);
    if (s.wireguard() != null) {
      normalise(s.wireguard().interfaceIPv4Address()).ifPresent(out::add);
      normalise(s.wireguard().interfaceIPv6Address()).ifPresent(out::add);
    }
    return out;
  }

  /** {@code 10.0.0.5/32} or {@code 10.0.0.5} to {@code 10.0.0.5}; anything else to nothing. */
  static java.util.Optional<String> normalise(String addr) {
    if (addr == null || addr.isEmpty()) {
      return java.util.Optional.empty();
    }
    try {
      Cidr c = addr.contains("/") ? Cidr.parse(addr) : Cidr.parseAddress(addr);
      return java.util.Optional.of(c.addressString());
    } catch (IllegalArgumentException e) {
      return java.util.Optional.empty();
    }
  }
}
