package org.calicoledger.node.startup;

import java.util.List;
import java.util.Map;
import org.calicoledger.model.FelixConfiguration;
import org.calicoledger.model.IPPool;
import org.calicoledger.model.Kind;
import org.calicoledger.model.ObjectMeta;
import org.calicoledger.model.net.Cidr;
import org.calicoledger.node.NodeConfig;
import org.calicoledger.store.Audit;
import org.calicoledger.store.ResourceKey;
import org.calicoledger.store.Store;
import org.calicoledger.store.StoreException;

/**
 * The cluster-wide defaults Calico's node creates when they are missing, and never changes once they exist:
 * ClusterInformation {@code default} ({@link Store#ensureInitialized}), the default IPv4 pool (only when no IPv4 pool
 * exists at all), FelixConfiguration {@code default} ({@code reportingInterval: 0s}, {@code logSeverityScreen: Info})
 * and {@code node.<name>} ({@code defaultEndpointToHostAction: Return}). Several nodes starting together may race:
 * each create is conditional, and losing the race is success.
 */
public final class DefaultConfig {
  private static final System.Logger LOG = System.getLogger("calico-node");

  private DefaultConfig() {}

  public static void ensure(Store store, NodeConfig cfg, String calicoVersion) {
    store.ensureInitialized(calicoVersion, cfg.clusterType());
    if (cfg.pool() != null) {
      ensurePool(store, cfg.pool(), new Audit(cfg.actor(), "calico-node start: default IPv4 pool"));
    }
    Audit audit = new Audit(cfg.actor(), "calico-node start: default Felix configuration");
    createIfMissing(store, new FelixConfiguration(ObjectMeta.named(FelixConfiguration.DEFAULT),
        new FelixConfiguration.Spec(Map.of("reportingInterval", "0s", "logSeverityScreen", "Info"))), audit);
    createIfMissing(store, new FelixConfiguration(ObjectMeta.named("node." + cfg.nodename()),
        new FelixConfiguration.Spec(Map.of("defaultEndpointToHostAction", "Return"))), audit);
  }

  static void ensurePool(Store store, NodeConfig.PoolSettings s, Audit audit) {
    if (hasIpv4Pool(store.list(IPPool.class).items())) {
      return;
    }
    IPPool pool = IPPool.of(NodeConfig.PoolSettings.DEFAULT_NAME, IPPool.Spec.of(s.cidr().network().toString())
        .withModes(s.ipipMode(), s.vxlanMode()).withNatOutgoing(s.natOutgoing()).withBlockSize(s.blockSize())
        .withNodeSelector(s.nodeSelector()));
    try {
      store.create(pool, audit);
      LOG.log(System.Logger.Level.INFO, "created IPPool " + pool.name() + " " + pool.spec().cidr() + " (ipipMode "
          + s.ipipMode() + ", vxlanMode " + s.vxlanMode() + ", natOutgoing " + s.natOutgoing() + ")");
    } catch (StoreException.AlreadyExists raced) {
      // another node created it first
    } catch (RuntimeException e) {
      if (!hasIpv4Pool(store.list(IPPool.class).items())) {
        throw e; // not a lost race: the pool itself is refused (overlap, validation)
      }
    }
  }

  private static boolean hasIpv4Pool(List<IPPool> pools) {
    return pools.stream().anyMatch(p -> {
      try {
        return Cidr.parse(p.spec().cidr()).isIpv4();
      } catch (IllegalArgumentException unreadable) {
        return false;
      }
    });
  }

  private static void createIfMissing(Store store, FelixConfiguration fc, Audit audit) {
    if (store.get(ResourceKey.of(Kind.FELIX_CONFIGURATION, fc.name())).isPresent()) {
      return;
    }
    try {
      store.create(fc, audit);
    } catch (StoreException.AlreadyExists raced) {
      // created by another node meanwhile
    }
  }
}
