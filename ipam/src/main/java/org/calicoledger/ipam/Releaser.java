package org.calicoledger.ipam;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;
import org.calicoledger.ipam.BlockStore.Outcome;
import org.calicoledger.model.net.Cidr;

/**
 * Releases: by address (with optional handle and sequence number checks) and by handle. The block write comes first,
 * then the handle counts, as in Calico; a block left empty and without affinity is deleted. Every write is a
 * compare-and-swap on the block read; a lost one is redone on the block as the failed write returned it.
 */
final class Releaser {
  private final BlockStore store;
  private final Handles handles;
  private final BiConsumer<Cidr, Versioned<Block>> seen; // a block as written now (null: deleted), for caches

  Releaser(BlockStore store, Handles handles, BiConsumer<Cidr, Versioned<Block>> seen) {
    this.store = store;
    this.handles = handles;
    this.seen = seen;
  }

  /**
   * Releases addresses; with {@code adjustHandles} the handles' counts go down by what was freed (off when undoing an
   * assignment whose handle counts the caller takes back itself).
   */
  ReleaseResult release(List<IpRelease> requests, List<PoolView> pools, boolean adjustHandles, RetryPolicy.Budget budget) {
    Map<Cidr, List<IpRelease>> byBlock = new LinkedHashMap<>();
    List<InetAddress> released = new ArrayList<>();
    List<InetAddress> notAssigned = new ArrayList<>();
    Map<Integer, List<Versioned<Block>>> listed = new LinkedHashMap<>();
    for (IpRelease r : requests) {
      Optional<Cidr> block = locate(r.address(), pools, listed);
      if (block.isEmpty()) {
        notAssigned.add(r.address());
      } else {
        byBlock.computeIfAbsent(block.get(), c -> new ArrayList<>()).add(r);
      }
    }
    byBlock.forEach((cidr, rs) -> releaseIn(cidr, rs, released, notAssigned, adjustHandles, budget));
    return new ReleaseResult(released, notAssigned);
  }

  /** The block holding {@code ip}: by its pool's block size when a pool holds it, else by listing the blocks. */
  private Optional<Cidr> locate(InetAddress ip, List<PoolView> pools, Map<Integer, List<Versioned<Block>>> listed) {
    for (PoolView p : pools) {
      if (p.contains(ip) && store.block(p.blockOf(ip)).isPresent()) {
        return Optional.of(p.blockOf(ip));
      }
    }
    int version = ip.getAddress().length == 4 ? 4 : 6;
    return listed.computeIfAbsent(version, store::blocks).stream().map(b -> b.value().cidr())
        .filter(c -> c.contains(Cidr.of(ip, c.bits()))).findFirst();
  }

  private void releaseIn(Cidr cidr, List<IpRelease> rs, List<InetAddress> released, List<InetAddress> notAssigned,
      boolean adjustHandles, RetryPolicy.Budget budget) {
    Optional<Versioned<Block>> cur = store.block(cidr);
    while (true) {
      if (cur.isEmpty()) {
        rs.forEach(r -> notAssigned.add(r.address()));
        return;
      }
      Block b = cur.get().value();
      List<Block.Release> asks = new ArrayList<>();
      for (IpRelease r : rs) {
        asks.add(new Block.Release(b.ordinalOf(r.address()), r.handle(), r.sequenceNumber()));
      }
      Block.Released r = b.release(asks);
      if (!r.changed()) {
        rs.forEach(x -> notAssigned.add(x.address()));
        return;
      }
      Outcome o = write(cur.get(), r.block(), "ipam: release " + r.released().size() + " address(es) in block " + cidr);
      if (o.ok()) {
        r.released().forEach(ord -> released.add(b.addressOf(ord)));
        r.notAllocated().forEach(ord -> notAssigned.add(b.addressOf(ord)));
        if (adjustHandles) {
          r.byHandle().forEach((h, n) -> handles.subtract(h, cidr, n, "ipam: release " + n + " address(es) of handle " + h
            + " in block " + cidr, budget));
        }
        return;
      }
      cur = o.now(IpamKeys.block(cidr)).map(BlockStore::block);
      budget.conflict(IpamKeys.block(cidr));
    }
  }

  /** Writes a block after a release: deleted when it holds nothing and belongs to no host, else updated. */
  private Outcome write(Versioned<Block> read, Block next, String reason) {
    if (next.inUseCount() == 0 && next.affinity() == null) {
      Outcome o = store.deleteBlock(read, List.of(), reason, FaultHook.Point.BLOCK_RELEASED);
      if (o.ok()) {
        seen.accept(next.cidr(), null);
      }
      return o;
    }
    BlockStore.BlockWrite w = store.putBlock(read, next, List.of(), reason, FaultHook.Point.BLOCK_RELEASED);
    if (w.ok()) {
      seen.accept(next.cidr(), w.stored());
    }
    return w.outcome();
  }

  /**
   * Releases every address of {@code handleId} and deletes the handle. When the handle is missing (its writer died
   * before writing it) the blocks affine to {@code hostHint} are searched for allocations carrying the handle, so a
   * CNI DEL after a crashed ADD still frees the address. Returns how many addresses were freed.
   */
  int releaseByHandle(String handleId, String hostHint, RetryPolicy.Budget budget) {
    int freed = 0;
    while (true) {
      Optional<Versioned<Handle>> h = store.handle(handleId);
      Set<Cidr> blocks = new LinkedHashSet<>();
      if (h.isPresent()) {
        h.get().value().blocks().keySet().forEach(k -> parse(k).ifPresent(blocks::add));
      } else if (hostHint != null) {
        store.affinities(hostHint).forEach(a -> blocks.add(a.value().cidr()));
      }
      for (Cidr c : blocks) {
        freed += releaseHandleIn(c, handleId, budget);
      }
      if (h.isEmpty()) {
        return freed;
      }
      Outcome o = store.deleteHandle(h.get().revision(), handleId, "ipam: release handle " + handleId);
      if (o.ok() || o.now(IpamKeys.handle(handleId)).isEmpty()) {
        return freed;
      }
      budget.conflict(IpamKeys.handle(handleId)); // assigned to again meanwhile: release what it holds now
    }
  }

  private int releaseHandleIn(Cidr cidr, String handleId, RetryPolicy.Budget budget) {
    Optional<Versioned<Block>> cur = store.block(cidr);
    while (cur.isPresent()) {
      Block.Released r = cur.get().value().releaseByHandle(handleId, null);
      if (!r.changed()) {
        return 0;
      }
      Outcome o = write(cur.get(), r.block(), "ipam: release handle " + handleId + " in block " + cidr);
      if (o.ok()) {
        return r.released().size();
      }
      cur = o.now(IpamKeys.block(cidr)).map(BlockStore::block);
      budget.conflict(IpamKeys.block(cidr));
    }
    return 0;
  }

  private static Optional<Cidr> parse(String cidr) {
    try {
      return Optional.of(Cidr.parse(cidr));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
