package org.calicoledger.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * {@code bin/demo --ha}'s step as a test: a 2-node {@link Cluster} (prefix {@code ha-<pid>-c-}) on the {@link HaInfra}
 * (3 etcd members, 3 Kafka nodes, 2 journals), {@code pod-1} on each node, then {@link HaStep}: while a pod pings
 * across nodes, an etcd member, a broker and the leading journal are SIGKILLed and pods are added; the new pods
 * reach the other node, a pool change after the failures reaches every node's iptables, the ping lost nothing, and
 * {@code calicoctl history} holds every resource and IPAM key in etcd at its revision, once, in order. Every check
 * must pass; the narration is printed, the processes' logs kept in {@code lab/target/ha-cluster-logs/}.
 */
class HaClusterIT {
  @Test
  void podsKeepPingingAndTheHistoryMissesNothingWhileEtcdKafkaAndTheJournalFail() throws Exception {
    String prefix = "ha-" + ProcessHandle.current().pid() + "-c-";
    Cluster.removeAll(prefix); // a leftover of a crashed run with this JVM's pid
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    StepResult result;
    try (Cluster c = Cluster.start(Cluster.Options.of(prefix).withNodes(2).withInfra(HaInfra::start))) {
      try {
        Walk walk = new Walk(c, "HaClusterIT", out::println);
        Scenario.addPods(walk, 1);
        result = Scenario.run(walk, new HaStep());
      } finally {
        keepLogs(c);
      }
    }
    assertThat(result.checks()).as("HA step checks").hasSizeGreaterThanOrEqualTo(9).allMatch(Check::passed);
    assertThat(result.check("the continuous ping lost nothing").passed()).isTrue();
    assertThat(result.check("calicoctl history holds every").passed()).isTrue();
    assertThat(Host.namespaces()).noneMatch(n -> n.startsWith(prefix));
  }

  /** The infra's and nodes' logs into {@code lab/target/ha-cluster-logs/}, before the cluster's directory goes. */
  private static void keepLogs(Cluster c) {
    try {
      Path logs = Path.of("target/ha-cluster-logs");
      Files.createDirectories(logs);
      if (c.infra() instanceof HaInfra infra) {
        for (Host.Proc p : infra.processes()) {
          Files.writeString(logs.resolve(p.name + ".log"), p.logText());
        }
      }
      Files.writeString(logs.resolve("ha-ping.log"), Host.read(c.dir.resolve("ha-ping.log")));
      for (Node n : c.nodes()) {
        Files.writeString(logs.resolve(n.name + ".log"), Host.read(n.log()));
      }
    } catch (java.io.IOException | RuntimeException e) {
      System.out.println("HaClusterIT: could not keep the logs: " + e);
    }
  }
}
