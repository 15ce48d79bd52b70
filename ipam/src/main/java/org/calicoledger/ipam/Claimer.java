package org.calicoledger.ipam;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.calicoledger.ipam.BlockStore.Guard;
import org.calicoledger.ipam.BlockStore.Outcome;
import org.calicoledger.model.net.Cidr;
import org.calicoledger.store.KeyValue;

/**
 * The block claim protocol, as Calico's: a host claims a block in three writes,
 * <pre>
 *   1. affinity  /calico/ipam/v2/host/H/ipv4/block/C   absent -> {"state":"pending"}
 *   2. block     /calico/ipam/v2/assignment/ipv4/block/C   absent -> {"affinity":"host:H", ...}
 *                (only while the pending affinity is unchanged and the pool still is)
 *   3. affinity  pending -> confirmed
 * </pre>
 * Two hosts racing for one block both may write step 1 (their affinity keys differ) but only one creates the block;
 * the other sees whose it is in the failed compare, deletes its pending affinity and tries its next block. A crash
 * can stop a claimer after any step; {@link #loadAffine} (run on a host's first allocation, every
 * {@link Snapshot#MAX_AGE_NANOS}, and before borrowing or giving up) finishes or undoes what it finds:
 * <ul>
 *   <li>pending affinity, no block: the claim resumes at step 2 if a pool still serves the host, else the affinity
 *       goes;</li>
 *   <li>pending affinity, block affine to the host: step 3 is done now;</li>
 *   <li>any affinity whose block is affine to another host (or to none): the affinity is stale and goes;</li>
 *   <li>{@code pendingDeletion} (a release Calico started): the release is finished;</li>
 *   <li>block affine to the host without any affinity key: found by {@link #claimNew}, which lists the blocks and
 *       claims such a block first (step 1 creates the affinity, step 2 finds the block already the host's).</li>
 * </ul>
 * Every write compares the revision it read, so recovery racing a live claimer costs a retry, never a wrong state.
 */
final class Claimer {
  enum Result { CLAIMED, TAKEN, RETRY, NONE_FREE }

  private final BlockStore store;

  Claimer(BlockStore store) {
    this.store = store;
  }

  /**
   * Which blocks exist, per IP version, as this allocator last listed them (plus those it saw created since): the
   * claim walk skips them without reading. Blocks are rarely deleted, so the hint is mostly right; it is refreshed
   * when older than {@link Snapshot#MAX_AGE_NANOS}, and a walk that finds nothing free lists again before giving up.
   */
  private record Known(Set<Cidr> blocks, Map<Cidr, Versioned<Block>> values, long listedNanos) {
    boolean stale() {
      return System.nanoTime() - listedNanos > Snapshot.MAX_AGE_NANOS;
    }
  }

  private final ConcurrentMap<Integer, Known> known = new ConcurrentHashMap<>();

  private Known list(int version) {
    Map<Cidr, Versioned<Block>> values = new HashMap<>();
    store.blocks(version).forEach(b -> values.put(b.value().cidr(), b));
    Known k = new Known(ConcurrentHashMap.newKeySet(), values, System.nanoTime());
    k.blocks().addAll(values.keySet());
    known.put(version, k);
    return k;
  }

  /**
   * Claims a block for the host from the first of {@code pools} that has one: a block nobody has yet, in the host's
   * own order ({@link BlockOrder}), or (found when the blocks were just listed) a block already affine to the host
   * that still has room.
   */
  Result claimNew(HostView view, Snapshot s, List<PoolView> pools, int version) {
    Known k = known.get(version);
    boolean listed = k == null || k.stale();
    if (listed) {
      k = list(version);
    }
    Result r = walk(view, s, pools, k, listed);
    if (r == Result.NONE_FREE && !listed) {
      r = walk(view, s, pools, list(version), true);
    }
    return r;
  }

