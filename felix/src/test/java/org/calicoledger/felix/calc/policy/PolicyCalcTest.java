package org.calicoledger.felix.calc.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.calicoledger.events.image.ClusterImage;
import org.calicoledger.felix.dataplane.iptables.Chain;
import org.calicoledger.felix.dataplane.iptables.Rule;
import org.calicoledger.felix.testing.ImageBuilder;
import org.calicoledger.model.selector.Selector;
import org.junit.jupiter.api.Test;

/** {@link PolicyCalc}: which chains and sets the active rules need, and that the incremental path equals a rebuild. */
class PolicyCalcTest {
  static final String NODE = "n1";

  static String gnp(String spec) {
    return spec;
  }

  static ImageBuilder base() {
    ImageBuilder b = new ImageBuilder();
    b.global("Profile", "profiles", "net", "", "\"ingress\":[{\"action\":\"Allow\",\"source\":{\"selector\":"
        + "\"has(net)\"}}],\"egress\":[{\"action\":\"Allow\"}],\"labelsToApply\":{\"net\":\"\"}");
    b.endpoint("default", "db", NODE, "calidb", "10.0.0.1", "\"role\":\"db\"", "net");
    b.endpoint("default", "web", NODE, "caliweb", "10.0.0.2", "\"role\":\"web\"", "net");
    b.endpoint("default", "web2", "n2", "caliweb2", "10.0.1.2", "\"role\":\"web\"", "net");
    return b;
  }

  static List<String> actions(List<Rule> rules) {
    return rules.stream().map(Rule::body).toList();
  }

  @Test
  void withoutPolicyTheProfileDecidesAndTheChainsEndInADrop() {
    PolicyCalc c = new PolicyCalc(NODE);
    c.update(base().image());
    assertThat(actions(c.endpointRules("calidb").toEndpoint())).containsExactly(
        "-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT", "-m conntrack --ctstate INVALID -j DROP",
        "-j MARK --set-xmark 0x0/0x30000", "-j cali-pri-net", "-m mark --mark 0x10000/0x10000 -j RETURN", "-j DROP");
    assertThat(c.endpointRules("caliweb2")).as("another node's endpoint has no chains here").isNull();
    assertThat(c.chains()).containsOnlyKeys("cali-pri-net", "cali-pro-net");
    String webSet = PolicyNames.selectorSet(new SetKey(null, null, Selector.parse("has(net)")));
    assertThat(actions(c.chains().get("cali-pri-net").rules())).containsExactly(
        "-m set --match-set " + webSet + " src -j MARK --set-xmark 0x10000/0x10000",
        "-m mark --mark 0x10000/0x10000 -j RETURN");
    assertThat(c.ipsets().get(webSet).members()).as("profile labels are the endpoints' labels, every node's")
        .containsExactly("10.0.0.1", "10.0.0.2", "10.0.1.2");
  }

  @Test
  void aPolicySelectingAnEndpointIsRenderedAndDeniesByDefaultInItsDirectionOnly() {
    ImageBuilder b = base();
    b.global("GlobalNetworkPolicy", "globalnetworkpolicies", "db", "", "\"order\":10,\"selector\":"
        + "\"role == 'db'\",\"types\":[\"Ingress\"],\"ingress\":[{\"action\":\"Allow\",\"protocol\":\"TCP\","
        + "\"source\":{\"selector\":\"role == 'web'\"},\"destination\":{\"ports\":[5432]}}]");
    b.global("GlobalNetworkPolicy", "globalnetworkpolicies", "nobody", "", "\"selector\":\"role == 'none'\","
        + "\"ingress\":[{\"action\":\"Deny\",\"source\":{\"selector\":\"x == 'y'\"}}]");
    PolicyCalc c = new PolicyCalc(NODE);
    c.update(b.image());
    assertThat(actions(c.endpointRules("calidb").toEndpoint())).containsExactly(
        "-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT", "-m conntrack --ctstate INVALID -j DROP",
        "-j MARK --set-xmark 0x0/0x30000",
        "-m mark --mark 0x0/0x20000 -j cali-pi-db", "-m mark --mark 0x10000/0x10000 -j RETURN",
        "-m mark --mark 0x0/0x20000 -j DROP",
        "-j cali-pri-net", "-m mark --mark 0x10000/0x10000 -j RETURN", "-j DROP");
    assertThat(actions(c.endpointRules("calidb").fromEndpoint())).as("an Ingress policy leaves egress alone")
        .doesNotContain("-m mark --mark 0x0/0x20000 -j DROP").contains("-j cali-pro-net");
    assertThat(actions(c.endpointRules("caliweb").toEndpoint())).doesNotContain("-m mark --mark 0x0/0x20000 -j cali-pi-db");
    String web = PolicyNames.selectorSet(new SetKey(null, null, Selector.parse("role == 'web'")));
    assertThat(actions(c.chains().get("cali-pi-db").rules())).containsExactly(
        "-p tcp -m set --match-set " + web + " src -m multiport --dports 5432 -j MARK --set-xmark 0x10000/0x10000",
        "-m mark --mark 0x10000/0x10000 -j RETURN");
    assertThat(c.chains()).as("only active policies, only their types").doesNotContainKeys("cali-po-db",
        "cali-pi-nobody");
    assertThat(c.ipsets().get(web).members()).containsExactly("10.0.0.2", "10.0.1.2");
    String nobody = PolicyNames.selectorSet(new SetKey(null, null, Selector.parse("x == 'y'")));
    assertThat(c.ipsets()).doesNotContainKey(nobody);
  }

