package org.calicoledger.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import org.calicoledger.node.testing.NodeLab;
import org.calicoledger.node.testing.NodeLab.Run;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** bin/calico-node in a node namespace with its own etcd: what it writes at start, what it serves, how it stops. */
class CalicoNodeIT {
  static NodeLab lab;

  @BeforeAll
  static void start() throws Exception {
    lab = NodeLab.start("node-n", Map.of("AS", "64512", "CALICO_IPV4POOL_BLOCK_SIZE", "28"));
  }

  @AfterAll
  static void stop() {
    String id = lab.id;
    lab.close();
    assertThat(NodeLab.namespaces()).noneMatch(ns -> ns.startsWith(id));
  }

  static JsonNode get(String key) {
    String v = lab.etcdGet(key);
    assertThat(v).as(key).isNotNull();
    try {
      return NodeLab.JSON.readTree(v);
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  static final String R = "/calico/resources/v3/projectcalico.org/";

  @Test
  void registersTheNodeWithItsAddressAsAndIpipTunnelAddress() throws Exception {
    JsonNode node = get(R + "nodes/node-n");
    JsonNode bgp = node.path("spec").path("bgp");
    assertThat(bgp.path("ipv4Address").asText()).isEqualTo("10.99.0.1/24");
    assertThat(bgp.path("asNumber").asLong()).isEqualTo(64512);
    String tunnel = bgp.path("ipv4IPIPTunnelAddr").asText();
    assertThat(tunnel).startsWith("192.168.");
    // held in IPAM by Calico's handle, with Calico's attributes
    JsonNode handle = get("/calico/ipam/v2/handle/ipip-tunnel-addr-node-n");
    assertThat(handle.path("block").size()).isEqualTo(1);
    String block = handle.path("block").fieldNames().next();
    JsonNode b = get("/calico/ipam/v2/assignment/ipv4/block/" + block.replace('/', '-'));
    assertThat(b.path("attributes").toString()).contains("ipip-tunnel-addr-node-n").contains("ipipTunnelAddress")
        .contains("\"node\":\"node-n\"");
    assertThat(block).endsWith("/28");

    // the default pool as the issue specifies; ClusterInformation; Felix configuration
    JsonNode pool = get(R + "ippools/default-ipv4-ippool");
    assertThat(pool.path("spec").path("cidr").asText()).isEqualTo("192.168.0.0/16");
    assertThat(pool.path("spec").path("ipipMode").asText()).isEqualTo("Always");
    assertThat(pool.path("spec").path("natOutgoing").asBoolean()).isTrue();
    assertThat(pool.path("spec").path("blockSize").asInt()).isEqualTo(28);
    assertThat(get(R + "clusterinformations/default").path("spec").path("datastoreReady").asBoolean()).isTrue();
    assertThat(get(R + "felixconfigurations/default").path("spec").path("reportingInterval").asText()).isEqualTo("0s");
    assertThat(get(R + "felixconfigurations/node.node-n").path("spec").path("defaultEndpointToHostAction").asText())
        .isEqualTo("Return");
  }

  @Test
  void poolModeChangesMoveTheTunnelAddress() throws Exception {
    String key = R + "ippools/default-ipv4-ippool";
    String pool = lab.etcdGet(key);
    lab.inNode("etcdctl", "--endpoints", "http://127.0.0.1:2379", "put", key,
        pool.replace("\"ipipMode\":\"Always\"", "\"ipipMode\":\"Never\"").replace("\"vxlanMode\":\"Never\"",
            "\"vxlanMode\":\"Always\""));
    long deadline = System.nanoTime() + 20_000_000_000L;
    JsonNode spec = null;
    while (System.nanoTime() < deadline) {
      spec = get(R + "nodes/node-n").path("spec");
      if (!spec.path("ipv4VXLANTunnelAddr").asText().isEmpty()) {
        break;
      }
      Thread.sleep(100);
    }
    assertThat(spec.path("ipv4VXLANTunnelAddr").asText()).startsWith("192.168.");
    assertThat(spec.path("bgp").path("ipv4IPIPTunnelAddr").isMissingNode()).isTrue();
    assertThat(lab.etcdGet("/calico/ipam/v2/handle/ipip-tunnel-addr-node-n")).isNull();
    assertThat(lab.etcdGet("/calico/ipam/v2/handle/vxlan-tunnel-addr-node-n")).isNotNull();
    lab.inNode("etcdctl", "--endpoints", "http://127.0.0.1:2379", "put", key, pool);
  }

  @Test
  void servesLivenessReadinessAndMetricsOnLoopback() {
    assertThat(lab.http("/liveness")).startsWith("HTTP/1.0 200").contains("\"live\":true");
    assertThat(lab.http("/readiness")).startsWith("HTTP/1.0 200").contains("\"cni-agent\":true");
    String metrics = lab.http("/metrics");
    assertThat(metrics).contains("# TYPE calico_cni_requests_total counter")
        .contains("# TYPE calico_cni_request_duration_seconds histogram").contains("calico_node_ready 1");
    // bound to loopback only (Netty may show it IPv4-mapped), never to a wildcard address
    assertThat(lab.inNode("ss", "-ltn").out()).containsPattern("\\s(127\\.0\\.0\\.1|\\[::ffff:127\\.0\\.0\\.1\\]):9099\\s")
        .doesNotContain("*:9099").doesNotContain("0.0.0.0:9099").doesNotContain("[::]:9099");
  }

  @Test
  void aSecondAgentForTheSameSocketRefusesToStartAndBadSettingsStopAtOnce() throws Exception {
    Run second = lab.startAgentExpectingFailure(Map.of("FELIX_HEALTHPORT", "9100"));
    assertThat(second.code()).isEqualTo(1);
    assertThat(second.out() + second.err()).contains("another calico-node answers on " + lab.socket());
    Run bad = lab.startAgentExpectingFailure(Map.of("CALICO_NETWORKING_BACKEND", "gobgp"));
    assertThat(bad.code()).isEqualTo(1);
    assertThat(bad.out() + bad.err()).contains("CALICO_NETWORKING_BACKEND='gobgp' is not one of builtin, bird, vxlan,"
        + " none");
    Run ip = lab.startAgentExpectingFailure(Map.of("NODENAME", "node-x", "IP_AUTODETECTION_METHOD",
        "interface=nosuch.*", "FELIX_HEALTHPORT", "9101", "CALICO_RUN_DIR", lab.dir.resolve("run2").toString()));
    assertThat(ip.code()).isEqualTo(1);
    assertThat(ip.out() + ip.err()).contains("no IPv4 address found by IP_AUTODETECTION_METHOD=interface=nosuch.*");
  }

  @Test
  void sigtermStopsCleanlyAndRemovesTheSocket() throws Exception {
    // test order is not fixed: this test starts the agent again, so the others find it running
    try {
      int code = lab.stopAgent();
      assertThat(code).isEqualTo(143);
      assertThat(lab.socket()).doesNotExist();
      assertThat(java.nio.file.Files.readString(lab.agentLog())).contains("calico-node node-n: stopping")
          .contains("calico-node node-n: stopped");
      assertThat(lab.http("/liveness")).as("nothing serves health any more").isEmpty();
    } finally {
      lab.startAgent(Map.of("AS", "64512", "CALICO_IPV4POOL_BLOCK_SIZE", "28"));
    }
    assertThat(lab.http("/readiness")).startsWith("HTTP/1.0 200");
  }
}
