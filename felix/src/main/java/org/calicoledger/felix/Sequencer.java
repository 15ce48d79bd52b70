package org.calicoledger.felix;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Predicate;

/**
 * One pass over the parts in dependency order. Removals first, walking the parts backwards (a later part's routes go
 * before an earlier part's device), then every part's {@link FelixPart#apply} forwards (devices exist before the
 * routes that use them). A part that throws is recorded and the pass goes on with the others: one broken table does
 * not stop the rest, and the next pass retries it.
 *
 * <p>A part that says {@link FelixPart#mayOverlapNext} applies on a helper thread while the next part applies on
 * this one (an endpoint's ipset member and its iptables chains: two tool processes at once instead of one after the
 * other); the pass waits for both before it goes on, so the order of everything else is kept.
 */
public final class Sequencer {
  /** What a pass did. */
  public record Outcome(boolean changed, Map<String, Exception> errors, boolean pending) {}

  private static final ExecutorService OVERLAP = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "felix-overlap");
    t.setDaemon(true);
    return t;
  });

  private Sequencer() {}

  /** One pass over {@code parts} (in {@link FelixParts} order); {@code full} says which parts read the kernel back. */
  public static Outcome pass(List<FelixPart> parts, Predicate<FelixPart> full) {
    Map<String, Exception> errors = new LinkedHashMap<>();
    boolean changed = false;
    for (int i = parts.size() - 1; i >= 0; i--) {
      if (parts.get(i) instanceof SequencedPart s) {
        try {
          changed |= s.applyRemovals(full.test(s));
        } catch (Exception e) {
          errors.put(s.name(), e);
        }
      }
    }
    boolean pending = false;
    CompletableFuture<Boolean> overlapping = null;
    FelixPart overlapped = null;
    for (int i = 0; i < parts.size(); i++) {
      FelixPart p = parts.get(i);
      boolean f = full.test(p);
      if (overlapping == null && i + 1 < parts.size() && p.mayOverlapNext(f)) {
        overlapped = p;
        overlapping = CompletableFuture.supplyAsync(() -> {
          try {
            return p.apply(f);
          } catch (Exception e) {
            throw new CompletionException(e);
          }
        }, OVERLAP);
        continue; // its pending() is read once it is done
      }
      try {
        changed |= p.apply(f);
      } catch (Exception e) {
        failed(errors, p, e);
      }
      if (overlapping != null) {
        try {
          changed |= overlapping.join();
        } catch (CompletionException e) {
          failed(errors, overlapped, e.getCause() instanceof Exception x ? x : e);
        }
        pending |= overlapped instanceof SequencedPart s && s.pending();
        overlapping = null;
      }
      pending |= p instanceof SequencedPart s && s.pending();
    }
    return new Outcome(changed, errors, pending);
  }

  private static void failed(Map<String, Exception> errors, FelixPart p, Exception e) {
    errors.merge(p.name(), e, (a, b) -> {
      a.addSuppressed(b);
      return a;
    });
  }
}
