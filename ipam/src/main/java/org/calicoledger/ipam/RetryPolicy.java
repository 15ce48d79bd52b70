package org.calicoledger.ipam;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * How long an IPAM call keeps going when other writers win its compare-and-swaps: at most {@code maxConflicts}
 * lost writes per call (Calico's {@code datastoreRetries} is 100), with a short random pause after the first few so
 * that writers contending for one block spread out. A lost write changed nothing, so giving up is always safe.
 */
public record RetryPolicy(int maxConflicts, Duration maxPause) {
  public static final RetryPolicy DEFAULT = new RetryPolicy(100, Duration.ofMillis(20));

  public RetryPolicy {
    if (maxConflicts < 1) {
      throw new IllegalArgumentException("maxConflicts must be at least 1, got " + maxConflicts);
    }
  }

  Budget start(Supplier<String> what) {
    return new Budget(what);
  }

  /** The conflicts of one call. Not thread-safe: one per call. */
  final class Budget {
    private final Supplier<String> what;
    private int conflicts;
    private String last = "";

    Budget(Supplier<String> what) {
      this.what = what;
    }

    /**
     * Counts a lost write on {@code key}; throws when the budget is spent, else maybe pauses. Returns whether it
     * paused: what the lost write returned is then likely stale, and the caller should read again before retrying, or
     * it keeps losing to writers that did not pause.
     */
    boolean conflict(String key) {
      conflicts++;
      last = key;
      if (conflicts >= maxConflicts) {
        throw new IpamException.TooManyConflicts("gave up " + what.get() + " after " + conflicts
            + " conflicting writes (last on " + last + "): other writers keep changing the same IPAM data; nothing was"
            + " changed by this call, so it is safe to retry");
      }
      if (conflicts > 2) {
        long cap = Math.min(maxPause.toNanos(), 250_000L << Math.min(conflicts - 3, 8));
        LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(Math.max(1, cap)));
        return true;
      }
      return false;
    }

    int conflicts() {
      return conflicts;
    }
  }
}
