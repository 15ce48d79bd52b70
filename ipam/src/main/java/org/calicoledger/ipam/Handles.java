package org.calicoledger.ipam;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.calicoledger.ipam.BlockStore.Outcome;
import org.calicoledger.model.net.Cidr;
import org.calicoledger.store.KeyValue;

/**
 * Keeps a handle's per-block counts in step with the blocks, by compare-and-swap. Calico writes the handle after the
 * block (so a crash in between leaves the block's allocation without its handle count, which {@code ipam check}
 * reports); these methods are that second write.
 */
final class Handles {
  private final BlockStore store;

  Handles(BlockStore store) {
    this.store = store;
  }

  /**
   * One handle's counter during one call. It starts by assuming the handle is new (the usual case: a container's
   * handle), so the first increment is a single create; when the handle exists, the failed create returns it.
   */
  final class Counter {
    private final String id;
    private Versioned<Handle> known;
    private final Map<Cidr, Integer> added = new LinkedHashMap<>();

    Counter(String id) {
      this.id = id;
      this.known = new Versioned<>(Handle.empty(id), 0);
    }

    void add(Cidr block, int n, String reason, RetryPolicy.Budget budget) {
      String key = IpamKeys.handle(id);
      while (true) {
        Handle next = known.value().increment(block, n);
        Outcome o = store.putHandle(known.revision(), next, reason);
        if (o.ok()) {
          known = new Versioned<>(next, o.revision());
          added.merge(block, n, Integer::sum);
          return;
        }
        known = current(o, key);
        budget.conflict(key);
      }
    }

    /** Takes back what this counter added (after the addresses were released again). */
    void undo(String reason, RetryPolicy.Budget budget) {
      added.forEach((block, n) -> subtract(id, block, n, reason, budget));
      added.clear();
    }
  }

  Counter counter(String id) {
    return new Counter(id);
  }

  /** {@code n} fewer addresses of {@code id} in {@code block}; the handle goes when it counts none. Missing: no-op. */
  void subtract(String id, Cidr block, int n, String reason, RetryPolicy.Budget budget) {
    String key = IpamKeys.handle(id);
    Optional<Versioned<Handle>> cur = store.handle(id);
    while (cur.isPresent()) {
      Handle next = cur.get().value().decrement(block, n);
      Outcome o = next.isEmpty() ? store.deleteHandle(cur.get().revision(), id, reason)
          : store.putHandle(cur.get().revision(), next, reason);
      if (o.ok()) {
        return;
      }
      Versioned<Handle> now = current(o, key);
      cur = now.revision() == 0 ? Optional.empty() : Optional.of(now);
      budget.conflict(key);
    }
  }

  private static Versioned<Handle> current(Outcome o, String key) {
    String id = key.substring(IpamKeys.HANDLES.length());
    KeyValue kv = o.now(key).orElse(null);
    return kv == null ? new Versioned<>(Handle.empty(id), 0) : new Versioned<>(Handle.parse(kv.value(), id), kv.modRevision());
  }
}
