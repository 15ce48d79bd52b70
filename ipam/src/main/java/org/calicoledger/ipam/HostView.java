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

  boolean affineLoaded() {
    return affineLoaded;
  }

  /** Replaces the affine blocks with a fresh reading. */
  void replaceAffine(Collection<Versioned<Block>> blocks) {
    affine.clear();
    blocks.forEach(this::remember);
    affineLoaded = true;
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

  /** The first affine block (in address order) of one of {@code pools} with a free address, or null. */
  Versioned<Block> withSpace(List<PoolView> pools) {
    Versioned<Block> best = null;
    for (Versioned<Block> b : affine.values()) {
      if (b.value().freeCount() > 0 && pools.stream().anyMatch(p -> p.contains(b.value().cidr()))
          && (best == null || b.value().cidr().compareTo(best.value().cidr()) < 0)) {
        best = b;
      }
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
