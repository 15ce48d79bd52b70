package org.calicoledger.ipam;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.calicoledger.model.IPPool;
import org.calicoledger.model.net.Cidr;
import org.calicoledger.store.Store;

/** {@code calicoctl ipam show}: how full each pool and block is, and which addresses are borrowed. */
public final class IpamUsage {
  private IpamUsage() {}

  public record BlockUsage(Cidr cidr, String host, int capacity, int inUse) {
    public int free() {
      return capacity - inUse;
    }
  }

  /** One pool; {@code name} and {@code cidr} are null for the blocks that lie in no pool (a deleted pool's). */
  public record PoolUsage(String name, Cidr cidr, BigInteger capacity, long inUse, List<BlockUsage> blocks) {
    public BigInteger free() {
      return capacity.subtract(BigInteger.valueOf(inUse));
    }
  }

  public static List<PoolUsage> pools(Store store) {
    List<Versioned<Block>> blocks = new BlockStore(store, "calicoctl", FaultHook.NONE).blocks(0);
    List<IPPool> pools = new ArrayList<>(store.list(IPPool.class).items());
    List<PoolUsage> out = new ArrayList<>();
    List<Versioned<Block>> placed = new ArrayList<>();
    pools.sort(Comparator.comparing(p -> safeCidr(p.spec().cidr()), Comparator.nullsLast(Comparator.naturalOrder())));
    for (IPPool p : pools) {
      Cidr c = safeCidr(p.spec().cidr());
      if (c == null) {
        continue;
      }
      List<BlockUsage> mine = new ArrayList<>();
      long used = 0;
      for (Versioned<Block> vb : blocks) {
        Block b = vb.value();
        if (c.contains(b.cidr())) {
          mine.add(new BlockUsage(b.cidr(), b.host(), b.size(), b.inUseCount()));
          used += b.inUseCount();
          placed.add(vb);
        }
      }
      out.add(new PoolUsage(p.name(), c, c.size(), used, mine));
    }
    List<BlockUsage> orphans = new ArrayList<>();
    long used = 0;
    BigInteger cap = BigInteger.ZERO;
    for (Versioned<Block> vb : blocks) {
      if (!placed.contains(vb)) {
        Block b = vb.value();
        orphans.add(new BlockUsage(b.cidr(), b.host(), b.size(), b.inUseCount()));
        used += b.inUseCount();
        cap = cap.add(BigInteger.valueOf(b.size()));
      }
    }
    if (!orphans.isEmpty()) {
      out.add(new PoolUsage(null, null, cap, used, orphans));
    }
    return out;
  }

  /** An address allocated for one node from a block affine to another (or to none). */
  public record Borrowed(String ip, String borrowingNode, Cidr block, String blockOwner, String type, String allocatedTo) {}

  public static List<Borrowed> borrowed(Store store) {
    List<Borrowed> out = new ArrayList<>();
    for (Versioned<Block> vb : new BlockStore(store, "calicoctl", FaultHook.NONE).blocks(0)) {
      Block b = vb.value();
      for (int o = 0; o < b.size(); o++) {
        if (!b.isAllocated(o)) {
          continue;
        }
        Allocation a = Ipam.allocation(b, o);
        if (a.node() == null || a.node().equals(b.host())) {
          continue;
        }
        String ns = a.attributes().getOrDefault("namespace", "");
        String pod = a.attributes().get("pod");
        String type = pod != null ? "pod" : a.attributes().getOrDefault("type", "");
        out.add(new Borrowed(a.text(), a.node(), b.cidr(), b.host() == null ? "" : b.host(), type,
            pod != null ? ns + "/" + pod : ""));
      }
    }
    return out;
  }

  private static Cidr safeCidr(String s) {
    try {
      return Cidr.parse(s).network();
    } catch (IllegalArgumentException | NullPointerException e) {
      return null;
    }
  }
}
