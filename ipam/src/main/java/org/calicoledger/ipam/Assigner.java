package org.calicoledger.ipam;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.calicoledger.ipam.BlockStore.Guard;
import org.calicoledger.ipam.BlockStore.Outcome;
import org.calicoledger.model.net.Cidr;
import org.calicoledger.store.KeyValue;

/**
 * Assignment: where an address comes from, in Calico's order.
 * <ol>
 *   <li>A block affine to the host with a free address (from the {@link HostView}; no read when warm; the view
 *       re-reads all of the host's affinities and blocks on first use and when older than 30 s, finishing crashed
 *       claims, see {@link Claimer}).</li>
 *   <li>Claim a new block, when {@code auto_allocate_blocks} is on and the host has fewer than
 *       {@code maxBlocksPerHost} blocks of this IP version. The claim walk also finds a block another allocator on
 *       the same host claimed meanwhile: it is the first free one in the host's order, and its claim resumes
 *       there.</li>
 *   <li>Re-read every affine block (others may have freed addresses in blocks thought full), then borrow from
 *       another host's block, when {@code strict_affinity} is off.</li>
 * </ol>
 * Each address costs one block write (compare-and-swap on the block, its pool and the node) and one handle write.
 * A lost compare-and-swap is retried on the values it returned, within the call's {@link RetryPolicy.Budget}.
 */
final class Assigner {
  private final BlockStore store;
  private final Claimer claimer;

  Assigner(BlockStore store, Claimer claimer) {
    this.store = store;
    this.claimer = claimer;
  }

  /** What one block write achieved. */
  private enum Step { DONE, LOST, STALE }

  /**
   * Assigns {@code req.count(version)} addresses, adding each to {@code got} as soon as its block write lands (so the
   * caller can release them if a later step fails).
   */
  void assign(HostView view, AssignRequest req, int version, Handles.Counter counter, RetryPolicy.Budget budget,
      List<Assignment.Address> got) {
    Map<String, String> attrs = attributes(req);
    boolean refreshed = false; // every affine block and the snapshot re-read in this call
    if (view.affineStale()) {
      claimer.loadAffine(view, view.snapshot(store));
      refreshed = true;
    }
    while (true) {
      int remaining = req.count(version) - (int) got.stream().filter(a -> a.block().version() == version).count();
      if (remaining <= 0) {
        return;
      }
      Snapshot s = view.snapshot(store);
      List<PoolView> pools = s.eligible(version, req.pools(version), req.use());
      Versioned<Block> vb = view.withSpace(pools);
      if (vb != null) {
        PoolView pool = poolOf(pools, vb.value().cidr());
        Step st = write(view, vb, remaining, req, attrs, List.of(pool.guard(), s.node().guard()), counter, budget, got);
        if (st != Step.DONE && budget.conflict(IpamKeys.block(vb.value().cidr()))) {
          Cidr c = vb.value().cidr(); // paused: the value the lost write returned is old news by now
          store.block(c).ifPresentOrElse(view::remember, () -> view.forget(c));
        }
        continue;
      }
      IpamConfig cfg = s.config().value();
      boolean atLimit = view.count(version) >= cfg.blockLimit();
      if (cfg.autoAllocateBlocks() && !atLimit) {
        Claimer.Result claimed = claimer.claimNew(view, s, pools, version);
        if (claimed == Claimer.Result.CLAIMED) {
          continue;
        }
        if (claimed == Claimer.Result.RETRY) {
          budget.conflict("a block claim for node " + view.host);
          continue;
        }
      }
      if (!refreshed) { // before borrowing or giving up: addresses freed by others in blocks thought full
        claimer.loadAffine(view, view.reloadSnapshot(store));
        refreshed = true;
        continue;
      }
      if (!cfg.strictAffinity()) {
        Step st = borrow(view, s, pools, version, remaining, req, attrs, counter, budget, got);
        if (st == Step.DONE) {
          continue;
        }
        if (st == Step.STALE) {
          budget.conflict("the pools, node or IPAM configuration");
          continue;
        }
      }
      throw exhausted(view, pools, version, cfg, atLimit);
    }
  }

