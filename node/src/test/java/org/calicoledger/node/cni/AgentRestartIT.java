package org.calicoledger.node.cni;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.calicoledger.node.testing.NodeLab;
import org.calicoledger.node.testing.NodeLab.Run;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The agent killed with SIGKILL: the plugin says "try again later" at once and nothing leaks; after a restart, CHECK passes. */
class AgentRestartIT {
  static NodeLab lab;

  @BeforeAll
  static void start() throws Exception {
    lab = NodeLab.start("node-r", Map.of("CALICO_IPV4POOL_CIDR", "10.245.0.0/16"));
  }

  @AfterAll
  static void stop() {
    String id = lab.id;
    lab.close();
    assertThat(NodeLab.namespaces()).noneMatch(ns -> ns.startsWith(id));
  }

  @Test
  void killedAgentGivesCode11LeaksNothingAndExistingPodsCheckAfterRestart() throws Exception {
    String conf = lab.conf("1.0.0", "");
    lab.pod("kept-1");
    lab.pod("kept-2");
    Run k1 = lab.calico("ADD", "c-kept-1", "kept-1", conf);
    Run k2 = lab.calico("ADD", "c-kept-2", "kept-2", conf);
    assertThat(k1.code()).as(k1.out()).isZero();
    assertThat(k2.code()).as(k2.out()).isZero();
    String links = lab.inNode("ip", "-o", "link").out();
    List<String> handles = lab.etcdKeys("/calico/ipam/v2/handle/");
    List<String> weps = lab.etcdKeys("/calico/resources/v3/projectcalico.org/workloadendpoints/");

    lab.killAgent();
    lab.pod("late");
    Run add = lab.calico("ADD", "c-late", "late", conf);
    assertThat(add.code()).isEqualTo(1);
    assertThat(add.json().path("code").asInt()).as(add.out()).isEqualTo(11);
    assertThat(add.json().path("msg").asText()).contains(lab.socket().toString());
    assertThat(add.millis()).as("answered in %d ms", add.millis()).isLessThan(1000);
    Run del = lab.calico("DEL", "c-kept-1", "kept-1", conf);
    assertThat(del.json().path("code").asInt()).isEqualTo(11);
    // nothing changed anywhere: no interface, address, handle or endpoint was made or removed
    assertThat(lab.inNode("ip", "-o", "link").out().lines().count()).isEqualTo(links.lines().count());
    assertThat(lab.inPod("late", "ip", "-o", "link").out()).doesNotContain("eth0");
    assertThat(lab.etcdKeys("/calico/ipam/v2/handle/")).isEqualTo(handles);
    assertThat(lab.etcdKeys("/calico/resources/v3/projectcalico.org/workloadendpoints/")).isEqualTo(weps);

    // a stale socket file from the killed agent is replaced by the new one
    assertThat(lab.socket()).exists();
    lab.startAgent(Map.of("CALICO_IPV4POOL_CIDR", "10.245.0.0/16"));
    for (String[] p : new String[][] {{"c-kept-1", "kept-1", k1.out()}, {"c-kept-2", "kept-2", k2.out()}}) {
      Run check = lab.calico("CHECK", p[0], p[1], lab.conf("1.0.0", ",\"prevResult\":" + p[2]));
      assertThat(check.code()).as(check.out()).isZero();
    }
    Run ping = lab.inPod("kept-1", "ping", "-c", "1", "-W", "2",
        k2.json().path("ips").path(0).path("address").asText().replace("/32", ""));
    assertThat(ping.code()).as(ping.out()).isZero();
    Run late = lab.calico("ADD", "c-late", "late", conf);
    assertThat(late.code()).as(late.out()).isZero();
    for (String[] p : new String[][] {{"c-kept-1", "kept-1"}, {"c-kept-2", "kept-2"}, {"c-late", "late"}}) {
      assertThat(lab.calico("DEL", p[0], p[1], conf).code()).isZero();
    }
    assertThat(lab.etcdKeys("/calico/resources/v3/projectcalico.org/workloadendpoints/")).isEmpty();
  }
}
