package org.calicoledger.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.calicoledger.store.testing.EtcdProcess;
import org.junit.jupiter.api.Test;

/** Elections on a real etcd: one leader at a time; revoking its lease hands leadership on. */
class LeadershipIT {
  @Test
  void oneLeaderAtATimeAndLeaseRevocationMovesIt() throws Exception {
    try (EtcdProcess etcd = EtcdProcess.start();
        EtcdStore s1 = EtcdStore.connect(etcd.config());
        EtcdStore s2 = EtcdStore.connect(etcd.config());
        Leadership a = s1.campaign("/calico/test/election", "a", Duration.ofSeconds(5))) {
      assertThat(a.awaitLeadership(Duration.ofSeconds(5))).isTrue();
      try (Leadership b = s2.campaign("/calico/test/election", "b", Duration.ofSeconds(5))) {
        // longer than the store timeout, so a client-side deadline on the campaign call would show up here
        assertThat(b.awaitLeadership(Duration.ofSeconds(13))).as("b must wait while a leads").isFalse();
        assertThat(a.isLeader()).isTrue();
        s1.revokeLease(a.leaseId());
        a.lost().get(5, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(a.isLeader()).isFalse();
        assertThat(b.awaitLeadership(Duration.ofSeconds(10))).isTrue();
      }
    }
  }
}
