package org.calicoledger.hooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.calicoledger.model.Hook;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
  @Test
  void backoffDoublesUpToTheCap() {
    RetryPolicy p = RetryPolicy.of(new Hook.Retry(6, "1s", "5s"));
    assertThat(p.attempts()).isEqualTo(6);
    assertThat(p.delayAfter(1)).isEqualTo(Duration.ofSeconds(1));
    assertThat(p.delayAfter(2)).isEqualTo(Duration.ofSeconds(2));
    assertThat(p.delayAfter(3)).isEqualTo(Duration.ofSeconds(4));
    assertThat(p.delayAfter(4)).isEqualTo(Duration.ofSeconds(5));
    assertThat(p.delayAfter(1000)).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void theDefaultsAreFiveAttemptsFromOneSecondToAMinute() {
    Hook h = new Hook(null, new Hook.Spec(null, new Hook.Exec("/bin/true", null, null), null, null, null)).withDefaults();
    RetryPolicy p = RetryPolicy.of(h.spec().retry());
    assertThat(p).isEqualTo(new RetryPolicy(5, Duration.ofSeconds(1), Duration.ofMinutes(1)));
    assertThatThrownBy(() -> new RetryPolicy(0, Duration.ofSeconds(1), Duration.ofSeconds(1)))
        .hasMessageContaining("attempts must be at least 1");
  }

  @Property
  void delaysNeverShrinkAndNeverPassTheCap(@ForAll @IntRange(min = 1, max = 200) int attempt,
      @ForAll @IntRange(min = 1, max = 10_000) int backoffMs, @ForAll @IntRange(min = 0, max = 100_000) int extraMs) {
    RetryPolicy p = new RetryPolicy(3, Duration.ofMillis(backoffMs), Duration.ofMillis(backoffMs + extraMs));
    assertThat(p.delayAfter(attempt + 1)).isGreaterThanOrEqualTo(p.delayAfter(attempt));
    assertThat(p.delayAfter(attempt)).isLessThanOrEqualTo(p.maxBackoff()).isGreaterThanOrEqualTo(p.backoff());
  }
}
