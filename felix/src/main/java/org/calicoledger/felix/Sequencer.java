package org.calicoledger.felix;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * One pass over the parts in dependency order. Removals first, walking the parts backwards (a later part's routes go
 * before an earlier part's device), then every part's {@link FelixPart#apply} forwards (devices exist before the
 * routes that use them). A part that throws is recorded and the pass goes on with the others: one broken table does
 * not stop the rest, and the next pass retries it.
 */
final class Sequencer {
  /** What a pass did. */
  record Outcome(boolean changed, Map<String, Exception> errors, boolean pending) {}

  private Sequencer() {}

  static Outcome pass(List<FelixPart> parts, Predicate<FelixPart> full) {
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
    for (FelixPart p : parts) {
      try {
        changed |= p.apply(full.test(p));
      } catch (Exception e) {
        errors.merge(p.name(), e, (a, b) -> {
          a.addSuppressed(b);
          return a;
        });
      }
      pending |= p instanceof SequencedPart s && s.pending();
    }
    return new Outcome(changed, errors, pending);
  }
}
