package org.calicoledger.node.cni;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.calicoledger.node.testing.NodeLab;
import org.calicoledger.node.testing.NodeLab.Run;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * bin/calico exactly as a container runtime runs it (environment and stdin, from the root namespace), against
 * calico-node in a node namespace with its own etcd; pods are namespaces. Real kernel: veths, proxy ARP, routes.
 */
class CniPluginIT {
  static NodeLab lab;

  @BeforeAll
  static void start() throws Exception {
    lab = NodeLab.start("node-a", Map.of("CALICO_IPV4POOL_CIDR", "10.244.0.0/16"));
  }

  @AfterAll
  static void stop() {
    String id = lab.id;
    lab.close();
    assertThat(NodeLab.namespaces()).noneMatch(ns -> ns.startsWith(id));
  }

  static String conf() {
    return lab.conf("1.0.0", "");
  }

  static String addressOf(Run add) {
    assertThat(add.code()).as(add.out() + add.err()).isZero();
    return add.json().path("ips").path(0).path("address").asText().replace("/32", "");
  }

  static String hostVeth(String pod) {
    return "cali" + WorkloadIds.sha1Hex("default." + pod).substring(0, 11);
  }

  @Test
  void twoPodsOnOneNodePingThroughProxyArp() {
    lab.pod("web-1");
    lab.pod("web-2");
    Run a1 = lab.calico("ADD", "c-web-1", "web-1", conf());
    Run a2 = lab.calico("ADD", "c-web-2", "web-2", conf());
    String ip1 = addressOf(a1);
    String ip2 = addressOf(a2);
    assertThat(ip1).isNotEqualTo(ip2).startsWith("10.244.");

    // the result: host interface, pod interface in the sandbox, the address on it
    JsonNode r = a1.json();
    assertThat(r.path("cniVersion").asText()).isEqualTo("1.0.0");
    assertThat(r.path("interfaces").path(0).path("name").asText()).isEqualTo(hostVeth("web-1"));
    assertThat(r.path("interfaces").path(1).path("name").asText()).isEqualTo("eth0");
    assertThat(r.path("interfaces").path(1).path("sandbox").asText()).isEqualTo("/var/run/netns/" + lab.podNs("web-1"));
    assertThat(r.path("ips").path(0).path("interface").asInt()).isEqualTo(1);

    // pod side: /32 on eth0, 169.254.1.1 scope link, default via it
    assertThat(lab.inPod("web-1", "ip", "-4", "-o", "addr", "show", "dev", "eth0").out()).contains(ip1 + "/32");
    String podRoutes = lab.inPod("web-1", "ip", "route").out();
    assertThat(podRoutes).contains("default via 169.254.1.1 dev eth0").contains("169.254.1.1 dev eth0 scope link");
    // host side: cali + 11 hex of sha1(namespace.pod), ee:ee:ee:ee:ee:ee, proxy_arp, /32 route scope link
    String veth = hostVeth("web-1");
    assertThat(lab.inNode("ip", "-o", "link", "show", veth).out()).contains("link/ether ee:ee:ee:ee:ee:ee");
    assertThat(lab.inNode("cat", "/proc/sys/net/ipv4/conf/" + veth + "/proxy_arp").out().strip()).isEqualTo("1");
    assertThat(lab.inNode("cat", "/proc/sys/net/ipv4/conf/" + veth + "/forwarding").out().strip()).isEqualTo("1");
    assertThat(lab.inNode("cat", "/proc/sys/net/ipv4/conf/" + veth + "/route_localnet").out().strip()).isEqualTo("1");
    assertThat(lab.inNode("ip", "route", "show", ip1).out()).contains(ip1 + " dev " + veth + " scope link");
    assertThat(lab.inPod("web-1", "cat", "/proc/sys/net/ipv4/ip_forward").out().strip()).isEqualTo("0");

    // pod to pod through the node, both ways
    Run ping12 = lab.inPod("web-1", "ping", "-c", "2", "-W", "2", ip2);
    assertThat(ping12.code()).as(ping12.out() + ping12.err()).isZero();
    Run ping21 = lab.inPod("web-2", "ping", "-c", "2", "-W", "2", ip1);
    assertThat(ping21.code()).as(ping21.out() + ping21.err()).isZero();
    assertThat(lab.inPod("web-1", "ip", "neigh", "show", "169.254.1.1").out())
        .contains("169.254.1.1 dev eth0 lladdr ee:ee:ee:ee:ee:ee");

    // the endpoint in etcd, named and labelled as Calico does
    JsonNode wep = readWep("node--a-k8s-web--1-eth0");
    assertThat(wep.path("metadata").path("labels").path("projectcalico.org/namespace").asText()).isEqualTo("default");
    assertThat(wep.path("metadata").path("labels").path("projectcalico.org/orchestrator").asText()).isEqualTo("k8s");
    assertThat(wep.path("metadata").path("labels").path("calicoledger.org/pod").asText()).as("our pod label")
        .isEqualTo("web-1");
    JsonNode spec = wep.path("spec");
    assertThat(spec.path("node").asText()).isEqualTo("node-a");
    assertThat(spec.path("orchestrator").asText()).isEqualTo("k8s");
    assertThat(spec.path("pod").asText()).isEqualTo("web-1");
    assertThat(spec.path("endpoint").asText()).isEqualTo("eth0");
    assertThat(spec.path("containerID").asText()).isEqualTo("c-web-1");
    assertThat(spec.path("interfaceName").asText()).isEqualTo(veth);
    assertThat(spec.path("ipNetworks").toString()).isEqualTo("[\"" + ip1 + "/32\"]");
    assertThat(spec.path("profiles").toString()).isEqualTo("[\"kns.default\"]");
    assertThat(spec.path("mac").asText()).isEqualTo(r.path("interfaces").path(1).path("mac").asText());
    assertThat(lab.etcdGet("/calico/resources/v3/projectcalico.org/profiles/kns.default")).contains("Allow");
    // IPAM: handle <network>.<containerID>
    assertThat(lab.etcdGet("/calico/ipam/v2/handle/k8s-pod-network.c-web-1")).isNotNull();

    assertThat(lab.calico("DEL", "c-web-1", "web-1", conf()).code()).isZero();
    assertThat(lab.calico("DEL", "c-web-2", "web-2", conf()).code()).isZero();
    lab.deletePod("web-1");
    lab.deletePod("web-2");
  }

