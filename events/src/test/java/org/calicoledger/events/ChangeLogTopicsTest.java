package org.calicoledger.events;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;

class ChangeLogTopicsTest {
  @Test
  void replicationGrowsWithTheClusterUpToThreeWithTwoInSync() {
    assertThat(ChangeLog.replicationFactor(1)).isEqualTo(1);
    assertThat(ChangeLog.minInsyncReplicas(1)).isEqualTo(1);
    assertThat(ChangeLog.replicationFactor(2)).isEqualTo(2);
    assertThat(ChangeLog.minInsyncReplicas(2)).isEqualTo(1);
    assertThat(ChangeLog.replicationFactor(3)).isEqualTo(3);
    assertThat(ChangeLog.minInsyncReplicas(3)).isEqualTo(2);
    assertThat(ChangeLog.replicationFactor(5)).isEqualTo(3);
    assertThat(ChangeLog.minInsyncReplicas(5)).isEqualTo(2);
  }

  @Test
  void topicsOnThreeBrokersHaveThreeReplicasAndTwoInSync() {
    for (NewTopic t : ChangeLog.topics(3)) {
      assertThat(t.replicationFactor()).as(t.name()).isEqualTo((short) 3);
      assertThat(t.numPartitions()).as(t.name()).isEqualTo(1);
      assertThat(t.configs()).as(t.name()).containsEntry("min.insync.replicas", "2");
    }
    for (NewTopic t : ChangeLog.topics(1)) {
      assertThat(t.replicationFactor()).as(t.name()).isEqualTo((short) 1);
      assertThat(t.configs()).as(t.name()).containsEntry("min.insync.replicas", "1");
    }
  }
}
