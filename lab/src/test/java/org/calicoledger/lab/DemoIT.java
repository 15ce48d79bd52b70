package org.calicoledger.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The whole walk-through of bin/demo (the same {@link Scenario} steps) on a 3-node cluster with the built-in BGP
 * speaker, one test per step, in order; each asserts every check of its step passed (the failure names the check and
 * its evidence) and the checks a step must make.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DemoIT {
  private Cluster cluster;
  private Walk walk;
  private String prefix;

  @BeforeAll
  void up() throws Exception {
    prefix = Cluster.testPrefix();
    cluster = Cluster.start(Cluster.Options.of(prefix));
    walk = new Walk(cluster, "demo-it", System.out::println);
    Scenario.addPods(walk, 2);
  }

  @AfterAll
  void down() {
    if (cluster != null) {
      cluster.close();
    }
    assertThat(Host.namespaces()).noneMatch(n -> n.startsWith(prefix));
  }

  private StepResult step(int n) {
    StepResult r = Scenario.run(walk, Scenario.STEPS.get(n - 1));
    assertThat(r.checks()).filteredOn(c -> !c.passed()).as("failed checks of step " + n).isEmpty();
    assertThat(r.passed()).isTrue();
    return r;
  }

  @Test
  @Order(1)
  void sameNode() {
    StepResult r = step(1);
    assertThat(r.check("node-1/pod-1 -> node-1/pod-2 ping").passed()).isTrue();
    assertThat(r.check("node-1 routes pod-1 as /32 dev cali").evidence()).contains(" dev cali");
    assertThat(r.check("proxy ARP on cali").evidence()).endsWith("= 1");
    assertThat(r.check("pod-1's ARP table has 169.254.1.1").evidence()).contains("169.254.1.1");
  }

  @Test
  @Order(2)
  void crossNode() {
    StepResult r = step(2);
    assertThat(r.checks()).filteredOn(c -> c.check().endsWith("/pod-1 ping")).hasSize(3);
    assertThat(r.checks()).filteredOn(c -> c.check().contains("node status")).hasSize(3)
        .allSatisfy(c -> assertThat(c.evidence()).contains("Established"));
  }

  @Test
  @Order(3)
  void natOutgoing() {
    StepResult r = step(3);
    assertThat(r.check("MASQUERADE counter").passed()).isTrue();
    assertThat(r.check("the same ping fails").passed()).isTrue();
    assertThat(r.check("the ping is answered again").passed()).isTrue();
  }

  @Test
  @Order(4)
  void modes() {
    StepResult r = step(4);
    assertThat(r.check("Never: node-1/pod-1 -> node-3/pod-1 fails").passed()).isTrue();
    assertThat(r.check("CrossSubnet: node-1 routes node-2's pods via 10.10.1.2 dev eth0").passed()).isTrue();
    assertThat(r.check("CrossSubnet: node-1/pod-1 -> node-3/pod-1 ping").passed()).isTrue();
  }

  @Test
  @Order(5)
  void wireguard() {
    StepResult r = step(5);
    assertThat(r.check("UDP 51820 counter").evidence()).doesNotContain("+0 ");
    assertThat(r.check("no plain ICMP").evidence()).startsWith("+0 ");
  }

  @Test
  @Order(6)
  void history() {
    StepResult r = step(6);
    List<Walk.Change> changes = walk.changes();
    assertThat(changes).hasSizeGreaterThanOrEqualTo(7);
    assertThat(r.check("every change the demo made").evidence()).startsWith(changes.size() + " of " + changes.size());
  }

  @Test
  @Order(7)
  void networkPolicy() {
    StepResult r = step(7);
    assertThat(r.check("node-2/pod-1 (role=other) -> db is denied once a policy selects db").evidence())
        .isEqualTo("3 pings, no answer");
    assertThat(r.check("relabelled role=web, node-2/pod-1 reaches db").evidence()).startsWith("answered ");
  }
}