  static JsonNode readWep(String name) {
    String v = lab.etcdGet("/calico/resources/v3/projectcalico.org/workloadendpoints/default/" + name);
    assertThat(v).as("WorkloadEndpoint default/" + name).isNotNull();
    try {
      return NodeLab.JSON.readTree(v);
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void delThenAddAgainReusesNothingStale() {
    String netns = lab.pod("db-0");
    Run add = lab.calico("ADD", "c-db-0-a", "db-0", conf());
    String ip = addressOf(add);
    String mac = add.json().path("interfaces").path(1).path("mac").asText();

    Run del = lab.calico("DEL", "c-db-0-a", "db-0", conf());
    assertThat(del.code()).as(del.out()).isZero();
    assertThat(del.out()).isEmpty();
    assertThat(lab.inNode("ip", "-o", "link").out()).doesNotContain(hostVeth("db-0"));
    assertThat(lab.inPod("db-0", "ip", "-o", "link").out()).doesNotContain("eth0");
    assertThat(lab.inNode("ip", "route").out()).doesNotContain(ip + " ");
    assertThat(lab.etcdKeys("/calico/resources/v3/projectcalico.org/workloadendpoints/default/node--a-k8s-db--0"))
        .isEmpty();
    assertThat(lab.etcdGet("/calico/ipam/v2/handle/k8s-pod-network.c-db-0-a")).isNull();

    // DEL is idempotent: again, and with the namespace gone
    assertThat(lab.calico("DEL", "c-db-0-a", "db-0", conf()).code()).isZero();
    lab.deletePod("db-0");
    Run gone = lab.cni("calico", "DEL", "c-db-0-a", netns, "K8S_POD_NAMESPACE=default;K8S_POD_NAME=db-0", conf());
    assertThat(gone.code()).as(gone.out()).isZero();
    Run unknown = lab.cni("calico", "DEL", "never-added", "", null, conf());
    assertThat(unknown.code()).as(unknown.out()).isZero();

    // a new sandbox for the same pod: a fresh address, interface and endpoint
    lab.pod("db-0");
    Run again = lab.calico("ADD", "c-db-0-b", "db-0", conf());
    String ip2 = addressOf(again);
    assertThat(ip2).isNotEqualTo(ip);
    assertThat(again.json().path("interfaces").path(1).path("mac").asText()).isNotEqualTo(mac);
    assertThat(readWep("node--a-k8s-db--0-eth0").path("spec").path("containerID").asText()).isEqualTo("c-db-0-b");
    assertThat(lab.inNode("ip", "route").out()).doesNotContain(ip + " ").contains(ip2 + " dev " + hostVeth("db-0"));
    lab.pod("probe");
    assertThat(addressOf(lab.calico("ADD", "c-probe", "probe", conf()))).isNotIn(ip, ip2);
    Run ping = lab.inPod("probe", "ping", "-c", "1", "-W", "2", ip2);
    assertThat(ping.code()).as(ping.out()).isZero();
    lab.calico("DEL", "c-db-0-b", "db-0", conf());
    lab.calico("DEL", "c-probe", "probe", conf());
    lab.deletePod("db-0");
    lab.deletePod("probe");
  }

  @Test
  void twentyConcurrentAddsGetDistinctReachableAddresses() throws Exception {
    int n = 20;
    for (int i = 0; i < n; i++) {
      lab.pod("par-" + i);
    }
    ExecutorService pool = Executors.newFixedThreadPool(n);
    List<Future<Run>> adds = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int k = i;
      adds.add(pool.submit(() -> lab.calico("ADD", "c-par-" + k, "par-" + k, conf())));
    }
    List<String> ips = new ArrayList<>();
    for (Future<Run> f : adds) {
      ips.add(addressOf(f.get()));
    }
    assertThat(new HashSet<>(ips)).hasSize(n);
    for (int i = 1; i < n; i++) {
      Run ping = lab.inPod("par-0", "ping", "-c", "1", "-W", "2", ips.get(i));
      assertThat(ping.code()).as("par-0 -> par-" + i + " " + ips.get(i) + ": " + ping.out()).isZero();
    }
    Run back = lab.inPod("par-" + (n - 1), "ping", "-c", "1", "-W", "2", ips.get(0));
    assertThat(back.code()).as(back.out()).isZero();

    List<Future<Run>> dels = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int k = i;
      dels.add(pool.submit(() -> lab.calico("DEL", "c-par-" + k, "par-" + k, conf())));
    }
    for (Future<Run> f : dels) {
      assertThat(f.get().code()).as(f.get().out()).isZero();
    }
    pool.shutdown();
    assertThat(lab.etcdKeys("/calico/ipam/v2/handle/k8s-pod-network.c-par-")).isEmpty();
    assertThat(lab.etcdKeys("/calico/resources/v3/projectcalico.org/workloadendpoints/default/node--a-k8s-par"))
        .isEmpty();
    for (int i = 0; i < n; i++) {
      assertThat(lab.inNode("ip", "-o", "link").out()).doesNotContain(hostVeth("par-" + i));
      lab.deletePod("par-" + i);
    }
  }