  /** One block write for up to {@code want} addresses, then the handle write for them. */
  private Step write(HostView view, Versioned<Block> vb, int want, AssignRequest req, Map<String, String> attrs,
      List<Guard> guards, Handles.Counter counter, RetryPolicy.Budget budget, List<Assignment.Address> got) {
    Cidr cidr = vb.value().cidr();
    Block.Assigned a = vb.value().autoAssign(want, req.handle(), attrs);
    if (a.ordinals().isEmpty()) {
      view.forget(cidr); // its free list was damaged; the next reload reads it again
      return Step.LOST;
    }
    String why = "ipam: assign " + a.ordinals().size() + " address(es) in block " + cidr + " to handle " + req.handle()
        + " on node " + req.host();
    BlockStore.BlockWrite w = store.putBlock(vb, a.block(), guards, why, FaultHook.Point.BLOCK_WRITTEN);
    if (!w.ok()) {
      return absorb(view, w.outcome(), cidr, guards);
    }
    view.remember(w.stored());
    for (int o : a.ordinals()) {
      got.add(new Assignment.Address(a.block().addressOf(o), cidr, a.block().sequenceOf(o)));
    }
    counter.add(cidr, a.ordinals().size(), why, budget);
    return Step.DONE;
  }

  /** Takes in the values a lost write returned: the block as it is now, and whether a guard (pool, node...) moved. */
  private static Step absorb(HostView view, Outcome o, Cidr cidr, List<Guard> guards) {
    Optional<KeyValue> now = o.now(IpamKeys.block(cidr));
    if (now.isEmpty()) {
      view.forget(cidr);
    } else {
      view.remember(BlockStore.block(now.get()));
    }
    if (guards.stream().anyMatch(o::moved)) {
      view.invalidate();
      return Step.STALE;
    }
    return Step.LOST;
  }

  /** Borrows from blocks of other hosts (or of none) in the eligible pools, in random order to spread writers. */
  private Step borrow(HostView view, Snapshot s, List<PoolView> pools, int version, int want, AssignRequest req,
      Map<String, String> attrs, Handles.Counter counter, RetryPolicy.Budget budget, List<Assignment.Address> got) {
    List<Versioned<Block>> candidates = new ArrayList<>();
    for (Versioned<Block> b : store.blocks(version)) {
      if (!view.host.equals(b.value().host()) && b.value().freeCount() > 0
          && pools.stream().anyMatch(p -> p.contains(b.value().cidr()))) {
        candidates.add(b);
      }
    }
    Collections.shuffle(candidates);
    for (Versioned<Block> c : candidates) {
      Versioned<Block> cur = c;
      while (cur != null && cur.value().freeCount() > 0 && !view.host.equals(cur.value().host())) {
        PoolView pool = poolOf(pools, cur.value().cidr());
        List<Guard> guards = List.of(pool.guard(), s.node().guard(), s.configGuard());
        Cidr cidr = cur.value().cidr();
        Block.Assigned a = cur.value().autoAssign(want, req.handle(), attrs);
        if (a.ordinals().isEmpty()) {
          break;
        }
        String why = "ipam: node " + req.host() + " borrows " + a.ordinals().size() + " address(es) from block " + cidr
            + (cur.value().host() == null ? "" : " of node " + cur.value().host()) + " for handle " + req.handle();
        BlockStore.BlockWrite w = store.putBlock(cur, a.block(), guards, why, FaultHook.Point.BLOCK_WRITTEN);
        if (w.ok()) {
          for (int o : a.ordinals()) {
            got.add(new Assignment.Address(a.block().addressOf(o), cidr, a.block().sequenceOf(o)));
          }
          counter.add(cidr, a.ordinals().size(), why, budget);
          return Step.DONE;
        }
        if (guards.stream().anyMatch(w.outcome()::moved)) {
          view.invalidate();
          return Step.STALE;
        }
        cur = w.outcome().now(IpamKeys.block(cidr)).map(BlockStore::block).orElse(null);
        budget.conflict(IpamKeys.block(cidr));
      }
    }
    return Step.LOST;
  }

