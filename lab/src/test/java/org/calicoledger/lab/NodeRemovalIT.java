package org.calicoledger.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Removing a node: node-3's calico-node is stopped, then {@code calicoctl delete node node-3}. Its block routes leave
 * every other node's kernel (and its VXLAN neighbour), its BGP sessions leave every peer, {@code calicoctl ipam check}
 * is clean with its blocks released ({@code ipam show} no longer lists them), and the remaining nodes still reach each
 * other.
 *
 * <p>The pool is VXLAN CrossSubnet: node-1 and node-2 (subnet A) route each other's blocks directly from BGP, node-3
 * (subnet B) is reached through VXLAN. The stop is a graceful restart (peers keep node-3's routes as stale), so the
 * routes go because of the delete, not the stop.
 */
class NodeRemovalIT {
  @Test
  void deleteNodeWithdrawsItsRoutesAndReleasesItsBlocks() throws Exception {
    try (Cluster c = Cluster.start(Cluster.Options.of(Cluster.testPrefix())
        .withNodeEnv(Map.of("CALICO_IPV4POOL_IPIP", "Never", "CALICO_IPV4POOL_VXLAN", "CrossSubnet")))) {
      Node n1 = c.node(1);
      Node n2 = c.node(2);
      Node n3 = c.node(3);
      String a = n1.addPod("a");
      String b = n2.addPod("b");
      String c1 = n3.addPod("c1");
      String c2 = n3.addPod("c2");
      assertThat(n1.pingWithin("a", c1, Duration.ofSeconds(60))).as("node-1 pod -> node-3 pod").isTrue();
      assertThat(n2.pingWithin("b", c2, Duration.ofSeconds(60))).as("node-2 pod -> node-3 pod").isTrue();
      assertThat(n1.pingWithin("a", b, Duration.ofSeconds(60))).as("node-1 pod -> node-2 pod").isTrue();

      String route1 = KernelRoutes.blockRouteTo(n1.ns, c1).orElseThrow();
      String block3 = KernelRoutes.dst(route1);
      assertThat(route1).contains("dev vxlan.calico");
      String vtep3 = route1.replaceAll(".* via (\\S+) .*", "$1");
      assertThat(KernelRoutes.blockRouteTo(n2.ns, c1)).isPresent();
      assertThat(n1.ip("neigh", "show", "dev", "vxlan.calico")).contains(vtep3);
      assertThat(c.calicoctl(null, "ipam", "show", "--show-blocks").orThrow().out()).contains(" " + block3 + " ");
      Host.await(Duration.ofSeconds(30), "node-1 peering with node-3", () ->
          n1.calicoctl(null, "node", "status").out().contains(n3.ip));

      assertThat(n3.stop()).as("calico-node node-3 stopped").isIn(0, 143);
      Host.Result del = c.calicoctl(null, "delete", "node", "node-3");
      assertThat(del.code()).as(del.text()).isZero();
      assertThat(del.out()).isEqualTo("Successfully deleted 1 'Node' resource(s)\n");

      for (Node n : new Node[] {n1, n2}) {
        Host.await(Duration.ofSeconds(30), "node-3's block " + block3 + " gone from " + n.name + "'s kernel", () ->
            KernelRoutes.blockRouteTo(n.ns, c1).isEmpty() && KernelRoutes.blockRouteTo(n.ns, c2).isEmpty());
        Host.await(Duration.ofSeconds(30), "node-3's VTEP " + vtep3 + " gone from " + n.name, () ->
            !n.ip("neigh", "show", "dev", "vxlan.calico").contains(vtep3)
                && !Host.run("bridge", "-n", n.ns, "fdb", "show", "dev", "vxlan.calico").out().contains(n3.ip));
        Host.await(Duration.ofSeconds(30), n.name + " no longer peering with node-3", () -> {
          Host.Result st = n.calicoctl(null, "node", "status");
          return st.ok() && !st.out().contains(n3.ip);
        });
      }

      Host.Result check = c.calicoctl(null, "ipam", "check");
      assertThat(check.code()).as(check.text()).isZero();
      assertThat(check.out()).contains("Check complete; found 0 problems.");
      Host.Result show = c.calicoctl(null, "ipam", "show", "--show-blocks");
      assertThat(show.out()).as(show.out()).doesNotContain(" " + block3 + " ");
      assertThat(c.calicoctl(null, "get", "nodes").orThrow().out()).contains("node-1", "node-2")
          .doesNotContain("node-3");
      assertThat(c.calicoctl(null, "get", "workloadendpoints", "--all-namespaces").orThrow().out())
          .doesNotContain("node-3").doesNotContain("node--3");
      assertThat(c.calicoctl(null, "ipam", "show", "--ip", c1).out()).contains(c1 + " is not assigned");

      assertThat(n1.pingWithin("a", b, Duration.ofSeconds(10))).as("node-1 pod -> node-2 pod after").isTrue();
      assertThat(n2.pingWithin("b", a, Duration.ofSeconds(10))).as("node-2 pod -> node-1 pod after").isTrue();
      assertThat(n1.ping("a", c1)).as("node-3's pod is unreachable").isFalse();

      Host.Result again = c.calicoctl(null, "delete", "node", "node-3");
      assertThat(again.code()).isEqualTo(1);
      assertThat(again.err()).contains("resource does not exist: Node(node-3)");
    }
  }
}