  @Test
  void checkPassesUntilSomethingDiffersThenNamesIt() {
    lab.pod("chk");
    Run add = lab.calico("ADD", "c-chk", "chk", conf());
    String ip = addressOf(add);
    String prev = ",\"prevResult\":" + add.out();
    Run ok = lab.calico("CHECK", "c-chk", "chk", lab.conf("1.0.0", prev));
    assertThat(ok.code()).as(ok.out()).isZero();
    assertThat(ok.out()).isEmpty();

    lab.must("ip", "-n", lab.podNs("chk"), "route", "del", "default");
    lab.inNode("sysctl", "-qw", "net.ipv4.conf." + hostVeth("chk") + ".proxy_arp=0");
    Run bad = lab.calico("CHECK", "c-chk", "chk", lab.conf("1.0.0", prev));
    assertThat(bad.code()).isEqualTo(1);
    assertThat(bad.json().path("code").asInt()).isEqualTo(102);
    assertThat(bad.json().path("details").asText())
        .contains("default route via 169.254.1.1 dev eth0 is missing")
        .contains("proxy_arp is 0, expected 1");

    Run other = lab.calico("CHECK", "c-chk", "chk", lab.conf("1.0.0",
        ",\"prevResult\":{\"ips\":[{\"address\":\"10.1.2.3/32\"}]}"));
    assertThat(other.json().path("details").asText()).contains("prevResult has addresses [10.1.2.3/32]")
        .contains(ip + "/32");
    Run unknown = lab.calico("CHECK", "c-other", "chk", lab.conf("1.0.0", prev));
    assertThat(unknown.json().path("code").asInt()).isEqualTo(3);
    Run old = lab.calico("CHECK", "c-chk", "chk", lab.conf("0.3.1", prev));
    assertThat(old.json().path("code").asInt()).isEqualTo(1);
    lab.calico("DEL", "c-chk", "chk", conf());
    lab.deletePod("chk");
  }

