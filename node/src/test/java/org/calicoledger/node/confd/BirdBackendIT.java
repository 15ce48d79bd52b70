package org.calicoledger.node.confd;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
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
 * {@code CALICO_NETWORKING_BACKEND=bird} on three calico-nodes in network namespaces (one L2 segment; etcd, the journal
 * and its Kafka broker in a namespace of their own): confd renders from the change log, real BIRD 2 runs on the files,
 * the mesh comes up, each node's block reaches the other nodes' kernels through BIRD, pods ping across nodes, and
 * calicoctl changes reconfigure BIRD without restarting it or dropping the sessions they do not concern.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BirdBackendIT {
  static BirdClusterLab lab;
  static final String[] pods = new String[4];

  @BeforeAll
  static void start() throws Exception {
    lab = BirdClusterLab.start();
    for (int i = 1; i <= 3; i++) {
      // each node its own secrets directory (as each host mounts its own)
      lab.startNode(i, Map.of("CALICO_NETWORKING_BACKEND", "bird", "CALICO_IPV4POOL_CIDR", "10.244.0.0/16",
          "CALICO_BGP_SECRETS_DIR", secrets(i).toString()));
    }
  }

  static java.nio.file.Path secrets(int i) {
    return lab.dir.resolve("secrets" + i);
  }

  @AfterAll
  static void stop() {
    String id = lab.id;
    lab.close();
    assertThat(NodeLab.namespaces()).noneMatch(ns -> ns.startsWith(id));
  }

  static List<BirdProtocols.Row> protocols(int i) {
    Run r = lab.birdc(i, "show", "protocols");
    return r.code() == 0 ? BirdProtocols.parse(r.out()) : List.of();
  }

  static Optional<BirdProtocols.Row> protocol(int i, String name) {
    return protocols(i).stream().filter(p -> p.name().equals(name)).findFirst();
  }

  static boolean established(int i, String name) {
    return protocol(i, name).map(p -> p.state().equals("up") && p.info().startsWith("Established")).orElse(false);
  }

  static String mesh(int j) {
    return "Mesh_10_98_0_" + j;
  }

  static void awaitFullMesh() throws InterruptedException {
    for (int i = 1; i <= 3; i++) {
      for (int j = 1; j <= 3; j++) {
        if (i != j) {
          int a = i;
          int b = j;
          BirdClusterLab.waitFor(Duration.ofSeconds(90), "node-" + a + " " + mesh(b) + " Established",
              () -> established(a, mesh(b)));
        }
      }
    }
  }

  /** The pids of the {@code bird} processes inside node {@code i}'s namespace (pgrep is not namespace-aware). */
  static List<Long> birdPids(int i) {
    Run r = BirdClusterLab.run(List.of("ip", "netns", "pids", lab.nodeNs(i)), Map.of());
    return r.out().lines().filter(l -> !l.isBlank()).map(l -> Long.parseLong(l.strip()))
        .filter(pid -> BirdClusterLab.read(java.nio.file.Path.of("/proc/" + pid + "/comm")).strip().equals("bird"))
        .toList();
  }

  static long birdPid(int i) {
    List<Long> pids = birdPids(i);
    assertThat(pids).as("one bird on node-" + i).hasSize(1);
    return pids.get(0);
  }

  static String diagnose(int i) {
    return "\n--- node-" + i + " routes:\n" + lab.inNode(i, "ip", "route").out()
        + "--- FORWARD:\n" + lab.inNode(i, "iptables", "-vnL", "FORWARD").out()
        + "--- bird.log:\n" + BirdClusterLab.read(lab.runDir(i).resolve("bird.log"));
  }

  @Test
  @Order(1)
  void confdWritesTheFilesAndBirdMeshesEveryNode() throws Exception {
    for (int i = 1; i <= 3; i++) {
      int n = i;
      // calico-node says "ready" once its services started; confd writes after the feed's first sync
      BirdClusterLab.waitFor(Duration.ofSeconds(60), "node-" + n + "'s first rendering",
          () -> Files.exists(lab.confdDir(n).resolve("bird6_ipam.cfg"))
              && Files.exists(lab.confdDir(n).resolve("history"))); // history follows the files
      for (String f : List.of("bird.cfg", "bird_aggr.cfg", "bird_ipam.cfg", "bird6.cfg", "bird6_aggr.cfg",
          "bird6_ipam.cfg")) {
        assertThat(lab.confdDir(i).resolve(f)).exists();
      }
      String cfg = Files.readString(lab.confdDir(i).resolve("bird.cfg"));
      assertThat(cfg).contains("router id 10.98.0." + i + ";", "# Source revision: ",
          "BIRD 2 (Debian bird2 2.0.12)");
      assertThat(Files.list(lab.confdDir(i).resolve("history")).count()).isBetween(1L, 10L);
    }
    awaitFullMesh();
    // passive towards greater addresses: node-1 waits for 2 and 3; node-3 connects to both
    assertThat(Files.readString(lab.confdDir(1).resolve("bird.cfg"))).contains("protocol bgp Mesh_10_98_0_2");
    // calicoctl node status on node-1: calico-node's /bgp/status from birdc show protocols
    Run status = lab.inNode(1, "env", "CALICO_NO_SETUP=1", NodeLab.ROOT.resolve("bin/calicoctl").toString(), "node",
        "status");
    assertThat(status.code()).as(status.out() + status.err()).isZero();
    assertThat(status.out()).contains("Calico process is running.", "IPv4 BGP status")
        .containsPattern("\\| 10\\.98\\.0\\.2 +\\| node-to-node mesh \\| up +\\| [0-9:.]+ +\\| Established")
        .containsPattern("\\| 10\\.98\\.0\\.3 +\\| node-to-node mesh \\| up +\\| [0-9:.]+ +\\| Established");
  }

  @Test
  @Order(2)
  void eachNodesBlockReachesTheOtherKernelsAndPodsPingAcrossNodes() throws Exception {
    for (int i = 1; i <= 3; i++) {
      pods[i] = lab.addPod(i, "web-" + i);
    }
    for (int i = 1; i <= 3; i++) {
      int owner = i;
      String block = block(pods[i]);
      BirdClusterLab.waitFor(Duration.ofSeconds(30), "node-" + owner + "'s blackhole for " + block,
          () -> Files.exists(lab.confdDir(owner).resolve("bird_aggr.cfg"))
              && BirdClusterLab.read(lab.confdDir(owner).resolve("bird_aggr.cfg"))
                  .contains("route " + block + " blackhole;"));
      for (int j = 1; j <= 3; j++) {
        if (j == i) {
          continue;
        }
        int other = j;
        BirdClusterLab.waitFor(Duration.ofSeconds(30), "node-" + other + " kernel route to " + block,
            () -> lab.inNode(other, "ip", "route", "show", block).out()
                .contains("via 10.98.0." + owner + " dev eth0 proto bird"));
      }
    }
    for (int i = 1; i <= 3; i++) {
      for (int j = 1; j <= 3; j++) {
        if (i != j) {
          Run ping = lab.inPod("web-" + i, "ping", "-c", "1", "-W", "2", pods[j]);
          assertThat(ping.code()).as("web-" + i + " -> web-" + j + " (" + pods[j] + "):\n" + ping.out() + ping.err()
              + diagnose(i) + diagnose(j)).isZero();
        }
      }
    }
  }

  static double metric(String text, String name) {
    return text.lines().filter(l -> l.startsWith(name + " ")).mapToDouble(l -> Double.parseDouble(l.split(" ")[1]))
        .findFirst().orElseThrow(() -> new AssertionError(name + " not in /metrics:\n" + text));
  }

  /** The /26 of Calico's default block size around {@code ip}. */
  static String block(String ip) {
    String[] o = ip.split("\\.");
    return o[0] + "." + o[1] + "." + o[2] + "." + (Integer.parseInt(o[3]) & ~63) + "/26";
  }

  @Test
  @Order(3)
  void aBgpPeerIsAddedByReconfigurationWithoutDroppingTheMesh() throws Exception {
    awaitFullMesh();
    long pid = birdPid(1);
    String since2 = protocol(1, mesh(2)).orElseThrow().since();
    String since3 = protocol(1, mesh(3)).orElseThrow().since();
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
    BirdClusterLab.waitFor(Duration.ofSeconds(30), "Global_10_98_0_200 on node-1",
        () -> protocol(1, "Global_10_98_0_200").isPresent());
    assertThat(Files.readString(lab.confdDir(1).resolve("bird.cfg"))).contains("protocol bgp Global_10_98_0_200");
    assertThat(birdPid(1)).as("BIRD reconfigured, not restarted").isEqualTo(pid);
    BirdClusterLab.assertSameSession(since2, protocol(1, mesh(2)).orElseThrow().since(), "mesh session to node-2 kept");
    BirdClusterLab.assertSameSession(since3, protocol(1, mesh(3)).orElseThrow().since(), "mesh session to node-3 kept");
    assertThat(established(1, mesh(2)) && established(1, mesh(3))).isTrue();
    assertThat(BirdClusterLab.read(lab.runDir(1).resolve("bird.log"))).contains("Reconfigured")
        .doesNotContain("Reconfiguration failed");
    String metrics = lab.inNode(1, "bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/9099 && printf 'GET /metrics HTTP/1.0"
        + "\\r\\n\\r\\n' >&3 && cat <&3").out();
    assertThat(metrics).contains("\nbird_up 1", "\nbird_starts 1", "\nconfd_render_error 0");
    assertThat(metric(metrics, "bird_reloads")).isGreaterThanOrEqualTo(1);
    assertThat(metric(metrics, "confd_files_written")).isGreaterThanOrEqualTo(7);
  }

  @Test
  @Order(4)
  void switchingTheMeshOffAndOnReconfiguresBird() throws Exception {
    long pid = birdPid(2);
    String peerSince = protocol(2, "Global_10_98_0_200").orElseThrow().since();
    Run off = lab.calicoctl("""
        apiVersion: projectcalico.org/v3
        kind: BGPConfiguration
        metadata:
          name: default
        spec:
          nodeToNodeMeshEnabled: false
        """, "apply", "-f", "-");
    assertThat(off.code()).as(off.out() + off.err()).isZero();
    BirdClusterLab.waitFor(Duration.ofSeconds(30), "the mesh gone from node-2",
        () -> protocols(2).stream().noneMatch(p -> p.name().startsWith("Mesh_")) && !protocols(2).isEmpty());
    assertThat(Files.readString(lab.confdDir(2).resolve("bird.cfg"))).doesNotContain("protocol bgp Mesh_");
    assertThat(birdPid(2)).isEqualTo(pid);
    BirdClusterLab.assertSameSession(peerSince, protocol(2, "Global_10_98_0_200").orElseThrow().since(),
        "the global peer's session is untouched");
    // without the mesh, node-1 loses node-2's block from its kernel (BIRD withdraws it)
    String block2 = block(pods[2]);
    BirdClusterLab.waitFor(Duration.ofSeconds(30), "node-1 route to " + block2 + " withdrawn",
        () -> !lab.inNode(1, "ip", "route", "show", block2).out().contains("proto bird"));

    Run on = lab.calicoctl(null, "patch", "bgpconfiguration", "default", "-p",
        "{\"spec\":{\"nodeToNodeMeshEnabled\":true}}");
    assertThat(on.code()).as(on.out() + on.err()).isZero();
    awaitFullMesh();
    assertThat(birdPid(2)).isEqualTo(pid);
    BirdClusterLab.waitFor(Duration.ofSeconds(30), "node-1 route to " + block2 + " back",
        () -> lab.inNode(1, "ip", "route", "show", block2).out().contains("via 10.98.0.2 dev eth0 proto bird"));
    // the history directory holds the versions (at most 10)
    assertThat(Files.list(lab.confdDir(2).resolve("history")).count()).isBetween(3L, 10L);
  }

  @Test
  @Order(5)
  void theMeshPasswordIsUsedByBird() throws Exception {
    // node-1 and node-2 hold the same secret, node-3 another one: only the 1-2 session may come up (TCP MD5)
    for (int i = 1; i <= 3; i++) {
      Files.createDirectories(secrets(i).resolve("bgp-secrets"));
      Files.writeString(secrets(i).resolve("bgp-secrets").resolve("mesh"), i == 3 ? "other-secret\n" : "mesh-s3cret\n");
    }
    Run apply = lab.calicoctl("""
        apiVersion: projectcalico.org/v3
        kind: BGPConfiguration
        metadata:
          name: default
        spec:
          nodeToNodeMeshEnabled: true
          nodeMeshPassword:
            secretKeyRef: {name: bgp-secrets, key: mesh}
        """, "apply", "-f", "-");
    assertThat(apply.code()).as(apply.out() + apply.err()).isZero();
    for (int i = 1; i <= 3; i++) {
      int n = i;
      BirdClusterLab.waitFor(Duration.ofSeconds(30), "node-" + n + "'s bird.cfg with the mesh password",
          () -> BirdClusterLab.read(lab.confdDir(n).resolve("bird.cfg")).contains("password \""));
    }
    assertThat(Files.readString(lab.confdDir(1).resolve("bird.cfg"))).contains("password \"mesh-s3cret\";");
    BirdClusterLab.waitFor(Duration.ofSeconds(60), "node-1 <-> node-2 Established with the password",
        () -> established(1, mesh(2)) && established(2, mesh(1)));
    Thread.sleep(8000); // long enough for several connect attempts (connect retry time 5)
    assertThat(established(1, mesh(3))).as("node-3's different password keeps 1-3 down").isFalse();
    assertThat(established(2, mesh(3))).as("node-3's different password keeps 2-3 down").isFalse();

    Run off = lab.calicoctl(null, "patch", "bgpconfiguration", "default", "-p",
        "{\"spec\":{\"nodeMeshPassword\":null}}");
    assertThat(off.code()).as(off.out() + off.err()).isZero();
    awaitFullMesh();
  }

  @Test
  @Order(6)
  void aRouteReflectorReplacesTheMesh() throws Exception {
    Run off = lab.calicoctl(null, "patch", "bgpconfiguration", "default", "-p",
        "{\"spec\":{\"nodeToNodeMeshEnabled\":false}}");
    assertThat(off.code()).as(off.out() + off.err()).isZero();
    Run rr = lab.calicoctl(null, "patch", "node", "node-1", "-p", "{\"metadata\":{\"labels\":{\"route-reflector\":"
        + "\"true\"}},\"spec\":{\"bgp\":{\"routeReflectorClusterID\":\"224.0.0.1\"}}}");
    assertThat(rr.code()).as(rr.out() + rr.err()).isZero();
    Run peer = lab.calicoctl("""
        apiVersion: projectcalico.org/v3
        kind: BGPPeer
        metadata:
          name: peer-with-route-reflectors
        spec:
          nodeSelector: all()
          peerSelector: route-reflector == 'true'
        """, "apply", "-f", "-");
    assertThat(peer.code()).as(peer.out() + peer.err()).isZero();
    for (int i = 2; i <= 3; i++) {
      int n = i;
      BirdClusterLab.waitFor(Duration.ofSeconds(60), "node-" + n + " <-> the route reflector Established",
          () -> established(n, "Node_10_98_0_1") && established(1, "Node_10_98_0_" + n));
      assertThat(protocols(n)).noneMatch(p -> p.name().startsWith("Mesh_"));
    }
    String rrCfg = Files.readString(lab.confdDir(1).resolve("bird.cfg"));
    assertThat(rrCfg).contains("protocol bgp Node_10_98_0_2", "protocol bgp Node_10_98_0_3", "rr client;",
        "rr cluster id 224.0.0.1;").doesNotContain("protocol bgp Mesh_");
    // node-2 and node-3 no longer peer, yet learn each other's block through the reflector, next hop kept
    String block2 = block(pods[2]);
    BirdClusterLab.waitFor(Duration.ofSeconds(30), "node-3 route to " + block2 + " reflected",
        () -> lab.inNode(3, "ip", "route", "show", block2).out().contains("via 10.98.0.2 dev eth0 proto bird"));
    Run ping = lab.inPod("web-3", "ping", "-c", "1", "-W", "2", pods[2]);
    assertThat(ping.code()).as(ping.out() + ping.err() + diagnose(3) + diagnose(2)).isZero();

    // back to the mesh for the tests after this one
    assertThat(lab.calicoctl(null, "delete", "bgppeer", "peer-with-route-reflectors").code()).isZero();
    assertThat(lab.calicoctl(null, "patch", "node", "node-1", "-p",
        "{\"spec\":{\"bgp\":{\"routeReflectorClusterID\":null}}}").code()).isZero();
    assertThat(lab.calicoctl(null, "patch", "bgpconfiguration", "default", "-p",
        "{\"spec\":{\"nodeToNodeMeshEnabled\":true}}").code()).isZero();
    awaitFullMesh();
  }

  @Test
  @Order(7)
  void ipv6SessionsAndRoutesComeFromBird6Cfg() throws Exception {
    Run pool = lab.calicoctl("""
        apiVersion: projectcalico.org/v3
        kind: IPPool
        metadata:
          name: v6-pool
        spec:
          cidr: fd10::/48
        """, "apply", "-f", "-");
    assertThat(pool.code()).as(pool.out() + pool.err()).isZero();
    for (int i = 1; i <= 3; i++) {
      lab.must("ip", "-n", lab.nodeNs(i), "-6", "addr", "add", "fd00:98::" + i + "/64", "dev", "eth0", "nodad");
      Run p = lab.calicoctl(null, "patch", "node", "node-" + i, "-p",
          "{\"spec\":{\"bgp\":{\"ipv6Address\":\"fd00:98::" + i + "/64\"}}}");
      assertThat(p.code()).as(p.out() + p.err()).isZero();
    }
    for (int i = 1; i <= 3; i++) {
      for (int j = 1; j <= 3; j++) {
        if (i != j) {
          int a = i;
          int b = j;
          BirdClusterLab.waitFor(Duration.ofSeconds(60), "node-" + a + " Mesh_fd00_98__" + b + " Established",
              () -> established(a, "Mesh_fd00_98__" + b));
        }
      }
    }
    // an IPv6 block for node-2 (as IPAM would record it): its blackhole on node-2, a BGP route on node-1 and node-3
    Run put = BirdClusterLab.run(List.of("ip", "netns", "exec", lab.sw, "etcdctl", "--endpoints", BirdClusterLab.ETCD,
        "put", "/calico/ipam/v2/host/node-2/ipv6/block/fd10::40-122", "{\"state\":\"confirmed\",\"deleted\":false}"),
        Map.of("ETCDCTL_API", "3"));
    assertThat(put.code()).as(put.out() + put.err()).isZero();
    BirdClusterLab.waitFor(Duration.ofSeconds(30), "node-2's bird6_aggr.cfg with fd10::40/122",
        () -> BirdClusterLab.read(lab.confdDir(2).resolve("bird6_aggr.cfg")).contains("route fd10::40/122 blackhole;"));
    for (int i : new int[] {1, 3}) {
      BirdClusterLab.waitFor(Duration.ofSeconds(30), "node-" + i + " IPv6 route to fd10::40/122", () -> {
        String r = lab.inNode(i, "ip", "-6", "route", "show", "fd10::40/122").out();
        return r.contains("via fd00:98::2") && r.contains("proto bird");
      });
    }
    // IPv4 sessions were not disturbed by the IPv6 ones
    assertThat(established(1, mesh(2)) && established(1, mesh(3))).isTrue();
  }

  @Test
  @Order(8)
  void vxlanPoolsAreAdvertisedButNotProgrammedAndDisableBgpExportIsNotAdvertised() throws Exception {
    Run pool = lab.calicoctl("""
        apiVersion: projectcalico.org/v3
        kind: IPPool
        metadata:
          name: vx-pool
        spec:
          cidr: 10.245.0.0/16
          vxlanMode: Always
        """, "apply", "-f", "-");
    assertThat(pool.code()).as(pool.out() + pool.err()).isZero();
    BirdClusterLab.waitFor(Duration.ofSeconds(30), "node-1's kernel filter leaving the VXLAN pool to Felix",
        () -> BirdClusterLab.read(lab.confdDir(1).resolve("bird_ipam.cfg"))
            .contains("if (net ~ 10.245.0.0/16) then reject; # pool vx-pool: VXLAN Always"));
    String ip = lab.addPod(2, "vx-2", "vx-pool");
    String block = block(ip);
    // node-2 advertises the block (BIRD on node-1 has it from BGP) ...
    BirdClusterLab.waitFor(Duration.ofSeconds(30), "node-1's BIRD learning " + block,
        () -> lab.birdc(1, "show", "route", "for", ip, "all").out().contains("BGP.next_hop: 10.98.0.2"));
    // ... but BIRD does not program it: VXLAN routes are Felix's
    assertThat(lab.inNode(1, "ip", "route", "show", block).out()).doesNotContain("proto bird");
    assertThat(lab.inNode(1, "ip", "route", "show", "proto", "bird").out()).doesNotContain("10.245.");

    // a pool with disableBGPExport: node-2 keeps its block to itself
    Run quiet = lab.calicoctl("""
        apiVersion: projectcalico.org/v3
        kind: IPPool
        metadata:
          name: quiet-pool
        spec:
          cidr: 10.246.0.0/16
          disableBGPExport: true
        """, "apply", "-f", "-");
    assertThat(quiet.code()).as(quiet.out() + quiet.err()).isZero();
    String qip = lab.addPod(2, "quiet-2", "quiet-pool");
    String qblock = block(qip);
    BirdClusterLab.waitFor(Duration.ofSeconds(30), "node-2's BIRD with its own " + qblock,
        () -> lab.birdc(2, "show", "route", qblock).out().contains("static4"));
    Thread.sleep(3000); // an export would reach node-1 within milliseconds
    assertThat(lab.birdc(1, "show", "route", qblock).out()).doesNotContain(qblock);
    assertThat(lab.birdc(1, "show", "route", block).out()).as("the exported one, for contrast").contains(block);
    assertThat(lab.inNode(1, "ip", "route", "show", qblock).out()).isBlank();
  }

  @Test
  @Order(9)
  void birdThatDiesIsRestartedAndTheSessionsComeBack() throws Exception {
    long pid = birdPid(3);
    lab.inNode(3, "kill", "-9", Long.toString(pid));
    BirdClusterLab.waitFor(Duration.ofSeconds(30), "a new BIRD on node-3",
        () -> birdPids(3).size() == 1 && birdPids(3).get(0) != pid);
    awaitFullMesh();
  }

  @Test
  @Order(10)
  void aKilledNodeIsReplacedWithoutASecondBird() throws Exception {
    long old = birdPid(2);
    lab.agent(2).destroyForcibly(); // SIGKILL: calico-node cannot stop its BIRD
    lab.agent(2).waitFor();
    assertThat(birdPids(2)).as("the orphan keeps running").containsExactly(old);
    lab.startAgent(2, Map.of("CALICO_NETWORKING_BACKEND", "bird", "CALICO_IPV4POOL_CIDR", "10.244.0.0/16",
        "CALICO_BGP_SECRETS_DIR", secrets(2).toString()));
    BirdClusterLab.waitFor(Duration.ofSeconds(60), "one new BIRD on node-2",
        () -> birdPids(2).size() == 1 && birdPids(2).get(0) != old);
    awaitFullMesh();
    assertThat(BirdClusterLab.read(lab.agentLog(2))).contains("left by a previous calico-node");
  }

  @Test
  @Order(11)
  void stoppingTheNodeStopsBird() throws Exception {
    assertThat(birdPids(3)).hasSize(1);
    assertThat(lab.stopAgent(3)).as("SIGTERM: the JVM's exit code after its shutdown hook").isEqualTo(143);
    BirdClusterLab.waitFor(Duration.ofSeconds(20), "BIRD gone from node-3",
        () -> birdPids(3).isEmpty());
  }
}
