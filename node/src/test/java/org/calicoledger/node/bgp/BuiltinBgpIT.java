package org.calicoledger.node.bgp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.calicoledger.model.net.Cidr;
import org.calicoledger.node.testing.FelixLab;
import org.calicoledger.node.testing.NodeLab;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two calico-nodes with the built-in BGP speaker ({@code CALICO_NETWORKING_BACKEND=builtin}) on one subnet of a
 * {@link FelixLab}: the mesh comes up on port 179 of the node addresses, each node's block reaches the other's kernel
 * through the speaker and Felix ({@code proto 80} via the other node), pods ping across, and
 * {@code calicoctl node status} on a node prints the mesh peer as Established. With {@code nodeMeshPassword}, read
 * from each node's {@code CALICO_BGP_SECRETS_DIR}: different secrets keep the session down (TCP MD5), and once the
 * secret files agree the next change in the image brings it up. A pod address borrowed from the other node's block
 * (a one-block pool) reaches the block owner's kernel as a {@code /32} via the borrowing node, and pods ping.
 */
class BuiltinBgpIT {
  static final Map<String, String> ENV = Map.of("CALICO_NETWORKING_BACKEND", "builtin",
      "CALICO_IPV4POOL_CIDR", "10.30.0.0/16", "CALICO_IPV4POOL_IPIP", "Never", "CALICO_IPV4POOL_VXLAN", "Never",
      "FELIX_ROUTEREFRESHINTERVAL", "2");

  static JsonNode route(FelixLab.Node n, String dst) throws Exception {
    for (JsonNode r : NodeLab.JSON.readTree(n.ip("-j", "route", "show", "proto", "80"))) {
      if (r.path("dst").asText().equals(dst)) {
        return r;
      }
    }
    return null;
  }

  /** Waits until {@code n} has a {@code proto 80} route to {@code dst} via {@code via}'s address. */
  static void awaitRouteVia(FelixLab.Node n, String dst, FelixLab.Node via, String what) throws Exception {
    FelixLab.await(Duration.ofSeconds(60), () -> {
      try {
        JsonNode r = route(n, dst);
        return r != null && r.path("gateway").asText().equals(via.ip);
      } catch (Exception e) {
        return false;
      }
    }, what);
  }

  static String block(String podIp) {
    return Cidr.of(Cidr.parseAddress(podIp).address(), 26).network().toString();
  }

  @Test
  void meshCarriesBlocksToTheOtherKernelAndPodsPing() throws Exception {
    try (FelixLab lab = FelixLab.start()) {
      FelixLab.Node a = lab.node("a", 1, 2, ENV);
      FelixLab.Node b = lab.node("b", 1, 3, ENV);
      String podA = a.addPod("p1");
      String podB = b.addPod("p1");
      awaitRouteVia(a, block(podB), b, "a's route to b's block " + block(podB) + " via " + b.ip + ":\n"
          + a.ip("route") + "\n" + a.http("/bgp/status") + "\n" + tail(a));
      awaitRouteVia(b, block(podA), a, "b's route to a's block");
      FelixLab.await(Duration.ofSeconds(40), () -> a.ping("p1", podB), "ping a/p1 -> " + podB);
      FelixLab.await(Duration.ofSeconds(40), () -> b.ping("p1", podA), "ping b/p1 -> " + podA);

      NodeLab.Run status = a.exec(NodeLab.ROOT.resolve("bin/calicoctl").toString(), "node", "status");
      assertThat(status.out()).as(status.err()).contains("Calico process is running.", "IPv4 BGP status",
          "| PEER ADDRESS |     PEER TYPE     | STATE |  SINCE   |    INFO     |")
          .containsPattern("\\| " + b.ip.replace(".", "\\.") + " +\\| node-to-node mesh \\| up +\\| \\d\\d:\\d\\d:\\d\\d \\|"
              + " Established \\|");
    }
  }

  @Test
  void meshPasswordFromEachNodesSecretFiles(@TempDir Path tmp) throws Exception {
    Path secretsA = Files.createDirectories(tmp.resolve("a").resolve("bgp"));
    Path secretsB = Files.createDirectories(tmp.resolve("b").resolve("bgp"));
    Files.writeString(secretsA.resolve("mesh"), "same-secret\n");
    Files.writeString(secretsB.resolve("mesh"), "another-secret\n");
    try (FelixLab lab = FelixLab.start()) {
      lab.calicoctl("""
          apiVersion: projectcalico.org/v3
          kind: BGPConfiguration
          metadata:
            name: default
          spec:
            nodeToNodeMeshEnabled: true
            nodeMeshPassword:
              secretKeyRef:
                name: bgp
                key: mesh
          """, "apply", "-f", "-");
      Map<String, String> envA = new HashMap<>(ENV);
      envA.put("CALICO_BGP_SECRETS_DIR", secretsA.getParent().toString());
      Map<String, String> envB = new HashMap<>(ENV);
      envB.put("CALICO_BGP_SECRETS_DIR", secretsB.getParent().toString());
      FelixLab.Node a = lab.node("a", 1, 2, envA);
      FelixLab.Node b = lab.node("b", 1, 3, envB);
      FelixLab.await(Duration.ofSeconds(60), () -> a.http("/bgp/status").contains(b.ip)
          && b.http("/bgp/status").contains(a.ip), "both speakers running, each listing the other");
      long end = System.nanoTime() + Duration.ofSeconds(12).toNanos();
      while (System.nanoTime() < end) {
        assertThat(a.http("/bgp/status")).as("different secrets").doesNotContain("Established");
        Thread.sleep(500);
      }
      Files.writeString(secretsB.resolve("mesh"), "same-secret\n");
      lab.calicoctl(null, "patch", "bgpconfiguration", "default", "-p", "{\"spec\":{\"asNumber\":64512}}");
      FelixLab.await(Duration.ofSeconds(60), () -> a.http("/bgp/status").contains("Established")
          && b.http("/bgp/status").contains("Established"), "the same secret: up\n" + a.http("/bgp/status"));
      String podB = b.addPod("p1");
      awaitRouteVia(a, block(podB), b, "a's route to b's block over the signed session");
    }
  }

  @Test
  void borrowedAddressIsAdvertisedAsHostRoute() throws Exception {
    // one /26 pool of one block: a takes it, b's pod borrows an address from a's block
    Map<String, String> env = new HashMap<>(ENV);
    env.put("CALICO_IPV4POOL_CIDR", "10.30.0.0/26");
    env.put("CALICO_IPV4POOL_BLOCK_SIZE", "26");
    try (FelixLab lab = FelixLab.start()) {
      FelixLab.Node a = lab.node("a", 1, 2, env);
      String podA = a.addPod("p1");
      FelixLab.Node b = lab.node("b", 1, 3, env);
      String podB = b.addPod("p1");
      assertThat(block(podB)).as("b's pod borrowed from a's block").isEqualTo(block(podA));
      awaitRouteVia(a, podB, b, "a's route to b's borrowed " + podB + "/32 via " + b.ip + ":\n" + a.ip("route")
          + "\n" + tail(b));
      FelixLab.await(Duration.ofSeconds(40), () -> a.ping("p1", podB), "ping a/p1 -> " + podB);
      FelixLab.await(Duration.ofSeconds(40), () -> b.ping("p1", podA), "ping b/p1 -> " + podA);
    }
  }

  static String tail(FelixLab.Node n) {
    String t = n.logText();
    return t.length() > 4000 ? t.substring(t.length() - 4000) : t;
  }
}
