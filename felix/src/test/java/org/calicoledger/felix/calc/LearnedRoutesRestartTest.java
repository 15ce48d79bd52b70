package org.calicoledger.felix.calc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Routes kept over a restart ({@link LearnedRoutes#retainStale}) until the peers' initial routes are in. */
class LearnedRoutesRestartTest {
  @Test
  void retainedRoutesStayUntilReleasedUnlessAnnouncedAgain() {
    LearnedRoutes l = new LearnedRoutes();
    AtomicInteger fired = new AtomicInteger();
    l.onChange(fired::incrementAndGet);
    l.announce("10.0.9.0/26", "10.10.1.9"); // learned before the retained ones arrive: not stale
    l.retainStale(Map.of("10.0.1.0/26", "10.10.1.1", "10.0.2.0/26", "10.10.1.2", "10.0.9.0/26", "10.10.1.7",
        "not-a-cidr", "10.10.1.3", "10.0.3.0/26", "fe80::1"));
    assertThat(l.snapshot()).containsExactlyInAnyOrderEntriesOf(Map.of("10.0.1.0/26", "10.10.1.1",
        "10.0.2.0/26", "10.10.1.2", "10.0.9.0/26", "10.10.1.9"));
    assertThat(l.staleCount()).isEqualTo(2);
    assertThat(fired).hasValue(2);

    l.announce("10.0.1.0/26", "10.10.1.5"); // the peer re-sends it (a new next hop wins)
    assertThat(l.staleCount()).isEqualTo(1);
    assertThat(l.releaseStale()).isEqualTo(1); // 10.0.2.0/26 was not re-sent
    assertThat(l.snapshot()).containsExactlyInAnyOrderEntriesOf(Map.of("10.0.1.0/26", "10.10.1.5",
        "10.0.9.0/26", "10.10.1.9"));
    long v = l.version();
    assertThat(l.releaseStale()).isZero();
    assertThat(l.version()).isEqualTo(v);
  }

  @Test
  void aWithdrawnRetainedRouteIsGoneAndNotReleasedTwice() {
    LearnedRoutes l = new LearnedRoutes();
    l.retainStale(Map.of("10.0.1.0/26", "10.10.1.1"));
    l.withdraw("10.0.1.0/26");
    assertThat(l.snapshot()).isEmpty();
    assertThat(l.staleCount()).isZero();
    assertThat(l.releaseStale()).isZero();
  }
}
