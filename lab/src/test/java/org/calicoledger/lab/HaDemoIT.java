package org.calicoledger.lab;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * {@code bin/demo --ha}'s step 7 on a cluster whose infra is {@link HaInfra} (3 etcd members, 3 Kafka nodes, 2
 * journals): while a pod pings across nodes, etcd member 1, Kafka node 2 and the leading journal are SIGKILLed, a
 * change is written after each, and every change is in {@code calicoctl history} once afterwards.
 */
class HaDemoIT {
  @Test
  void failoverKeepsPingsAndHistory() throws Exception {
    String prefix = Cluster.testPrefix();
    try (Cluster c = Cluster.start(Cluster.Options.of(prefix).withNodes(2).withInfra(HaInfra::start))) {
      assertThat(c.infra()).isInstanceOf(HaInfra.class);
      Walk w = new Walk(c, "ha-demo-it", System.out::println);
      Scenario.addPods(w, 1);
      StepResult r = Scenario.run(w, Scenario.HA_STEP);
      assertThat(r.checks()).filteredOn(ch -> !ch.passed()).as("failed checks").isEmpty();
      assertThat(r.checks()).filteredOn(ch -> ch.check().startsWith("write demo-ha-")).hasSize(4);
      assertThat(r.check("calicoctl history holds every change").evidence()).startsWith("4 of 4 found");
      assertThat(r.passed()).isTrue();
    }
    assertThat(Host.namespaces()).noneMatch(n -> n.startsWith(prefix));
  }
}
