package org.calicoledger.node.felix;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.calicoledger.node.testing.FelixLab;
import org.calicoledger.node.testing.NodeLab;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Felix's iptables, ipsets and WireGuard parts end to end: calico-node on {@code a} (subnet 1) and {@code c}
 * (subnet 2) of a {@link FelixLab}, backend {@code vxlan}, pods through {@code bin/calico}, changes through
 * {@code calicoctl}. The router has no route to the pool, so a pod reaches the router's far address 10.10.2.254 only
 * when its node masquerades; the router's FORWARD counters show what crosses the underlay between the subnets.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FelixRulesIT {
  // wireguard-go's control socket (/var/run/wireguard/<name>.sock) is shared by every namespace: a name per node
  static final String WG_A = "wge" + (ProcessHandle.current().pid() % 100000) + "a";
  static final String WG_C = "wge" + (ProcessHandle.current().pid() % 100000) + "c";
  static FelixLab lab;
  static FelixLab.Node a;
  static FelixLab.Node c;
  static String podA;
  static String podC;

  static Map<String, String> env(String wgName) {
    Map<String, String> m = new HashMap<>(Map.of("CALICO_NETWORKING_BACKEND", "vxlan",
        "CALICO_IPV4POOL_CIDR", "10.30.0.0/16", "CALICO_IPV4POOL_VXLAN", "Always", "CALICO_IPV4POOL_IPIP", "Never",
        "CALICO_IPV4POOL_NAT_OUTGOING", "true", "FELIX_ROUTEREFRESHINTERVAL", "2",
        "FELIX_IPTABLESREFRESHINTERVAL", "2"));
    m.put("FELIX_WIREGUARDINTERFACENAME", wgName);
    return m;
  }

  @BeforeAll
  static void cluster() throws Exception {
    lab = FelixLab.start();
    a = lab.node("a", 1, 2, env(WG_A));
    c = lab.node("c", 2, 2, env(WG_C));
    podA = a.addPod("p1");
    podC = c.addPod("p1");
  }

  @AfterAll
  static void cleanup() {
    if (lab != null) {
      lab.close();
    }
    assertThat(NodeLab.namespaces()).noneMatch(n -> lab != null && n.startsWith(lab.id));
    assertThat(ProcessHandle.allProcesses().map(p -> p.info().commandLine().orElse(""))
        .filter(cmd -> cmd.contains("wireguard-go") && (cmd.contains(WG_A) || cmd.contains(WG_C))))
        .as("no wireguard-go left behind").isEmpty();
  }

  static String tail(FelixLab.Node n) {
    String t = n.logText();
    return t.length() > 4000 ? t.substring(t.length() - 4000) : t;
  }

  static String sh(FelixLab.Node n, String script) {
    NodeLab.Run r = n.exec("sh", "-c", script);
    assertThat(r.code()).as(script + "\n" + r.out() + r.err()).isZero();
    return r.out();
  }

  static long masqueradePackets(FelixLab.Node n) {
    for (String line : sh(n, "iptables-save -c -t nat").split("\n")) {
      if (line.startsWith("[") && line.contains("-A cali-nat-outgoing") && line.contains("MASQUERADE")) {
        return Long.parseLong(line.substring(1, line.indexOf(':')));
      }
    }
    return -1;
  }

  /** Packets the router forwarded, by its counting rules: icmp, udp 4789 (VXLAN), udp 51820 (WireGuard). */
  static Map<String, Long> underlay() {
    Map<String, Long> m = new HashMap<>();
    for (String line : lab.inRouter("iptables-save", "-c", "-t", "filter").out().split("\n")) {
      if (!line.startsWith("[") || !line.contains("-A FORWARD")) {
        continue;
      }
      long pkts = Long.parseLong(line.substring(1, line.indexOf(':')));
      if (line.contains("-p icmp")) {
        m.put("icmp", pkts);
      } else if (line.contains("--dport 4789")) {
        m.put("vxlan", pkts);
      } else if (line.contains("--dport 51820")) {
        m.put("wireguard", pkts);
      }
    }
    return m;
  }

  static JsonNode node(String name) throws Exception {
    return NodeLab.JSON.readTree(lab.etcdGet("/calico/resources/v3/projectcalico.org/nodes/" + name));
  }

  @Test
  @Order(1)
  void natOutgoingMasqueradesPodTrafficAndFalseRemovesIt() throws Exception {
    FelixLab.await(Duration.ofSeconds(60), () -> masqueradePackets(a) >= 0, "cali-nat-outgoing on a\n" + tail(a));
    assertThat(sh(a, "ipset list cali40masq-ipam-pools")).contains("10.30.0.0/16");
    long before = masqueradePackets(a);
    FelixLab.await(Duration.ofSeconds(30), () -> a.ping("p1", "10.10.2.254"), "pod on a reaches 10.10.2.254");
    assertThat(masqueradePackets(a)).isGreaterThan(before);
    assertThat(sh(a, "iptables -S FORWARD").split("\n")[1]).contains("cali:").endsWith("-j cali-FORWARD");

    lab.calicoctl(null, "patch", "ippool", "default-ipv4-ippool", "-p", "{\"spec\":{\"natOutgoing\":false}}");
    FelixLab.await(Duration.ofSeconds(30), () -> masqueradePackets(a) < 0, "MASQUERADE gone on a");
    assertThat(sh(a, "ipset list cali40masq-ipam-pools")).doesNotContain("10.30.0.0/16");
    assertThat(a.ping("p1", "10.10.2.254")).as("no MASQUERADE: the router cannot answer a pool address").isFalse();

    lab.calicoctl(null, "patch", "ippool", "default-ipv4-ippool", "-p", "{\"spec\":{\"natOutgoing\":true}}");
    FelixLab.await(Duration.ofSeconds(30), () -> a.ping("p1", "10.10.2.254"), "MASQUERADE back");
  }

  @Test
  @Order(2)
  void theNextIptablesResyncRepairsAFlushedChainAndLeavesForeignRules() throws Exception {
    sh(a, "iptables -A FORWARD -s 203.0.113.9/32 -j DROP && iptables -P FORWARD DROP");
    sh(a, "iptables -F cali-FORWARD && iptables -D FORWARD 1");
    assertThat(sh(a, "iptables -S cali-FORWARD")).doesNotContain("-i cali+");
    FelixLab.await(Duration.ofSeconds(20), () -> sh(a, "iptables -S cali-FORWARD").contains("-i cali+ ")
        && sh(a, "iptables -S FORWARD").split("\n")[1].endsWith("-j cali-FORWARD"), "cali-FORWARD repaired");
    assertThat(sh(a, "iptables -S FORWARD")).contains("-A FORWARD -s 203.0.113.9/32 -j DROP");
    FelixLab.await(Duration.ofSeconds(20), () -> a.ping("p1", podC), "pod a to pod c with FORWARD policy DROP");
  }

  @Test
  @Order(3)
  void wireguardCarriesPodTrafficBetweenNodesAndOffRemovesIt() throws Exception {
    lab.inRouter("iptables", "-A", "FORWARD", "-p", "icmp");
    lab.inRouter("iptables", "-A", "FORWARD", "-p", "udp", "--dport", "4789");
    lab.inRouter("iptables", "-A", "FORWARD", "-p", "udp", "--dport", "51820");
    FelixLab.await(Duration.ofSeconds(20), () -> a.ping("p1", podC), "pod a to pod c over VXLAN");
    assertThat(underlay().get("vxlan")).as("before WireGuard: VXLAN on the underlay").isPositive();

    lab.calicoctl(null, "patch", "felixconfiguration", "default", "-p", "{\"spec\":{\"wireguardEnabled\":true}}");
    FelixLab.await(Duration.ofSeconds(60), () -> {
      try {
        return !node("a").path("status").path("wireguardPublicKey").asText().isEmpty()
            && !node("c").path("status").path("wireguardPublicKey").asText().isEmpty()
            && a.exec("wg", "show", WG_A).out().contains("endpoint: 10.10.2.2:51820");
      } catch (Exception e) {
        return false;
      }
    }, "keys published and peers programmed\n" + tail(a));
    String keyA = node("a").path("status").path("wireguardPublicKey").asText();
    assertThat(a.exec("wg", "show", WG_A, "public-key").out().strip()).isEqualTo(keyA);
    assertThat(c.exec("wg", "show", WG_C).out()).contains("peer: " + keyA, "endpoint: 10.10.1.2:51820");
    assertThat(sh(a, "ip rule show pref 99")).contains("lookup 1");
    FelixLab.await(Duration.ofSeconds(20), () -> a.ping("p1", podC), "pod a to pod c over WireGuard");

    lab.inRouter("iptables", "-Z", "FORWARD");
    for (int i = 0; i < 3; i++) {
      assertThat(a.ping("p1", podC)).isTrue();
    }
    Map<String, Long> u = underlay();
    assertThat(u.get("icmp")).as("plain ICMP across the router").isZero();
    assertThat(u.get("vxlan")).as("VXLAN across the router").isZero();
    assertThat(u.get("wireguard")).as("WireGuard across the router").isGreaterThanOrEqualTo(6);

    lab.calicoctl(null, "patch", "felixconfiguration", "default", "-p", "{\"spec\":{\"wireguardEnabled\":false}}");
    FelixLab.await(Duration.ofSeconds(60), () -> a.exec("ip", "link", "show", WG_A).code() != 0
        && c.exec("ip", "link", "show", WG_C).code() != 0, "WireGuard interfaces gone");
    FelixLab.await(Duration.ofSeconds(30), () -> {
      try {
        return node("a").path("status").path("wireguardPublicKey").isMissingNode();
      } catch (Exception e) {
        return false;
      }
    }, "a's key withdrawn");
    assertThat(sh(a, "ip rule show pref 99")).isBlank();
    assertThat(a.exec("ip", "route", "show", "table", "1").out()).isBlank();
    lab.inRouter("iptables", "-Z", "FORWARD");
    FelixLab.await(Duration.ofSeconds(20), () -> a.ping("p1", podC), "pod a to pod c over VXLAN again");
    assertThat(underlay().get("vxlan")).isPositive();
  }
}
