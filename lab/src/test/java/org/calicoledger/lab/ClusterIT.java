package org.calicoledger.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The topology alone: a 3-node cluster comes up (fabric, infra, inet, nodes in two subnets), pods get addresses
 * through bin/calico and reach each other across nodes, and close() leaves no namespace, process or directory.
 */
class ClusterIT {
  @Test
  void upPodsPingAndNothingLeftAfterClose() throws Exception {
    String prefix = Cluster.testPrefix();
    List<Long> pids;
    java.nio.file.Path dir;
    try (Cluster c = Cluster.start(Cluster.Options.of(prefix))) {
      dir = c.dir;
      assertThat(c.namespaces()).contains(prefix + "fabric", prefix + "infra", prefix + "inet", prefix + "node-1",
          prefix + "node-2", prefix + "node-3");
      assertThat(c.node(1).subnet).isEqualTo('A');
      assertThat(c.node(3).subnet).isEqualTo('B');
      assertThat(c.node(3).ip).isEqualTo("10.10.2.3");
      String a = c.node(1).addPod("pod-1");
      String b = c.node(3).addPod("pod-1");
      assertThat(a).isNotEqualTo(b);
      assertThat(c.node(1).pingWithin("pod-1", b, java.time.Duration.ofSeconds(30))).as("node-1 pod -> node-3 pod")
          .isTrue();
      assertThat(c.calicoctl(null, "get", "nodes").orThrow().out()).contains("node-1", "node-2", "node-3");
      pids = c.pids();
      assertThat(pids).hasSizeGreaterThanOrEqualTo(5);
    }
    assertThat(Host.namespaces()).noneMatch(n -> n.startsWith(prefix));
    assertThat(pids).noneMatch(Host::running);
    assertThat(dir).doesNotExist();
  }
}
