package org.calicoledger.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Restarting one node's calico-node while pods on two nodes ping each other. Both nodes are in subnet A and the pool
 * has no encapsulation, so the path between them exists only as the route each node's BGP speaker learned from the
 * other: the restart matters to the peer's kernel only through BGP (a VXLAN route would be Felix's own, from IPAM).
 *
 * <ul>
 *   <li>Crash (SIGKILL): the TCP session ends without a NOTIFICATION, so node-1 keeps node-2's routes as stale
 *       (graceful restart) until node-2 is back and sends End-of-RIB. node-1's kernel route to node-2's block must not
 *       go away, not a single sample, and the pods lose at most a couple of pings.</li>
 *   <li>Planned restart (SIGTERM, then start): calico-node closes its sessions without a NOTIFICATION, as BIRD's
 *       {@code graceful restart} command does, and leaves its learned routes in the kernel (BIRD's {@code persist}):
 *       the same must hold.</li>
 *   <li>On the restarted node, the routes learned before the restart are kept until every peer has sent End-of-RIB,
 *       so its own kernel does not lose them either (a first version without this lost 2 to 5 pings here).</li>
 * </ul>
 * After each restart node-2's block route is in node-1's kernel and node-1's in node-2's, via the right next hops, and
 * pods ping both ways.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NodeRestartIT {
  static Cluster cluster;
  static Node n1;
  static Node n2;
  static String podA;
  static String podB;

  @BeforeAll
  static void up() throws Exception {
    cluster = Cluster.start(Cluster.Options.of(Cluster.testPrefix()).withNodes(2)
        .withNodeEnv(Map.of("CALICO_IPV4POOL_IPIP", "Never", "CALICO_IPV4POOL_VXLAN", "Never")));
    n1 = cluster.node(1);
    n2 = cluster.node(2);
    podA = n1.addPod("a");
    podB = n2.addPod("b");
    assertThat(n1.pingWithin("a", podB, Duration.ofSeconds(60))).as("node-1 pod -> node-2 pod before restarts").isTrue();
    assertThat(n2.pingWithin("b", podA, Duration.ofSeconds(30))).as("node-2 pod -> node-1 pod before restarts").isTrue();
  }

  @AfterAll
  static void down() {
    if (cluster != null) {
      cluster.close();
    }
  }

  /** The block routes both ways, each via the other node's address. */
  static void routesBothWays() {
    Host.await(Duration.ofSeconds(60), "node-2's block route in node-1's kernel", () ->
        KernelRoutes.blockRouteTo(n1.ns, podB).filter(r -> r.contains("via " + n2.ip)).isPresent());
    Host.await(Duration.ofSeconds(60), "node-1's block route in node-2's kernel", () ->
        KernelRoutes.blockRouteTo(n2.ns, podA).filter(r -> r.contains("via " + n1.ip)).isPresent());
  }

  record Run(Pinger.Count ab, Pinger.Count ba, KernelRoutes.Watch atN1, KernelRoutes.Watch atN2, long downMillis) {}

  Run restart(boolean crash, String tag) throws Exception {
    routesBothWays();
    String blockB = KernelRoutes.dst(KernelRoutes.blockRouteTo(n1.ns, podB).orElseThrow());
    String blockA = KernelRoutes.dst(KernelRoutes.blockRouteTo(n2.ns, podA).orElseThrow());
    Pinger ab = new Pinger(cluster, n1, "a", podB, cluster.dir.resolve("ping-ab-" + tag + ".log"));
    Pinger ba = new Pinger(cluster, n2, "b", podA, cluster.dir.resolve("ping-ba-" + tag + ".log"));
    KernelRoutes.Watch atN1 = new KernelRoutes.Watch(n1.ns, blockB, "via " + n2.ip);
    KernelRoutes.Watch atN2 = new KernelRoutes.Watch(n2.ns, blockA, "via " + n1.ip);
    Thread.sleep(2_000);
    long t0 = System.nanoTime();
    if (crash) {
      n2.kill();
    } else {
      assertThat(n2.stop()).as("calico-node exit status after SIGTERM").isIn(0, 143);
    }
    Thread.sleep(2_000);
    n2.start();
    long down = (System.nanoTime() - t0) / 1_000_000;
    routesBothWays();
    Thread.sleep(3_000);
    atN1.close();
    atN2.close();
    Run r = new Run(ab.stop(), ba.stop(), atN1, atN2, down);
    System.out.println("[NodeRestartIT " + tag + "] calico-node node-2 down/starting for " + down + " ms; ping a->b "
        + r.ab() + "; ping b->a " + r.ba() + "; " + atN1 + "; " + atN2);
    assertThat(n1.pingWithin("a", podB, Duration.ofSeconds(10))).isTrue();
    assertThat(n2.pingWithin("b", podA, Duration.ofSeconds(10))).isTrue();
    return r;
  }

  @Test
  @Order(1)
  void crashKeepsRoutesThroughGracefulRestart() throws Exception {
    Run r = restart(true, "sigkill");
    assertHeld(r);
  }

  @Test
  @Order(2)
  void plannedRestartKeepsRoutesToo() throws Exception {
    Run r = restart(false, "sigterm");
    assertHeld(r);
  }

  /**
   * Neither kernel lost the other node's block route for a single 100 ms sample, and at most one ping of the ~5 a
   * second was lost each way (none were in the runs here; without graceful restart a SIGTERM restart lost 44 to 46,
   * see the control below for the same watch seeing routes go).
   */
  static void assertHeld(Run r) {
    assertThat(r.atN1().missing()).as("%s", r.atN1()).isZero();
    assertThat(r.atN2().missing()).as("the restarted node's own kernel: %s", r.atN2()).isZero();
    assertThat(r.atN1().present()).isGreaterThan(20);
    assertThat(r.ab().sent()).as("pings sent over the restart").isGreaterThan(4 * (int) (r.downMillis() / 1000));
    assertThat(r.ab().lost()).as("pings lost a->b over a restart of %d ms: %s", r.downMillis(), r.ab())
        .isLessThanOrEqualTo(1);
    assertThat(r.ba().lost()).as("pings lost b->a: %s", r.ba()).isLessThanOrEqualTo(1);
    assertThat(Host.read(n2.log())).as("node-2 kept its learned route over the restart")
        .contains("graceful restart: keeping 1 route(s) learned before this start")
        .contains("graceful restart: BGP peers' initial routes are in");
  }

  /**
   * Control: the same watch and pinger do see a route go when BGP withdraws it. Turning the node-to-node mesh off
   * ends the sessions with a Cease NOTIFICATION, which is not a restart: both kernels drop the route and pings fail;
   * turning it back on restores both.
   */
  @Test
  @Order(3)
  void withoutGracefulRestartTheRouteGoes() throws Exception {
    routesBothWays();
    String blockB = KernelRoutes.dst(KernelRoutes.blockRouteTo(n1.ns, podB).orElseThrow());
    try (KernelRoutes.Watch atN1 = new KernelRoutes.Watch(n1.ns, blockB, "via " + n2.ip)) {
      Pinger ab = new Pinger(cluster, n1, "a", podB, cluster.dir.resolve("ping-ab-nomesh.log"));
      Thread.sleep(1_000);
      cluster.calicoctl(mesh(false), "apply", "-f", "-").orThrow();
      Host.await(Duration.ofSeconds(30), "node-2's block route gone from node-1's kernel", () ->
          KernelRoutes.blockRouteTo(n1.ns, podB).isEmpty());
      Thread.sleep(2_000);
      cluster.calicoctl(mesh(true), "apply", "-f", "-").orThrow();
      routesBothWays();
      Pinger.Count c = ab.stop();
      atN1.close(); // stop sampling before counting (close again at the end of the block is a no-op)
      System.out.println("[NodeRestartIT mesh off/on] ping a->b " + c + "; " + atN1);
      assertThat(atN1.missing()).isGreaterThan(10);
      assertThat(c.lost()).isGreaterThan(5);
    }
    assertThat(n1.pingWithin("a", podB, Duration.ofSeconds(10))).isTrue();
  }

  static String mesh(boolean on) {
    return """
        apiVersion: projectcalico.org/v3
        kind: BGPConfiguration
        metadata: {name: default}
        spec: {nodeToNodeMeshEnabled: %s, asNumber: 64512}
        """.formatted(on);
  }
}