  /** Assigns one given address (Calico's {@code AssignIP}); the block is claimed for the host if nobody has it. */
  Assignment.Address assignIp(HostView view, InetAddress ip, String handle, Map<String, String> attributes,
      Handles.Counter counter, RetryPolicy.Budget budget) {
    String text = Cidr.format(ip);
    while (true) {
      Snapshot s = view.reloadSnapshot(store);
      PoolView pool = s.poolOf(ip).orElseThrow(() -> new IpamException.NotInPool("IP " + text
          + " is not in any IP pool; pools: " + Snapshot.describe(s.pools())));
      if (pool.disabled()) {
        throw new IpamException.NotInPool("IP " + text + " is in " + pool.describe() + ", which is disabled");
      }
      Cidr cidr = pool.blockOf(ip);
      Optional<Versioned<Block>> vb = store.block(cidr);
      if (vb.isEmpty()) {
        if (claimer.claim(view, s, pool, cidr) == Claimer.Result.RETRY) {
          budget.conflict(IpamKeys.block(cidr));
        }
        continue; // claimed, or taken by another host: read the block again
      }
      Block b = vb.get().value();
      if (s.config().value().strictAffinity() && b.host() != null && !view.host.equals(b.host())) {
        throw new IpamException.AlreadyAssigned("IP " + text + " is in block " + cidr + ", which is affine to node "
            + b.host() + "; strict affinity forbids assigning it on node " + view.host);
      }
      Block next = b.assign(b.ordinalOf(ip), handle, withNode(attributes, view.host));
      String why = "ipam: assign " + text + " to handle " + handle + " on node " + view.host;
      List<Guard> guards = List.of(pool.guard(), s.configGuard());
      BlockStore.BlockWrite w = store.putBlock(vb.get(), next, guards, why, FaultHook.Point.BLOCK_WRITTEN);
      if (w.ok()) {
        view.remember(w.stored());
        counter.add(cidr, 1, why, budget);
        return new Assignment.Address(ip, cidr, b.sequenceNumber());
      }
      absorb(view, w.outcome(), cidr, guards);
      budget.conflict(IpamKeys.block(cidr));
    }
  }

  private static PoolView poolOf(List<PoolView> pools, Cidr block) {
    return pools.stream().filter(p -> p.contains(block)).findFirst()
        .orElseThrow(() -> new IllegalStateException("block " + block + " is in none of " + Snapshot.describe(pools)));
  }

  private static Map<String, String> attributes(AssignRequest req) {
    return withNode(req.attributes(), req.host());
  }

  /** Calico's plugins record the node on every allocation; {@code ipam show --show-borrowed} and check rely on it. */
  static Map<String, String> withNode(Map<String, String> attrs, String host) {
    if (attrs.containsKey("node")) {
      return attrs;
    }
    Map<String, String> m = new HashMap<>(attrs);
    m.put("node", host);
    return m;
  }

  private static IpamException exhausted(HostView view, List<PoolView> pools, int version, IpamConfig cfg,
      boolean atLimit) {
    String where = pools.stream().map(PoolView::describe).collect(Collectors.joining(", "));
    StringBuilder why = new StringBuilder("no free IPv" + version + " address for node " + view.host + " in " + where
        + ": its " + view.count(version) + " affine block(s) are full");
    if (!cfg.autoAllocateBlocks()) {
      why.append("; automatic block allocation is off (auto_allocate_blocks)");
    } else if (atLimit) {
      why.append("; it has reached maxBlocksPerHost (").append(cfg.blockLimit()).append(")");
    } else {
      why.append("; every block of the pool(s) is claimed by some node");
    }
    why.append(cfg.strictAffinity() ? "; strict affinity is on, so other nodes' blocks are not borrowed"
        : "; no other node's block has a free address either");
    why.append(". Add a pool, release unused addresses (calicoctl ipam check), or raise maxBlocksPerHost");
    return new IpamException.PoolExhausted(why.toString());
  }
}
