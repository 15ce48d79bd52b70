package org.calicoledger.node.confd;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.calicoledger.confd.bird.BirdProtocols;
import org.calicoledger.node.testing.NodeLab;
import org.calicoledger.node.testing.NodeLab.Run;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The mixed cluster: node-1 on real BIRD ({@code CALICO_NETWORKING_BACKEND=bird}), node-2 and node-3 on the
 * built-in Java speaker ({@code builtin}), in namespaces as in {@link BirdBackendIT}. The mesh forms across both
 * implementations, pods on all three ping each other, and calicoctl changes reconfigure BIRD without dropping the
 * sessions they do not concern.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MixedClusterIT {
  static BirdClusterLab lab;
  static final String[] pods = new String[4];

  @BeforeAll
  static void start() throws Exception {
    lab = BirdClusterLab.start();
    lab.startNode(1, Map.of("CALICO_NETWORKING_BACKEND", "bird", "CALICO_IPV4POOL_CIDR", "10.244.0.0/16"));
    lab.startNode(2, Map.of("CALICO_NETWORKING_BACKEND", "builtin", "CALICO_IPV4POOL_CIDR", "10.244.0.0/16"));
    lab.startNode(3, Map.of("CALICO_NETWORKING_BACKEND", "builtin", "CALICO_IPV4POOL_CIDR", "10.244.0.0/16"));
  }

  @AfterAll
  static void stop() {
    String id = lab.id;
    lab.close();
    assertThat(NodeLab.namespaces()).noneMatch(ns -> ns.startsWith(id));
  }

  static Optional<BirdProtocols.Row> protocol(String name) {
    Run r = lab.birdc(1, "show", "protocols");
    return r.code() != 0 ? Optional.empty()
        : BirdProtocols.parse(r.out()).stream().filter(p -> p.name().equals(name)).findFirst();
  }

  static boolean established(String name) {
    return protocol(name).map(p -> p.state().equals("up") && p.info().startsWith("Established")).orElse(false);
  }

  /** calicoctl node status on node {@code i} (the built-in speaker's or BIRD's sessions). */
  static String status(int i) {
    return lab.inNode(i, "env", "CALICO_NO_SETUP=1", NodeLab.ROOT.resolve("bin/calicoctl").toString(), "node",
        "status").out();
  }

  static boolean javaSideUp(int i, String peer) {
    return status(i).lines().anyMatch(l -> l.contains("| " + peer + " ") && l.contains("Established"));
  }

  static void awaitMesh() throws InterruptedException {
    for (String m : List.of("Mesh_10_98_0_2", "Mesh_10_98_0_3")) {
      BirdClusterLab.waitFor(Duration.ofSeconds(90), "BIRD on node-1: " + m + " Established", () -> established(m));
    }
    for (int i = 2; i <= 3; i++) {
      int n = i;
      BirdClusterLab.waitFor(Duration.ofSeconds(60), "node-" + n + "'s speaker Established with BIRD",
          () -> javaSideUp(n, "10.98.0.1"));
    }
  }

  static long birdPid() {
    Run r = BirdClusterLab.run(List.of("ip", "netns", "pids", lab.nodeNs(1)), Map.of());
    List<Long> pids = r.out().lines().filter(l -> !l.isBlank()).map(l -> Long.parseLong(l.strip()))
        .filter(p -> BirdClusterLab.read(java.nio.file.Path.of("/proc/" + p + "/comm")).strip().equals("bird"))
        .toList();
    assertThat(pids).hasSize(1);
    return pids.get(0);
  }

  @Test
  @Order(1)
  void birdAndTheJavaSpeakersMeshAndPodsPingAcrossAllThree() throws Exception {
    awaitMesh();
    BirdClusterLab.waitFor(Duration.ofSeconds(60), "node-2 <-> node-3 (both Java)", () -> javaSideUp(2, "10.98.0.3"));
    for (int i = 1; i <= 3; i++) {
      pods[i] = lab.addPod(i, "web-" + i);
    }
    for (int i = 1; i <= 3; i++) {
      for (int j = 1; j <= 3; j++) {
        if (i == j) {
          continue;
        }
        int a = i;
        int b = j;
        BirdClusterLab.waitFor(Duration.ofSeconds(60), "web-" + a + " -> web-" + b,
            () -> lab.inPod("web-" + a, "ping", "-c", "1", "-W", "1", pods[b]).code() == 0);
      }
    }
    // node-1's routes to the Java nodes' blocks are BIRD's
    assertThat(lab.inNode(1, "ip", "route", "show", "proto", "bird").out()).contains("via 10.98.0.2")
        .contains("via 10.98.0.3");
  }

  @Test
  @Order(2)
  void aBgpPeerReconfiguresBirdWithoutDroppingTheJavaSessions() throws Exception {
    awaitMesh();
    Thread.sleep(3000); // sessions settled (a session that just came up may still record its last transition)
    long pid = birdPid();
    String since2 = protocol("Mesh_10_98_0_2").orElseThrow().since();
    String since3 = protocol("Mesh_10_98_0_3").orElseThrow().since();
    Run apply = lab.calicoctl("""
        apiVersion: projectcalico.org/v3
        kind: BGPPeer
        metadata:
          name: tor
        spec:
          peerIP: 10.98.0.200
          asNumber: 65010
        """, "apply", "-f", "-");
    assertThat(apply.code()).as(apply.out() + apply.err()).isZero();
    BirdClusterLab.waitFor(Duration.ofSeconds(30), "Global_10_98_0_200 in BIRD",
        () -> protocol("Global_10_98_0_200").isPresent());
    assertThat(birdPid()).isEqualTo(pid);
    BirdClusterLab.assertSameSession(since2, protocol("Mesh_10_98_0_2").orElseThrow().since(), "Mesh_10_98_0_2 kept");
    BirdClusterLab.assertSameSession(since3, protocol("Mesh_10_98_0_3").orElseThrow().since(), "Mesh_10_98_0_3 kept");
    assertThat(established("Mesh_10_98_0_2") && established("Mesh_10_98_0_3")).isTrue();
    assertThat(lab.inPod("web-2", "ping", "-c", "1", "-W", "2", pods[1]).code()).isZero();
  }

  @Test
  @Order(3)
  void theMeshSettingReconfiguresBothImplementations() throws Exception {
    long pid = birdPid();
    Run off = lab.calicoctl(null, "patch", "bgpconfiguration", "default", "-p",
        "{\"spec\":{\"nodeToNodeMeshEnabled\":false}}");
    if (off.code() != 0) { // no BGPConfiguration yet: create it
      off = lab.calicoctl("""
          apiVersion: projectcalico.org/v3
          kind: BGPConfiguration
          metadata:
            name: default
          spec:
            nodeToNodeMeshEnabled: false
          """, "apply", "-f", "-");
    }
    assertThat(off.code()).as(off.out() + off.err()).isZero();
    BirdClusterLab.waitFor(Duration.ofSeconds(30), "BIRD without the mesh",
        () -> protocol("Mesh_10_98_0_2").isEmpty() && protocol("Mesh_10_98_0_3").isEmpty()
            && protocol("Global_10_98_0_200").isPresent());
    BirdClusterLab.waitFor(Duration.ofSeconds(30), "node-2's speaker without the mesh",
        () -> !javaSideUp(2, "10.98.0.1"));
    assertThat(birdPid()).isEqualTo(pid);

    Run on = lab.calicoctl(null, "patch", "bgpconfiguration", "default", "-p",
        "{\"spec\":{\"nodeToNodeMeshEnabled\":true}}");
    assertThat(on.code()).as(on.out() + on.err()).isZero();
    awaitMesh();
    assertThat(birdPid()).isEqualTo(pid);
    BirdClusterLab.waitFor(Duration.ofSeconds(60), "web-3 -> web-1 again",
        () -> lab.inPod("web-3", "ping", "-c", "1", "-W", "1", pods[1]).code() == 0);
  }
}
