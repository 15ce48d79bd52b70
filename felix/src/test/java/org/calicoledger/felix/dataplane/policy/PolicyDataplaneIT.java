package org.calicoledger.felix.dataplane.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.calicoledger.events.image.ClusterImage;
import org.calicoledger.felix.FelixContext;
import org.calicoledger.felix.FelixPart;
import org.calicoledger.felix.Sequencer;
import org.calicoledger.felix.calc.policy.PolicyCalc;
import org.calicoledger.felix.calc.policy.PolicyNames;
import org.calicoledger.felix.dataplane.ipsets.IpSetsPart;
import org.calicoledger.felix.dataplane.iptables.IptablesPart;
import org.calicoledger.felix.kernel.HostCommands;
import org.calicoledger.felix.testing.ImageBuilder;
import org.calicoledger.felix.testing.Netns;
import org.junit.jupiter.api.Test;

/**
 * Felix's ipsets and iptables parts with one {@link PolicyCalc}, programming a node namespace of the test's own with
 * three pods (Calico-style veths), checked with real pings and the kernel's own tables: the default profile, a policy
 * that denies by default, allow by selector, relabelling through the ipset, Pass, per-rule counters, every rule shape
 * accepted by {@code iptables-restore} and read back equal, and deleting the policy.
 */
class PolicyDataplaneIT {
  static final String NODE = "n1";
  static final String PROFILE = "\"ingress\":[{\"action\":\"Allow\",\"source\":{\"selector\":\"has(net)\"}}],"
      + "\"egress\":[{\"action\":\"Allow\"}],\"labelsToApply\":{\"net\":\"\"}";

