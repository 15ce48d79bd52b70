package org.calicoledger.hooks;

import java.time.Duration;
import org.calicoledger.model.GoDuration;
import org.calicoledger.model.Hook;

/**
 * How often and how patiently one event is delivered: up to {@code attempts} tries, waiting {@code backoff} after the
 * first failure and twice as long after each further one, never more than {@code maxBackoff}.
 */
record RetryPolicy(int attempts, Duration backoff, Duration maxBackoff) {
  RetryPolicy {
    if (attempts < 1) {
      throw new IllegalArgumentException("attempts must be at least 1, got " + attempts);
    }
  }

  /** The policy of a defaulted, validated hook. */
  static RetryPolicy of(Hook.Retry r) {
    return new RetryPolicy(r.attempts(), GoDuration.parse(r.backoff()), GoDuration.parse(r.maxBackoff()));
  }

  /** The wait after failed attempt {@code attempt} (1-based): backoff * 2^(attempt-1), capped at maxBackoff. */
  Duration delayAfter(int attempt) {
    int doublings = Math.min(Math.max(attempt - 1, 0), 40);
    long nanos = backoff.toNanos();
    for (int i = 0; i < doublings && nanos < maxBackoff.toNanos(); i++) {
      nanos = nanos > Long.MAX_VALUE / 2 ? Long.MAX_VALUE : nanos * 2;
    }
    return Duration.ofNanos(Math.min(nanos, maxBackoff.toNanos()));
  }
}