  @Test
  void olderSpecVersionsTagAddressesWithTheirVersion() {
    lab.pod("v040");
    Run add = lab.calico("ADD", "c-v040", "v040", lab.conf("0.4.0", ""));
    assertThat(add.code()).as(add.out()).isZero();
    assertThat(add.json().path("cniVersion").asText()).isEqualTo("0.4.0");
    assertThat(add.json().path("ips").path(0).path("version").asText()).isEqualTo("4");
    lab.calico("DEL", "c-v040", "v040", lab.conf("0.4.0", ""));
    lab.deletePod("v040");
  }

  @Test
  void badConfigurationIsCode7AndBadEnvironmentCode4() {
    String netns = lab.pod("err");
    String args = "K8S_POD_NAMESPACE=default;K8S_POD_NAME=err";
    assertThat(code(lab.cni("calico", "ADD", "c-err", netns, args, conf().replace("\"type\":\"calico\"",
        "\"type\":\"bridge\"")))).isEqualTo(7);
    assertThat(code(lab.cni("calico", "ADD", "c-err", netns, args, conf().replace(
        "\"ipam\":{\"type\":\"calico-ipam\"},", "")))).isEqualTo(7);
    assertThat(code(lab.cni("calico", "ADD", "c-err", netns, args, lab.conf("1.0.0", ",\"mtu\":12")))).isEqualTo(7);
    assertThat(code(lab.cni("calico", "ADD", "c-err", netns, args, lab.conf("1.0.0", ",\"nodename\":\"node-b\""))))
        .isEqualTo(7);
    assertThat(code(lab.cni("calico", "ADD", "c-err", netns, args, conf().replace("\"name\":\"k8s-pod-network\",",
        "")))).isEqualTo(7);
    Run noContainer = lab.cni("calico", "ADD", null, netns, args, conf());
    assertThat(code(noContainer)).isEqualTo(4);
    assertThat(noContainer.json().path("msg").asText()).contains("CNI_CONTAINERID");
    Run noNetns = lab.cni("calico", "ADD", "c-err", null, args, conf());
    assertThat(code(noNetns)).isEqualTo(4);
    assertThat(noNetns.json().path("msg").asText()).contains("CNI_NETNS");
    assertThat(code(lab.cni("calico", "ADD", "c-err", "/var/run/netns/no-such-ns", args, conf()))).isEqualTo(4);
    assertThat(code(lab.cni("calico", "BOGUS", "c-err", netns, args, conf()))).isEqualTo(4);
    assertThat(code(lab.cni("calico", "ADD", "c-err", netns, args, "{not json"))).isEqualTo(6);
    assertThat(code(lab.cni("calico", "ADD", "c-err", netns, args, lab.conf("9.9.9", "")))).isEqualTo(1);
    // nothing was set up by any of them
    assertThat(lab.inPod("err", "ip", "-o", "link").out()).doesNotContain("eth0");
    assertThat(lab.etcdGet("/calico/ipam/v2/handle/k8s-pod-network.c-err")).isNull();
    lab.deletePod("err");
  }