  @Test
  void aRemoteLabelChangeMovesOneAddressWithoutARebuild() {
    ImageBuilder b = base();
    b.global("GlobalNetworkPolicy", "globalnetworkpolicies", "db", "", "\"selector\":\"role == 'db'\","
        + "\"ingress\":[{\"action\":\"Allow\",\"source\":{\"selector\":\"role == 'web'\"}}]");
    PolicyCalc c = new PolicyCalc(NODE);
    c.update(b.image());
    c.takeChainChanges();
    c.takeSetChanges();
    int rebuilds = c.rebuilds();
    c.update(b.endpoint("default", "web2", "n2", "caliweb2", "10.0.1.2", "\"role\":\"other\"", "net"));
    String web = PolicyNames.selectorSet(new SetKey(null, null, Selector.parse("role == 'web'")));
    assertThat(c.rebuilds()).isEqualTo(rebuilds);
    assertThat(c.ipsets().get(web).members()).containsExactly("10.0.0.2");
    assertThat(c.takeSetChanges()).containsExactly(web);
    PolicyCalc.ChainChanges cc = c.takeChainChanges();
    assertThat(cc.ifaces()).isEmpty();
    assertThat(cc.chains()).isEmpty();
    // a local endpoint relabelled into the policy: its chains change, nothing is rebuilt
    c.update(b.endpoint("default", "web", NODE, "caliweb", "10.0.0.2", "\"role\":\"db\"", "net"));
    assertThat(c.rebuilds()).isEqualTo(rebuilds);
    assertThat(actions(c.endpointRules("caliweb").toEndpoint())).contains("-m mark --mark 0x0/0x20000 -j cali-pi-db");
    assertThat(c.takeChainChanges().ifaces()).containsExactly("caliweb");
    assertThat(c.ipsets().get(web).members()).isEmpty();
  }

  @Test
  void policiesGoInOrderThenByNameWithUnsetOrderLast() {
    ImageBuilder b = base();
    for (String[] p : new String[][] {{"z", "1"}, {"a", null}, {"m", "1"}, {"b", "0.5"}}) {
      b.global("GlobalNetworkPolicy", "globalnetworkpolicies", p[0], "", (p[1] == null ? "" : "\"order\":" + p[1]
          + ",") + "\"selector\":\"all()\",\"ingress\":[{\"action\":\"Pass\"}]");
    }
    PolicyCalc c = new PolicyCalc(NODE);
    c.update(b.image());
    assertThat(actions(c.endpointRules("calidb").toEndpoint()).stream().filter(s -> s.contains("cali-pi-")))
        .containsExactly("-m mark --mark 0x0/0x20000 -j cali-pi-b", "-m mark --mark 0x0/0x20000 -j cali-pi-m",
            "-m mark --mark 0x0/0x20000 -j cali-pi-z", "-m mark --mark 0x0/0x20000 -j cali-pi-a");
    assertThat(actions(c.chains().get("cali-pi-a").rules())).containsExactly(
        "-j MARK --set-xmark 0x20000/0x20000", "-m mark --mark 0x20000/0x20000 -j RETURN");
  }

