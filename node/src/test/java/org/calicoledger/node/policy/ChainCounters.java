package org.calicoledger.node.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.calicoledger.node.testing.FelixLab;
import org.calicoledger.node.testing.NodeLab;

/** Per-rule packet counters of an iptables chain in a node's namespace, as a user reads them. */
final class ChainCounters {
  private ChainCounters() {}

  /** Three new TCP connections {@code from -> to} (allowed) add at least 3 packets to one rule of {@code chain}. */
  static void assertCounts(PolicyPods pods, FelixLab.Node node, String chain, String from, String to) {
    List<Long> before = packets(node, chain);
    for (int i = 0; i < 3; i++) {
      assertThat(pods.reaches(from, to, PolicyPods.Proto.TCP, 8080)).as(from + " -> " + to).isTrue();
    }
    List<Long> after = packets(node, chain);
    assertThat(IntStream.range(0, after.size())
        .anyMatch(i -> after.get(i) >= (i < before.size() ? before.get(i) : 0) + 3))
        .as("a rule of %s on %s counted 3 new connections: packets per rule %s before, %s after%n%s", chain,
            node.name, before, after, node.exec("iptables", "-t", "filter", "-L", chain, "-v", "-x", "-n").out())
        .isTrue();
  }

  /** The packet count of each of {@code chain}'s rules on {@code node} ({@code iptables -L -v -x -n}), in order. */
  static List<Long> packets(FelixLab.Node node, String chain) {
    NodeLab.Run r = node.exec("iptables", "-t", "filter", "-L", chain, "-v", "-x", "-n");
    assertThat(r.code()).as("chain %s on %s: %s%n%s", chain, node.name, r.err(),
        node.exec("iptables-save", "-t", "filter").out()).isZero();
    List<Long> counts = new ArrayList<>();
    for (String line : r.out().lines().skip(2).toList()) {
      String[] f = line.trim().split("\\s+");
      if (f.length > 2 && f[0].matches("\\d+")) {
        counts.add(Long.parseLong(f[0]));
      }
    }
    assertThat(counts).as("%s on %s has rules:%n%s", chain, node.name, r.out()).isNotEmpty();
    return counts;
  }
}