  @Test
  void aFailedAddUndoesEverythingAndReleasesTheAddress() {
    // the veth cannot be made: the pod already has an eth0 (IPAM had assigned an address by then)
    lab.pod("rb-1");
    lab.must("ip", "-n", lab.podNs("rb-1"), "link", "add", "eth0", "type", "veth", "peer", "name", "blocker");
    Run blocked = lab.calico("ADD", "c-rb-1", "rb-1", conf());
    assertThat(code(blocked)).isEqualTo(101);
    assertThat(blocked.json().path("msg").asText()).contains("File exists");
    assertThat(lab.inNode("ip", "-o", "link").out()).doesNotContain(hostVeth("rb-1"));
    assertThat(lab.etcdGet("/calico/ipam/v2/handle/k8s-pod-network.c-rb-1")).isNull();
    assertThat(lab.etcdKeys("/calico/resources/v3/projectcalico.org/workloadendpoints/default/node--a-k8s-rb--1"))
        .isEmpty();

    // everything is set up, then the endpoint is refused (a pod name that is no valid resource name)
    lab.pod("rb-2");
    String routesBefore = lab.inNode("ip", "route").out();
    Run refused = lab.cni("calico", "ADD", "c-rb-2", "/var/run/netns/" + lab.podNs("rb-2"),
        "K8S_POD_NAMESPACE=default;K8S_POD_NAME=Bad_Pod", conf());
    assertThat(code(refused)).isEqualTo(7);
    assertThat(lab.inNode("ip", "-o", "link").out()).doesNotContain(hostVeth("Bad_Pod"));
    assertThat(lab.inNode("ip", "route").out()).isEqualTo(routesBefore);
    assertThat(lab.inPod("rb-2", "ip", "-o", "link").out()).doesNotContain("eth0");
    assertThat(lab.etcdGet("/calico/ipam/v2/handle/k8s-pod-network.c-rb-2")).isNull();
    lab.deletePod("rb-1");
    lab.deletePod("rb-2");
  }

  static int code(Run r) {
    assertThat(r.code()).as(r.out() + r.err()).isEqualTo(1);
    return r.json().path("code").asInt();
  }

  @Test
  void hostLocalIpamIsDelegatedByTheCniRules() {
    lab.pod("hl");
    String dataDir = lab.dir.resolve("host-local").toString();
    String hl = "{\"cniVersion\":\"1.0.0\",\"name\":\"hl-net\",\"type\":\"calico\",\"node_agent_socket\":\""
        + lab.socket() + "\",\"ipam\":{\"type\":\"host-local\",\"subnet\":\"10.77.0.0/24\",\"dataDir\":\""
        + dataDir + "\"}}";
    Run add = lab.calico("ADD", "c-hl", "hl", hl);
    assertThat(add.code()).as(add.out() + add.err()).isZero();
    String ip = add.json().path("ips").path(0).path("address").asText();
    assertThat(ip).startsWith("10.77.0.").endsWith("/32");
    assertThat(lab.inPod("hl", "ip", "-4", "-o", "addr").out()).contains(ip);
    assertThat(java.nio.file.Files.exists(java.nio.file.Path.of(dataDir, "hl-net", ip.replace("/32", "")))).isTrue();
    Run del = lab.calico("DEL", "c-hl", "hl", hl);
    assertThat(del.code()).as(del.out()).isZero();
    assertThat(java.nio.file.Files.exists(java.nio.file.Path.of(dataDir, "hl-net", ip.replace("/32", "")))).isFalse();
    lab.deletePod("hl");
  }

  @Test
  void calicoIpamGoesThroughTheAgentWhenItIsUp() {
    String ipamConf = lab.conf("1.0.0", "");
    Run add = lab.cni("calico-ipam", "ADD", "c-ipam-only", "/var/run/netns/x", "K8S_POD_NAMESPACE=ns1;K8S_POD_NAME=p",
        ipamConf);
    assertThat(add.code()).as(add.out() + add.err()).isZero();
    assertThat(add.json().path("ips").path(0).path("address").asText()).startsWith("10.244.");
    assertThat(lab.http("/metrics")).contains("calico_cni_requests_total{plugin=\"calico-ipam\",command=\"ADD\",code=\"0\"}");
    Run del = lab.cni("calico-ipam", "DEL", "c-ipam-only", "/var/run/netns/x", null, ipamConf);
    assertThat(del.code()).as(del.out()).isZero();
    assertThat(lab.etcdGet("/calico/ipam/v2/handle/k8s-pod-network.c-ipam-only")).isNull();
  }

  @Test
  void versionNeedsNoAgent() {
    Run v = lab.cni("calico", "VERSION", null, null, null,
        "{\"cniVersion\":\"1.0.0\",\"node_agent_socket\":\"/nonexistent/cni.sock\"}");
    assertThat(v.code()).isZero();
    assertThat(v.json().path("supportedVersions").toString()).isEqualTo("[\"0.3.0\",\"0.3.1\",\"0.4.0\",\"1.0.0\"]");
  }
}
