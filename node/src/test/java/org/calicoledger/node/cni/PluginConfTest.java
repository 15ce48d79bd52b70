package org.calicoledger.node.cni;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.calicoledger.cni.CniException;
import org.calicoledger.model.net.Cidr;
import org.junit.jupiter.api.Test;

class PluginConfTest {
  static int code(String conf) {
    try {
      PluginConf.parse(conf);
    } catch (CniException e) {
      return e.code();
    }
    throw new AssertionError("accepted: " + conf);
  }

  @Test
  void readsCalicosFields() {
    PluginConf c = PluginConf.parse("{\"cniVersion\":\"0.4.0\",\"name\":\"k8s-pod-network\",\"type\":\"calico\","
        + "\"mtu\":1440,\"nodename\":\"node-1\",\"node_agent_socket\":\"/run/x/cni.sock\","
        + "\"container_settings\":{\"allow_ip_forwarding\":true},"
        + "\"ipam\":{\"type\":\"calico-ipam\",\"assign_ipv6\":\"true\",\"ipv4_pools\":[\"p1\"]}}");
    assertThat(c.cniVersion()).isEqualTo("0.4.0");
    assertThat(c.mtu()).isEqualTo(1440);
    assertThat(c.allowIpForwarding()).isTrue();
    assertThat(c.calicoIpam()).isTrue();
    assertThat(c.net().nodename()).isEqualTo("node-1");
    assertThat(c.net().assignIpv6()).isTrue();
    assertThat(c.net().ipv4Pools()).isEqualTo(List.of("p1"));
  }

  @Test
  void anotherIpamTypeIsDelegatedAndItsSectionIgnored() {
    PluginConf c = PluginConf.parse("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"calico\","
        + "\"ipam\":{\"type\":\"host-local\",\"subnet\":\"usePodCidr\",\"assign_ipv4\":\"maybe\"}}");
    assertThat(c.calicoIpam()).isFalse();
    assertThat(c.ipamType()).isEqualTo("host-local");
    assertThat(c.mtu()).isZero();
  }

  @Test
  void badConfigurationsAreRefusedWithTheSpecsCodes() {
    String ok = "\"cniVersion\":\"1.0.0\",\"name\":\"n\"";
    assertThat(code("not json")).isEqualTo(6);
    assertThat(code("{" + ok + ",\"type\":\"bridge\",\"ipam\":{\"type\":\"calico-ipam\"}}")).isEqualTo(7);
    assertThat(code("{" + ok + ",\"type\":\"calico\"}")).isEqualTo(7);
    assertThat(code("{" + ok + ",\"type\":\"calico\",\"ipam\":{\"type\":\"../bin/sh\"}}")).isEqualTo(7);
    assertThat(code("{" + ok + ",\"type\":\"calico\",\"ipam\":{\"type\":\"calico-ipam\"},\"mtu\":40}")).isEqualTo(7);
    assertThat(code("{" + ok + ",\"type\":\"calico\",\"ipam\":{\"type\":\"calico-ipam\"},\"mtu\":\"1500\"}"))
        .isEqualTo(7);
    assertThat(code("{" + ok + ",\"type\":\"calico\",\"ipam\":{\"type\":\"calico-ipam\"},"
        + "\"container_settings\":{\"allow_ip_forwarding\":\"yes\"}}")).isEqualTo(7);
    assertThat(code("{\"cniVersion\":\"2.0.0\",\"name\":\"n\",\"type\":\"calico\",\"ipam\":{\"type\":\"calico-ipam\"}}"))
        .isEqualTo(1);
    assertThat(code("{\"name\":\"n\",\"type\":\"calico\",\"ipam\":{\"type\":\"calico-ipam\"}}")).isEqualTo(1);
    assertThat(code("{\"cniVersion\":\"1.0.0\",\"type\":\"calico\",\"ipam\":{\"type\":\"calico-ipam\"}}")).isEqualTo(7);
    assertThatThrownBy(() -> PluginConf.parse("{" + ok + ",\"type\":\"calico\",\"ipam\":{\"type\":\"calico-ipam\"},"
        + "\"mtu\":40}")).hasMessage("mtu 40 is not an MTU");
  }

  @Test
  void resultsFollowTheRequestedSpecVersion() {
    PodNetwork.Setup s = new PodNetwork.Setup("cali0123456789a", "02:00:00:00:00:01");
    List<Cidr> ips = List.of(Cidr.parse("10.0.0.5/32"));
    String v1 = WorkloadPlugin.result("1.0.0", "eth0", "/var/run/netns/p", ips, s).toString();
    assertThat(v1).isEqualTo("{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"cali0123456789a\"},"
        + "{\"name\":\"eth0\",\"mac\":\"02:00:00:00:00:01\",\"sandbox\":\"/var/run/netns/p\"}],"
        + "\"ips\":[{\"address\":\"10.0.0.5/32\",\"interface\":1}],\"dns\":{}}");
    String v04 = WorkloadPlugin.result("0.4.0", "eth0", "/var/run/netns/p", ips, s).toString();
    assertThat(v04).contains("\"ips\":[{\"version\":\"4\",\"address\":\"10.0.0.5/32\",\"interface\":1}]")
        .startsWith("{\"cniVersion\":\"0.4.0\"");
  }

  @Test
  void delegatedPluginsAreFoundOnCniPath() throws Exception {
    java.nio.file.Path a = java.nio.file.Files.createTempDirectory("cnipath-a");
    java.nio.file.Path b = java.nio.file.Files.createTempDirectory("cnipath-b");
    try {
      java.nio.file.Path exe = java.nio.file.Files.createFile(b.resolve("my-ipam"));
      exe.toFile().setExecutable(true);
      assertThat(IpamStage.find("my-ipam", a + ":" + b)).isEqualTo(exe);
      assertThatThrownBy(() -> IpamStage.find("none-such", a + ":" + b))
          .hasMessage("IPAM plugin none-such is not in CNI_PATH " + a + ":" + b);
      assertThatThrownBy(() -> IpamStage.find("my-ipam", null)).hasMessage("CNI_PATH is not set")
          .extracting(e -> ((CniException) e).code()).isEqualTo(4);
      java.nio.file.Files.delete(exe);
    } finally {
      java.nio.file.Files.delete(a);
      java.nio.file.Files.delete(b);
    }
  }
}
