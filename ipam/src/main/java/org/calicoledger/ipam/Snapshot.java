package org.calicoledger.ipam;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.calicoledger.model.IPPool;
import org.calicoledger.model.Kind;
import org.calicoledger.model.net.Cidr;
import org.calicoledger.store.Keys;
import org.calicoledger.store.ResourceKey;

/**
 * What an allocator knows about the cluster for one host: the IPAM configuration, the host's Node (its labels choose
 * pools through {@code nodeSelector}) and every IP pool, each with the revision it was read at. Writes guard on those
 * revisions, so a stale snapshot can make a write fail but never makes a wrong one land.
 */
record Snapshot(Versioned<IpamConfig> config, NodeInfo node, List<PoolView> pools, long loadedNanos) {
  static final long MAX_AGE_NANOS = 30_000_000_000L;

  /** The host's Node: labels, key and revision (0 when there is no Node of that name; then it has no labels). */
  record NodeInfo(String name, Map<String, String> labels, String key, long revision) {
    BlockStore.Guard guard() {
      return new BlockStore.Guard(key, revision);
    }

    boolean exists() {
      return revision != 0;
    }
  }

  static Snapshot load(BlockStore bs, String host) {
    Versioned<IpamConfig> config = bs.config();
    ResourceKey nk = ResourceKey.of(Kind.NODE, host);
    NodeInfo node = bs.store().get(nk)
        .map(r -> new NodeInfo(host, r.metadata().labels(), Keys.resource(nk), r.metadata().revision()))
        .orElse(new NodeInfo(host, Map.of(), Keys.resource(nk), 0));
    List<PoolView> pools = new ArrayList<>();
    for (IPPool p : bs.store().list(IPPool.class).items()) {
      try {
        pools.add(PoolView.of(p));
      } catch (IllegalArgumentException unusable) {
        // a pool whose CIDR does not parse cannot hand out addresses; validation keeps such pools out
      }
    }
    return new Snapshot(config, node, List.copyOf(pools), System.nanoTime());
  }

  boolean stale() {
    return System.nanoTime() - loadedNanos > MAX_AGE_NANOS;
  }

  BlockStore.Guard configGuard() {
    return new BlockStore.Guard(IpamKeys.CONFIG, config.revision());
  }

  /**
   * The pools a request may use, as Calico's {@code determinePools}: with {@code requested} pools (names or CIDRs),
   * exactly those, each of which must exist, be enabled and be of this IP version (node selectors are then ignored,
   * as in Calico); otherwise every enabled pool of this version whose {@code nodeSelector} selects the node and whose
   * {@code allowedUses} include {@code use}.
   */
  List<PoolView> eligible(int version, List<String> requested, String use) {
    if (requested != null && !requested.isEmpty()) {
      List<PoolView> out = new ArrayList<>();
      for (String r : requested) {
        PoolView p = find(r).orElseThrow(() -> new IpamException.NoPools("the requested IPv" + version + " pool '" + r
            + "' does not exist; existing pools: " + describe(pools)));
        if (p.disabled()) {
          throw new IpamException.NoPools("the requested pool '" + r + "' (" + p.describe() + ") is disabled");
        }
        if (p.version() != version) {
          throw new IpamException.NoPools("the requested IPv" + version + " pool '" + r + "' is an IPv" + p.version()
              + " pool (" + p.cidr() + ")");
        }
        out.add(p);
      }
      return out;
    }
    List<PoolView> out = pools.stream()
        .filter(p -> p.version() == version && !p.disabled() && p.allows(use) && p.selects(node.labels()))
        .toList();
    if (out.isEmpty()) {
      List<PoolView> ofVersion = pools.stream().filter(p -> p.version() == version).toList();
      throw new IpamException.NoPools("no enabled IPv" + version + " pool selects node " + node.name()
          + (node.exists() ? " (labels " + node.labels() + ")" : " (no Node resource of that name, so no labels)")
          + (ofVersion.isEmpty() ? ": there are no IPv" + version + " pools; create one with calicoctl apply"
              : ": pools " + describeSelectors(ofVersion)));
    }
    return out;
  }

  /** A pool by name, or by CIDR in any spelling. */
  Optional<PoolView> find(String nameOrCidr) {
    for (PoolView p : pools) {
      if (p.name().equals(nameOrCidr)) {
        return Optional.of(p);
      }
    }
    try {
      Cidr c = Cidr.parse(nameOrCidr).network();
      return pools.stream().filter(p -> p.cidr().equals(c)).findFirst();
    } catch (IllegalArgumentException notACidr) {
      return Optional.empty();
    }
  }

  Optional<PoolView> poolOf(InetAddress ip) {
    return pools.stream().filter(p -> p.contains(ip)).findFirst();
  }

  Optional<PoolView> poolOf(Cidr block) {
    return pools.stream().filter(p -> p.contains(block)).findFirst();
  }

  static String describe(List<PoolView> ps) {
    return ps.isEmpty() ? "none" : ps.stream().map(p -> p.name() + " " + p.cidr()).collect(Collectors.joining(", "));
  }

  private static String describeSelectors(List<PoolView> ps) {
    return ps.stream().map(p -> p.name() + " (" + p.cidr() + (p.disabled() ? ", disabled" : "")
        + ", nodeSelector " + p.nodeSelector() + ")").collect(Collectors.joining(", "));
  }
}