  @Test
  void networkPoliciesAndTheirRuleSelectorsStayInTheirNamespace() {
    ImageBuilder b = base();
    b.global("Profile", "profiles", "kns.prod", "", "\"labelsToApply\":{\"pcns.env\":\"prod\"}");
    b.endpoint("prod", "api", NODE, "caliapi", "10.0.0.9", "\"role\":\"web\"", "kns.prod");
    b.endpoint("prod", "api2", "n2", "caliapi2", "10.0.1.9", "\"role\":\"web\"", "kns.prod");
    b.namespaced("NetworkPolicy", "networkpolicies", "prod", "np", "", "\"selector\":\"all()\",\"ingress\":["
        + "{\"action\":\"Allow\",\"source\":{\"selector\":\"role == 'web'\"}},"
        + "{\"action\":\"Allow\",\"source\":{\"namespaceSelector\":\"env == 'prod'\"}}]");
    b.namespaced("NetworkSet", "networksets", "prod", "ext", "\"role\":\"web\"", "\"nets\":[\"192.0.2.0/24\"]");
    b.global("GlobalNetworkSet", "globalnetworksets", "world", "\"role\":\"web\"", "\"nets\":[\"0.0.0.0/0\"]");
    PolicyCalc c = new PolicyCalc(NODE);
    c.update(b.image());
    String chain = PolicyNames.policyChain(true, "prod/np");
    assertThat(chain).startsWith("cali-pi-_").hasSize(28);
    assertThat(actions(c.endpointRules("caliapi").toEndpoint())).contains("-m mark --mark 0x0/0x20000 -j " + chain);
    assertThat(actions(c.endpointRules("calidb").toEndpoint())).noneMatch(s -> s.contains(chain));
    String same = PolicyNames.selectorSet(new SetKey("prod", null, Selector.parse("role == 'web'")));
    assertThat(c.ipsets().get(same).members()).as("web endpoints and network sets of prod only")
        .containsExactly("10.0.0.9", "10.0.1.9", "192.0.2.0/24");
    String byNs = PolicyNames.selectorSet(new SetKey(null, Selector.parse("env == 'prod'"), Selector.parse("all()")));
    assertThat(c.ipsets().get(byNs).members()).containsExactly("10.0.0.9", "10.0.1.9", "192.0.2.0/24");
    // a global policy's selector sees every namespace and the global sets, /0 split in halves
    b.global("GlobalNetworkPolicy", "globalnetworkpolicies", "g", "", "\"selector\":\"role == 'db'\","
        + "\"ingress\":[{\"action\":\"Allow\",\"source\":{\"selector\":\"role == 'web'\"}}]");
    c.update(b.image());
    String global = PolicyNames.selectorSet(new SetKey(null, null, Selector.parse("role == 'web'")));
    assertThat(c.ipsets().get(global).members()).containsExactly("0.0.0.0/1", "10.0.0.2", "10.0.0.9", "10.0.1.2",
        "10.0.1.9", "128.0.0.0/1", "192.0.2.0/24");
  }

  @Test
  void aMissingProfileHasNoRulesButTheBuiltInDefaultAllowDoes() {
    ImageBuilder b = new ImageBuilder();
    b.endpoint("default", "x", NODE, "calix", "10.0.0.1", "", "gone");
    b.endpoint("default", "y", NODE, "caliy", "10.0.0.2", "", "projectcalico-default-allow");
    PolicyCalc c = new PolicyCalc(NODE);
    c.update(b.image());
    assertThat(actions(c.endpointRules("calix").toEndpoint())).containsExactly(
        "-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT", "-m conntrack --ctstate INVALID -j DROP",
        "-j MARK --set-xmark 0x0/0x30000", "-j DROP");
    assertThat(actions(c.chains().get(PolicyNames.profileChain(true, "projectcalico-default-allow")).rules()))
        .containsExactly("-j MARK --set-xmark 0x10000/0x10000", "-m mark --mark 0x10000/0x10000 -j RETURN");
  }

  /** Data no validation let through (written by another tool) costs one rule or one policy, never the table. */
  @Test
  void badStoredDataLeavesOutOnlyWhatItSpoils() {
    ImageBuilder b = base();
    b.global("GlobalNetworkPolicy", "globalnetworkpolicies", "named", "", "\"selector\":\"role == 'db'\","
        + "\"ingress\":[{\"action\":\"Allow\",\"protocol\":\"TCP\",\"destination\":{\"ports\":[\"http\"]}},"
        + "{\"action\":\"Deny\",\"source\":{\"selector\":\"a ==\"}},{\"action\":\"Deny\"}]");
    b.global("GlobalNetworkPolicy", "globalnetworkpolicies", "broken", "", "\"selector\":\"role ==== 'db'\"");
    PolicyCalc c = new PolicyCalc(NODE);
    c.update(b.image());
    assertThat(actions(c.chains().get("cali-pi-named").rules())).containsExactly("-j DROP");
    assertThat(actions(c.endpointRules("calidb").toEndpoint())).noneMatch(r -> r.contains("broken"));
  }