  @Test
  void policyIsEnforcedByTheKernel() {
    try (Netns lab = new Netns()) {
      String node = lab.add("node");
      String a = lab.add("a");
      String b = lab.add("b");
      String c = lab.add("c");
      Netns.pod(node, a, "calia", "10.65.0.1");
      Netns.pod(node, b, "calib", "10.65.0.2");
      Netns.pod(node, c, "calic", "10.65.0.3");
      // proxy ARP answers at once, as Calico's CNI sets it up (the kernel's default delays up to 0.8 s)
      // and a default route in the node (to an uplink namespace) makes 169.254.1.1 routable, which proxy ARP needs
      Netns.link(node, "eth0", "192.168.51.1/24", lab.add("up"), "eth0", "192.168.51.2/24");
      Netns.must(node, "for i in calia calib calic; do sysctl -qw net.ipv4.neigh.$i.proxy_delay=0; done"
          + " && ip route add default via 192.168.51.2 dev eth0");
      HostCommands cmd = Netns.in(node);
      PolicyCalc policy = new PolicyCalc(NODE);
      FelixContext ctx = new FelixContext(NODE, Map.of(), null, null, "test");
      List<FelixPart> parts = List.of(new IpSetsPart(cmd, policy), new IptablesPart(ctx, cmd, policy));
      ImageBuilder img = new ImageBuilder();
      img.global("Profile", "profiles", "net", "", PROFILE);
      img.endpoint("default", "a", NODE, "calia", "10.65.0.1", "\"role\":\"web\"", "net");
      img.endpoint("default", "b", NODE, "calib", "10.65.0.2", "\"role\":\"db\"", "net");
      img.endpoint("default", "c", NODE, "calic", "10.65.0.3", "\"role\":\"other\"", "net");
      apply(parts, img.image(), true);
      assertThat(ping(a, "10.65.0.2")).as("no policy: the profile allows its own members").isTrue();
      assertThat(ping(c, "10.65.0.2")).isTrue();

      img.global("GlobalNetworkPolicy", "globalnetworkpolicies", "db", "", "\"order\":10,\"selector\":"
          + "\"role == 'db'\",\"types\":[\"Ingress\"],\"ingress\":[{\"action\":\"Allow\",\"protocol\":\"ICMP\","
          + "\"source\":{\"selector\":\"role == 'web'\"}}]");
      apply(parts, img.image(), false);
      assertThat(ping(a, "10.65.0.2")).as("web to db: allowed by the policy").isTrue();
      assertThat(ping(c, "10.65.0.2")).as("other to db: the policy selects db, nothing allows it").isFalse();
      assertThat(ping(b, "10.65.0.3")).as("an Ingress policy leaves db's egress alone").isTrue();
      String counters = Netns.must(node, "iptables -t filter -L cali-pi-db -v -x -n");
      assertThat(counters.lines().filter(l -> l.contains("MARK")).findFirst().orElseThrow().strip().split("\\s+")[0])
          .as("per-rule counters:\n%s", counters).isNotEqualTo("0");

      img.endpoint("default", "c", NODE, "calic", "10.65.0.3", "\"role\":\"web\"", "net");
      apply(parts, img.image(), false);
      assertThat(ping(c, "10.65.0.2")).as("relabelled web: the selector ipset now holds it").isTrue();
      img.endpoint("default", "c", NODE, "calic", "10.65.0.3", "\"role\":\"other\"", "net");
      apply(parts, img.image(), false);
      assertThat(ping(c, "10.65.0.2")).isFalse();

      img.global("GlobalNetworkPolicy", "globalnetworkpolicies", "pass", "", "\"order\":1,\"selector\":"
          + "\"role == 'db'\",\"ingress\":[{\"action\":\"Pass\",\"source\":{\"nets\":[\"10.65.0.3/32\"]}}]");
      apply(parts, img.image(), false);
      assertThat(ping(c, "10.65.0.2")).as("Pass skips the deny of later policies; the profile allows").isTrue();
      img.delete(org.calicoledger.store.Keys.RESOURCES + "globalnetworkpolicies/pass");

      img.global("GlobalNetworkPolicy", "globalnetworkpolicies", "shapes", "", "\"order\":20,\"selector\":"
          + "\"role == 'db'\",\"types\":[\"Ingress\",\"Egress\"],\"ingress\":["
          + "{\"action\":\"Log\",\"protocol\":\"TCP\",\"source\":{\"nets\":[\"10.0.0.0/8\",\"192.168.0.0/16\"],"
          + "\"notPorts\":[1,\"2:3\"]},\"destination\":{\"ports\":[80,443,\"8000:8080\"]}},"
          + "{\"action\":\"Deny\",\"protocol\":\"UDP\",\"source\":{\"notNets\":[\"10.1.0.0/16\",\"10.2.0.0/16\"],"
          + "\"notSelector\":\"has(x)\"},\"destination\":{\"notPorts\":[53]}},"
          + "{\"action\":\"Allow\",\"protocol\":\"ICMP\",\"icmp\":{\"type\":8,\"code\":0}},"
          + "{\"action\":\"Deny\",\"protocol\":\"ICMP\",\"notICMP\":{\"type\":3}},"
          + "{\"action\":\"Pass\",\"notProtocol\":\"TCP\",\"destination\":{\"nets\":[\"10.65.0.2\"]}},"
          + "{\"action\":\"Allow\",\"protocol\":132,\"destination\":{\"ports\":[9]}},"
          + "{\"action\":\"Deny\",\"source\":{\"namespaceSelector\":\"projectcalico.org/name == 'default'\"}}],"
          + "\"egress\":[{\"action\":\"Allow\",\"protocol\":\"UDPLite\"},{\"action\":\"Deny\"}]");
      apply(parts, img.image(), false);
      assertThat(apply(parts, img.image(), true)).as("a full resync reads back exactly what was written").isFalse();
      String save = Netns.must(node, "iptables-save -t filter");
      assertThat(save).contains("-j LOG --log-prefix \"calico-packet: \"").contains("--icmp-type 8/0")
          .contains(PolicyNames.policyChain(false, "shapes"));
      assertThat(ping(b, "10.65.0.3")).as("the egress policy now denies db's traffic out").isFalse();

      img.delete(org.calicoledger.store.Keys.RESOURCES + "globalnetworkpolicies/shapes");
      img.delete(org.calicoledger.store.Keys.RESOURCES + "globalnetworkpolicies/db");
      apply(parts, img.image(), false);
      assertThat(ping(c, "10.65.0.2")).as("policies deleted: the profile decides again").isTrue();
      String after = Netns.must(node, "iptables-save -t filter");
      assertThat(after).doesNotContain("cali-pi-db").doesNotContain("cali-po-_");
      assertThat(Netns.must(node, "ipset list -n")).doesNotContain("cali40n:");
      assertThat(apply(parts, img.image(), true)).isFalse();
    }
  }

  static boolean apply(List<FelixPart> parts, ClusterImage image, boolean full) {
    for (FelixPart p : parts) {
      p.onImage(image);
    }
    Sequencer.Outcome o = Sequencer.pass(parts, p -> full);
    assertThat(o.errors()).as("apply errors").isEmpty();
    if (o.changed() && !full) { // sets destroyed only once no rule names them: the next pass retries
      Sequencer.pass(parts, p -> false);
    }
    return o.changed();
  }

  static boolean ping(String ns, String dst) {
    return Netns.sh(ns, "ping -c 1 -W 1 " + dst).ok();
  }
}
