package org.calicoledger.felix.calc;

import java.util.ArrayList;
import java.util.List;
import org.calicoledger.events.image.ClusterImage;
import org.calicoledger.events.image.Concern;
import org.calicoledger.events.image.KeyedImage;
import org.calicoledger.model.IPPool;
import org.calicoledger.model.net.Cidr;

/**
 * IP pools.
 *
 * <p>Inputs: the IPPools of the image. Outputs: the enabled and disabled IPv4 pools with their encapsulation modes,
 * and {@link Pools#find} (the pool that contains a block). Change rules: recomputed only when the IPPools sub-image
 * is a different instance; a pool whose CIDR does not parse is left out.
 */
public final class PoolResolver {
  /** One IPv4 pool as routing sees it. */
  public record Pool(String name, Cidr cidr, IPPool.EncapMode ipip, IPPool.EncapMode vxlan, boolean disabled) {}

  /** The pools of one image, most specific first. */
  public record Pools(List<Pool> all) {
    /** The pool whose CIDR contains {@code block}, or null. */
    public Pool find(Cidr block) {
      for (Pool p : all) {
        if (p.cidr.contains(block)) {
          return p;
        }
      }
      return null;
    }

    public boolean anyVxlan() {
      return all.stream().anyMatch(p -> !p.disabled && p.vxlan != IPPool.EncapMode.NEVER);
    }

    public boolean anyIpip() {
      return all.stream().anyMatch(p -> !p.disabled && p.ipip != IPPool.EncapMode.NEVER);
    }
  }

  private KeyedImage<IPPool> seen;
  private Pools result = new Pools(List.of());

  public Pools resolve(ClusterImage image) {
    KeyedImage<IPPool> pools = image.get(Concern.IP_POOLS);
    if (pools == seen) {
      return result;
    }
    List<Pool> out = new ArrayList<>();
    for (IPPool p : pools.map().values()) {
      try {
        Cidr c = Cidr.parse(p.spec().cidr());
        if (c.isIpv4()) {
          out.add(new Pool(p.metadata().name(), c.network(), p.spec().ipip(), p.spec().vxlan(), p.spec().disabled()));
        }
      } catch (RuntimeException bad) {
        // validation keeps these out of etcd; one that slips through routes nothing
      }
    }
    out.sort((a, b) -> Integer.compare(b.cidr.prefixLength(), a.cidr.prefixLength()));
    seen = pools;
    result = new Pools(List.copyOf(out));
    return result;
  }
}
