package org.calicoledger.ipam;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.calicoledger.model.net.Cidr;

/**
 * One allocator's view of one host: a {@link Snapshot} and the blocks affine to the host, each as last read or written
 * with its mod revision. This is a hint for the next compare-and-swap, never a source of truth: an allocation is only
 * made by a write that etcd accepts because the block is still at the remembered revision. When another writer got
 * there first, the failed write returns the block as it is now and the view takes that. So a warm allocator
 * allocates with two writes (block, handle) and no reads.
 *
 * <p>Thread-safe: several threads may allocate for the same host; the view keeps the newest revision of each block.
 */
final class HostView {
  final String host;
  private volatile Snapshot snapshot;
  private final ConcurrentMap<Cidr, Versioned<Block>> affine = new ConcurrentHashMap<>();
  private volatile boolean affineLoaded;
  private volatile long affineLoadedNanos;
  private volatile Cidr current; // the block the last allocation came from: tried first

  HostView(String host) {
    this.host = host;
  }

  Snapshot snapshot(BlockStore bs) {
    Snapshot s = snapshot;
    if (s == null || s.stale()) {
      s = Snapshot.load(bs, host);
      snapshot = s;
    }
    return s;
  }

  Snapshot reloadSnapshot(BlockStore bs) {
    Snapshot s = Snapshot.load(bs, host);
    snapshot = s;
    return s;
  }

  void invalidate() {
    snapshot = null;
  }

  /**
   * Whether every affine block was last read from etcd long ago: releases made by other processes (a CNI DEL) free
   * addresses in blocks this view thinks full, so now and then the view re-reads them all.
   */
  boolean affineStale() {
    return !affineLoaded || System.nanoTime() - affineLoadedNanos > Snapshot.MAX_AGE_NANOS;
  }

  /** Replaces the affine blocks with a fresh reading of all of them. */
  void replaceAffine(Collection<Versioned<Block>> blocks) {
    affine.clear();
    blocks.forEach(this::remember);
    affineLoaded = true;
    affineLoadedNanos = System.nanoTime();
  }

  Versioned<Block> cached(Cidr c) {
    return affine.get(c);
  }

  /** Takes a newer reading of a block: kept while it is affine to this host, dropped otherwise. */
  void remember(Versioned<Block> b) {
    Cidr c = b.value().cidr();
    if (host.equals(b.value().host())) {
      affine.merge(c, b, (old, now) -> now.revision() >= old.revision() ? now : old);
    } else {
      affine.remove(c);
    }
  }

  void forget(Cidr c) {
    affine.remove(c);
  }

  /**
   * An affine block of one of {@code pools} with a free address, or null: the one used last while it has room, else
   * the first in address order.
   */
  Versioned<Block> withSpace(List<PoolView> pools) {
    Cidr cur = current;
    Versioned<Block> last = cur == null ? null : affine.get(cur);
    if (last != null && last.value().freeCount() > 0 && pools.stream().anyMatch(p -> p.contains(cur))) {
      return last;
    }
    Versioned<Block> best = null;
    for (Versioned<Block> b : affine.values()) {
      if (b.value().freeCount() > 0 && pools.stream().anyMatch(p -> p.contains(b.value().cidr()))
          && (best == null || b.value().cidr().compareTo(best.value().cidr()) < 0)) {
        best = b;
      }
    }
    if (best != null) {
      current = best.value().cidr();
    }
    return best;
  }

  int count(int version) {
    return (int) affine.keySet().stream().filter(c -> c.version() == version).count();
  }

  List<Versioned<Block>> affine() {
    List<Versioned<Block>> out = new ArrayList<>(affine.values());
    out.sort(Comparator.comparing(b -> b.value().cidr()));
    return out;
  }
}