  private Result walk(HostView view, Snapshot s, List<PoolView> pools, Known k, boolean withValues) {
    for (PoolView pool : pools) {
      // Pigeonhole: each block visited either is known to exist or gets claimed (or turns out taken, and then is
      // known to exist), so more than (known blocks + 1) visits cannot be needed: short even for huge pools.
      long visited = 0;
      for (Iterator<Cidr> it = new BlockOrder(pool, view.host); it.hasNext() && visited <= k.blocks().size(); visited++) {
        Cidr c = it.next();
        if (k.blocks().contains(c)) {
          Versioned<Block> e = withValues ? k.values().get(c) : null;
          if (e == null || !(view.host.equals(e.value().host()) && e.value().freeCount() > 0)
              || view.cached(c) != null) {
            continue;
          }
        }
        Result r = claim(view, s, pool, c);
        if (r == Result.RETRY) {
          return r;
        }
        k.blocks().add(c); // exists now: ours, or another node's
        if (r == Result.CLAIMED) {
          return r;
        }
      }
    }
    return Result.NONE_FREE;
  }

  /** Runs (or resumes) the protocol for one block. */
  Result claim(HostView view, Snapshot s, PoolView pool, Cidr cidr) {
    String host = view.host;
    String affKey = IpamKeys.affinity(host, cidr);
    String blockKey = IpamKeys.block(cidr);
    List<Guard> guards = List.of(pool.guard(), s.node().guard(), s.configGuard());
    String why = "ipam: node " + host + " claims block " + cidr + " of pool " + pool.name();

    // 1. pending affinity
    Versioned<Affinity> aff;
    Affinity pending = Affinity.of(host, cidr, Affinity.State.PENDING);
    Outcome o = store.putAffinity(0, pending, guards, why, FaultHook.Point.PENDING_AFFINITY_WRITTEN);
    if (o.ok()) {
      aff = new Versioned<>(pending, o.revision());
    } else if (guards.stream().anyMatch(o::moved)) {
      view.invalidate();
      return Result.RETRY;
    } else {
      KeyValue cur = o.now(affKey).orElse(null);
      if (cur == null) {
        return Result.RETRY;
      }
      Affinity a = Affinity.parse(affKey, cur.value());
      if (a.state() == Affinity.State.CONFIRMED) {
        aff = new Versioned<>(a, cur.modRevision());
      } else {
        Outcome again = store.putAffinity(cur.modRevision(), a.withState(Affinity.State.PENDING), guards, why,
            FaultHook.Point.PENDING_AFFINITY_WRITTEN);
        if (!again.ok()) {
          return Result.RETRY;
        }
        aff = new Versioned<>(a.withState(Affinity.State.PENDING), again.revision());
      }
    }

    // 2. the block, created affine to this host (or found so)
    Block fresh = Block.create(cidr, host, sequenceSeed(), Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
    List<Guard> blockGuards = List.of(new Guard(affKey, aff.revision()), pool.guard());
    BlockStore.BlockWrite w = store.putBlock(new Versioned<>(null, 0), fresh, blockGuards, why,
        FaultHook.Point.BLOCK_CREATED);
    Versioned<Block> block;
    if (w.ok()) {
      block = w.stored();
    } else {
      Optional<KeyValue> cur = w.outcome().now(blockKey);
      if (cur.isEmpty()) { // the pool or our affinity changed under us: take the pending claim back, then retry
        if (w.outcome().moved(blockGuards.get(1))) {
          view.invalidate();
        }
        store.deleteAffinity(aff, "ipam: node " + host + " withdraws its claim on block " + cidr + " (pool or affinity changed)");
        return Result.RETRY;
      }
      block = BlockStore.block(cur.get());
      if (!host.equals(block.value().host())) {
        store.deleteAffinity(aff, "ipam: node " + host + " lost block " + cidr + " to "
            + (block.value().host() == null ? "a non-affine block" : "node " + block.value().host()));
        return Result.TAKEN;
      }
      if (w.outcome().moved(blockGuards.get(0))) {
        return Result.RETRY;
      }
    }

    // 3. confirm
    if (aff.value().state() != Affinity.State.CONFIRMED) {
      // Lost only if another allocator of this host moved the affinity meanwhile (it confirms it then, or recovery
      // does): the block is this host's by its own affinity field either way.
      store.putAffinity(aff.revision(), aff.value().withState(Affinity.State.CONFIRMED), List.of(),
          "ipam: node " + host + " confirms block " + cidr, null);
    }
    view.remember(block);
    return Result.CLAIMED;
  }

  /** Calico seeds a new block's sequence number with the time in nanoseconds. */
  private static long sequenceSeed() {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000_000L + now.getNano();
  }

  /**
   * Reads the host's affinities and their blocks into {@code view}, finishing or undoing what crashed claims and
   * releases left (see the class comment).
   */
  void loadAffine(HostView view, Snapshot s) {
    List<Versioned<Block>> usable = new ArrayList<>();
    for (Versioned<Affinity> aff : store.affinities(view.host)) {
      Versioned<Block> b = reconcile(view, s, aff, store.block(aff.value().cidr()).orElse(null));
      if (b != null) {
        usable.add(b);
      }
    }
    view.replaceAffine(usable);
  }

  private Versioned<Block> reconcile(HostView view, Snapshot s, Versioned<Affinity> aff, Versioned<Block> block) {
    String host = view.host;
    Cidr cidr = aff.value().cidr();
    Affinity.State state = aff.value().state();
    if (block != null && host.equals(block.value().host())) {
      switch (state) {
        case CONFIRMED -> {
          return block;
        }
        case PENDING -> {
          store.putAffinity(aff.revision(), aff.value().withState(Affinity.State.CONFIRMED), List.of(),
              "ipam: node " + host + " confirms block " + cidr + " (claim interrupted after creating the block)", null);
          return block; // affine by its own field either way; a failed confirm means someone else moved on
        }
        default -> {
          store.releaseAffinity(aff, block, "ipam: finishing the release of block " + cidr + " by node " + host);
          return null;
        }
      }
    }
    if (block != null) {
      store.deleteAffinity(aff, "ipam: stale affinity of node " + host + " for block " + cidr + ", which is "
          + (block.value().host() == null ? "not affine to any node" : "affine to node " + block.value().host()));
      return null;
    }
    if (state != Affinity.State.PENDING_DELETION) {
      Optional<PoolView> pool = s.poolOf(cidr).filter(p -> !p.disabled() && p.selects(s.node().labels()));
      if (pool.isPresent() && claim(view, s, pool.get(), cidr) == Result.CLAIMED) {
        return store.block(cidr).filter(b -> host.equals(b.value().host())).orElse(null);
      }
      if (pool.isPresent()) {
        return null; // lost or raced: the claim cleaned up after itself
      }
    }
    store.deleteAffinity(aff, "ipam: removing affinity of node " + host + " for block " + cidr + " that has no block");
    return null;
  }

  /**
   * Gives up {@code host}'s claim on {@code cidr}: an empty block is deleted, a non-empty one kept without affinity
   * (unless {@code requireEmpty}). Returns false when there was nothing to release.
   */
  boolean releaseAffinity(String host, Cidr cidr, boolean requireEmpty, RetryPolicy.Budget budget) {
    while (true) {
      Optional<Versioned<Affinity>> aff = store.affinity(host, cidr);
      if (aff.isEmpty()) {
        return false;
      }
      Versioned<Block> block = store.block(cidr).orElse(null);
      if (block != null && !host.equals(block.value().host())) {
        block = null; // the affinity is stale: drop only it
      } else if (block != null && requireEmpty && !block.value().isEmpty()) {
        throw new IpamException.BlockNotEmpty("block " + cidr + " of node " + host + " still has "
            + block.value().inUseCount() + " address(es) in use; release them first");
      }
      Outcome o = store.releaseAffinity(aff.get(), block, "ipam: node " + host + " releases block " + cidr);
      if (o.ok()) {
        return true;
      }
      budget.conflict(IpamKeys.affinity(host, cidr));
    }
  }
}