  /** Random endpoint and policy changes: the incremental outputs always equal a fresh calculation's. */
  @Test
  void incrementalUpdatesEqualAFreshCalculation() {
    for (int seed = 0; seed < 20; seed++) {
      Random r = new Random(seed);
      ImageBuilder b = base();
      PolicyCalc inc = new PolicyCalc(NODE);
      String[] roles = {"web", "db", "cache"};
      for (int step = 0; step < 60; step++) {
        int op = r.nextInt(10);
        int i = r.nextInt(12);
        String node = i % 3 == 0 ? "n2" : NODE;
        if (op < 6) {
          b.endpoint(i % 2 == 0 ? "default" : "prod", "e" + i, node, "cali" + i, "10.1.0." + (i % 7),
              "\"role\":\"" + roles[r.nextInt(3)] + "\"", r.nextBoolean() ? "net" : "kns.prod");
        } else if (op < 7) {
          b.delete(org.calicoledger.store.Keys.RESOURCES + "workloadendpoints/" + (i % 2 == 0 ? "default" : "prod")
              + "/e" + i);
        } else if (op < 9) {
          String role = roles[r.nextInt(3)];
          b.global("GlobalNetworkPolicy", "globalnetworkpolicies", "p" + r.nextInt(4), "", "\"order\":"
              + r.nextInt(3) + ",\"selector\":\"role == '" + role + "'\",\"types\":[\"Ingress\",\"Egress\"],"
              + "\"ingress\":[{\"action\":\"Allow\",\"source\":{\"selector\":\"role == '" + roles[r.nextInt(3)]
              + "'\"}}],\"egress\":[{\"action\":\"Deny\",\"destination\":{\"notSelector\":\"role == '"
              + roles[r.nextInt(3)] + "'\"}}]");
        } else {
          b.namespaced("NetworkPolicy", "networkpolicies", "prod", "np" + r.nextInt(2), "", "\"selector\":"
              + "\"role == '" + roles[r.nextInt(3)] + "'\",\"ingress\":[{\"action\":\"Allow\",\"source\":"
              + "{\"selector\":\"role == '" + roles[r.nextInt(3)] + "'\"}}]");
        }
        ClusterImage img = b.image();
        inc.update(img);
        if (r.nextInt(4) == 0) {
          inc.takeChainChanges();
          inc.takeSetChanges();
        }
        PolicyCalc fresh = new PolicyCalc(NODE);
        fresh.update(img);
        assertThat(new TreeMap<>(inc.chains())).as("seed %d step %d", seed, step).isEqualTo(new TreeMap<>(fresh.chains()));
        assertThat(new TreeMap<>(inc.ipsets())).as("seed %d step %d", seed, step).isEqualTo(new TreeMap<>(fresh.ipsets()));
        for (int k = 0; k < 12; k++) {
          assertThat(inc.endpointRules("cali" + k)).as("seed %d step %d cali%d", seed, step, k)
              .isEqualTo(fresh.endpointRules("cali" + k));
        }
      }
    }
  }

  /** What a consumer takes covers every output that differs from what it saw when it last took. */
  @Test
  void takenChangesCoverEveryDifference() {
    Random r = new Random(5);
    ImageBuilder b = base();
    PolicyCalc c = new PolicyCalc(NODE);
    c.update(b.image());
    c.takeChainChanges();
    c.takeSetChanges();
    Map<String, Chain> chains = new TreeMap<>(c.chains());
    Map<String, Object> sets = new TreeMap<>(c.ipsets());
    for (int step = 0; step < 100; step++) {
      int i = r.nextInt(8);
      if (r.nextInt(5) == 0) {
        b.global("GlobalNetworkPolicy", "globalnetworkpolicies", "p" + r.nextInt(3), "", "\"selector\":\"role == '"
            + (r.nextBoolean() ? "web" : "db") + "'\",\"ingress\":[{\"action\":\"Allow\",\"source\":{\"selector\":"
            + "\"role == '" + (r.nextBoolean() ? "web" : "db") + "'\"}}]");
      } else {
        b.endpoint("default", "e" + i, i % 2 == 0 ? NODE : "n2", "cali" + i, "10.2.0." + i, "\"role\":\""
            + (r.nextBoolean() ? "web" : "db") + "\"", "net");
      }
      c.update(b.image());
      PolicyCalc.ChainChanges cc = c.takeChainChanges();
      Set<String> sc = c.takeSetChanges();
      Map<String, Chain> nowChains = new TreeMap<>(c.chains());
      Map<String, Object> nowSets = new TreeMap<>(c.ipsets());
      for (String name : union(chains.keySet(), nowChains.keySet())) {
        if (!java.util.Objects.equals(chains.get(name), nowChains.get(name))) {
          assertThat(cc == null || cc.chains().contains(name)).as("step %d chain %s", step, name).isTrue();
        }
      }
      for (String name : union(sets.keySet(), nowSets.keySet())) {
        if (!java.util.Objects.equals(sets.get(name), nowSets.get(name))) {
          assertThat(sc == null || sc.contains(name)).as("step %d set %s", step, name).isTrue();
        }
      }
      chains = nowChains;
      sets = nowSets;
    }
  }

  static Set<String> union(Set<String> a, Set<String> b) {
    Set<String> u = new java.util.HashSet<>(a);
    u.addAll(b);
    return u;
  }
}
