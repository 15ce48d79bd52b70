package org.calicoledger.node.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.calicoledger.node.policy.PolicyPods.Proto.TCP;
import static org.calicoledger.node.policy.PolicyPods.Proto.UDP;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.calicoledger.felix.calc.policy.PolicyNames;
import org.calicoledger.node.testing.FelixLab;
import org.calicoledger.node.testing.NodeLab;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Network policy end to end: calico-node (Felix) on {@code a} and {@code b} of one subnet of a {@link FelixLab},
 * backend {@code vxlan}; pods made through {@code bin/calico}, each with a {@link PodAgent} answering TCP and UDP on
 * 8080 and 8081 with its name; policies, sets and labels written with {@code calicoctl} as a Calico user writes them.
 * <pre>
 *   node a: p1 (default, role=web), p2 (default, role=db), p5 (plain CNI)
 *   node b: p3 (default, role=other), p4 (namespace other, role=web), p6 (plain CNI)
 * </pre>
 * p1-p4 are Kubernetes pods (profile {@code kns.<namespace>}: allow all); p5 and p6 plain CNI containers (profile
 * {@code k8s-pod-network}, the network's name: ingress only from endpoints of that network).
 * Every pod also has {@code pod=<key>}. Every test removes what it applied ({@link #applied}), and starts from "every
 * pod reaches every other" ({@link #noPolicyLeft}). A denied probe costs one timeout (1 s), an allowed one milliseconds.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PolicyIT {
  static final Map<String, String> ENV = Map.of("CALICO_NETWORKING_BACKEND", "vxlan",
      "CALICO_IPV4POOL_CIDR", "10.40.0.0/16", "CALICO_IPV4POOL_VXLAN", "Always", "CALICO_IPV4POOL_IPIP", "Never",
      "FELIX_ROUTEREFRESHINTERVAL", "5", "FELIX_IPTABLESREFRESHINTERVAL", "5");
  static final List<String> PODS = List.of("p1", "p2", "p3", "p4");
  static FelixLab lab;
  static FelixLab.Node a;
  static FelixLab.Node b;
  static PolicyPods pods;
  /** YAML documents applied by the running test, deleted after it (also when it failed). */
  final List<String> applied = new ArrayList<>();

  @BeforeAll
  static void cluster() throws Exception {
    long t0 = System.nanoTime();
    lab = FelixLab.start();
    a = lab.node("a", 1, 2, ENV);
    b = lab.node("b", 1, 3, ENV);
    pods = new PolicyPods(lab);
    Map<String, PolicyPods.Placement> where = new LinkedHashMap<>();
    where.put("p1", new PolicyPods.Placement(a, "default"));
    where.put("p2", new PolicyPods.Placement(a, "default"));
    where.put("p3", new PolicyPods.Placement(b, "default"));
    where.put("p4", new PolicyPods.Placement(b, "other"));
    where.put("p5", new PolicyPods.Placement(a, null));
    where.put("p6", new PolicyPods.Placement(b, null));
    pods.add(where, Map.of("p1", Map.of("pod", "p1", "role", "web"), "p2", Map.of("pod", "p2", "role", "db"),
        "p3", Map.of("pod", "p3", "role", "other"), "p4", Map.of("pod", "p4", "role", "web"),
        "p5", Map.of("pod", "p5"), "p6", Map.of("pod", "p6")));
    System.out.printf("PolicyIT: cluster, pods and agents ready after %d ms%n", (System.nanoTime() - t0) / 1_000_000);
  }

  @AfterAll
  static void cleanup() {
    for (FelixLab.Node n : new FelixLab.Node[] {a, b}) {
      if (n != null) { // for the record: what Felix complained about during the run
        n.logText().lines().filter(l -> l.contains(" felix") && (l.contains("WARNING") || l.contains("ERROR")))
            .forEach(l -> System.out.println("PolicyIT: " + n.name + ": " + l));
      }
    }
    List<Long> agents = List.of();
    if (pods != null) {
      pods.close();
      agents = pods.agents().alive();
    }
    if (lab != null) {
      lab.close();
    }
    assertThat(agents).as("pod agents left running").isEmpty();
    assertThat(NodeLab.namespaces()).noneMatch(n -> lab != null && n.startsWith(lab.id));
  }

  @BeforeEach
  void noPolicyLeft() {
    // a quick matrix: what the last test applied is gone (each allowed probe takes milliseconds)
    for (String[] pair : new String[][] {{"p1", "p2"}, {"p3", "p2"}, {"p2", "p1"}, {"p1", "p3"}, {"p3", "p4"},
        {"p4", "p2"}, {"p2", "p4"}}) {
      pods.expectTcp(pair[0], pair[1], true);
    }
  }

  @AfterEach
  void removeApplied() {
    for (int i = applied.size() - 1; i >= 0; i--) {
      lab.calicoctl(applied.get(i), "delete", "-f", "-");
    }
    applied.clear();
  }

  /** {@code calicoctl apply -f -} of {@code yaml}; a first apply is deleted after the test. */
  void apply(String yaml) {
    lab.calicoctl(yaml, "apply", "-f", "-");
    if (!applied.contains(yaml)) {
      applied.add(yaml);
    }
  }

  /** Replaces an applied document by {@code yaml} (same resources, new content), so cleanup deletes the new one. */
  void reapply(String old, String yaml) {
    lab.calicoctl(yaml, "apply", "-f", "-");
    applied.set(applied.indexOf(old), yaml);
  }

  void delete(String yaml) {
    lab.calicoctl(yaml, "delete", "-f", "-");
    applied.remove(yaml);
  }

  static String ip(String pod) {
    return pods.get(pod).ip();
  }

  /** A GlobalNetworkPolicy; {@code spec} is the YAML under {@code spec:}, indented by two spaces. */
  static String gnp(String name, String spec) {
    return "apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata:\n  name: " + name + "\nspec:\n"
        + spec.stripIndent().indent(2);
  }

  static String np(String namespace, String name, String spec) {
    return "apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata:\n  name: " + name + "\n  namespace: "
        + namespace + "\nspec:\n" + spec.stripIndent().indent(2);
  }

  @Test
  @Order(1)
  void withoutPolicyTheProfileLetsEveryPodReachEveryOther() {
    JsonNode w = pods.endpoint("p1");
    assertThat(w.path("spec").path("profiles").toString()).isEqualTo("[\"kns.default\"]");
    assertThat(w.path("metadata").path("labels").path("projectcalico.org/namespace").asText()).isEqualTo("default");
    assertThat(w.path("metadata").path("labels").path("role").asText()).isEqualTo("web");
    assertThat(pods.endpoint("p4").path("spec").path("profiles").toString()).isEqualTo("[\"kns.other\"]");
    JsonNode profile = PolicyPods.json(lab.calicoctl(null, "get", "profile", "kns.other", "-o", "json").out());
    assertThat(profile.path("spec").path("labelsToApply").path("pcns.projectcalico.org/name").asText())
        .isEqualTo("other");
    for (String from : PODS) {
      for (String to : PODS) {
        if (!from.equals(to)) {
          pods.expect(from, to, TCP, 8080, true);
          pods.expect(from, to, TCP, 8081, true);
          pods.expect(from, to, UDP, 8080, true);
        }
      }
    }
  }

  @Test
  @Order(2)
  void anIngressPolicyDeniesWhatItDoesNotAllowAndLeavesEgressAlone() {
    String deny = gnp("db-closed", """
        selector: role == "db"
        types: [Ingress]
        """);
    apply(deny);
    pods.expectTcp("p1", "p2", false);
    pods.expect("p1", "p2", UDP, 8080, false);
    pods.expectTcp("p3", "p2", false);
    pods.expectTcp("p4", "p2", false);
    // p2's own egress is not restricted by an Ingress policy, and pods it does not select are untouched
    pods.expectTcp("p2", "p1", true);
    pods.expectTcp("p2", "p3", true);
    pods.expect("p2", "p3", UDP, 8080, true);
    pods.expectTcp("p1", "p3", true);

    delete(deny);
    pods.expectTcp("p1", "p2", true); // the profile decides again
    pods.expectTcp("p3", "p2", true);
    pods.expect("p1", "p2", UDP, 8080, true);
  }

  @Test
  @Order(3)
  void rulesAllowBySelectorAndNotSelector() {
    String bySelector = gnp("db-web", """
        selector: role == "db"
        types: [Ingress]
        ingress:
        - action: Allow
          source:
            selector: role == "web"
        """);
    apply(bySelector);
    pods.expectTcp("p3", "p2", false);
    pods.expectTcp("p1", "p2", true);
    pods.expectTcp("p4", "p2", true); // a GlobalNetworkPolicy's selectors see every namespace

    String byNotSelector = gnp("db-web", """
        selector: role == "db"
        types: [Ingress]
        ingress:
        - action: Allow
          source:
            notSelector: role == "web"
        """);
    reapply(bySelector, byNotSelector);
    pods.expectTcp("p1", "p2", false);
    pods.expectTcp("p3", "p2", true);
    pods.expectTcp("p4", "p2", false);
  }

  @Test
  @Order(4)
  void rulesAllowByNetsAndNotNets() {
    String byNets = gnp("db-nets", """
        selector: role == "db"
        types: [Ingress]
        ingress:
        - action: Allow
          source:
            nets: [%s/32]
        """.formatted(ip("p3")));
    apply(byNets);
    pods.expectTcp("p1", "p2", false);
    pods.expectTcp("p3", "p2", true);
    pods.expectTcp("p4", "p2", false);

    String byNotNets = gnp("db-nets", """
        selector: role == "db"
        types: [Ingress]
        ingress:
        - action: Allow
          source:
            notNets: [%s/32]
        """.formatted(ip("p3")));
    reapply(byNets, byNotNets);
    pods.expectTcp("p3", "p2", false);
    pods.expectTcp("p1", "p2", true);
    pods.expectTcp("p4", "p2", true);
  }

  @Test
  @Order(5)
  void portRulesAllowTheirProtocolAndPortOnly() {
    String tcp8080 = gnp("db-ports", """
        selector: role == "db"
        types: [Ingress]
        ingress:
        - action: Allow
          protocol: TCP
          destination:
            ports: [8080]
        """);
    apply(tcp8080);
    pods.expect("p1", "p2", TCP, 8081, false);
    pods.expect("p1", "p2", TCP, 8080, true);
    pods.expect("p3", "p2", TCP, 8080, true);
    pods.expect("p1", "p2", UDP, 8080, false);

    String udp8080 = gnp("db-ports", """
        selector: role == "db"
        types: [Ingress]
        ingress:
        - action: Allow
          protocol: UDP
          destination:
            ports: [8080]
        """);
    reapply(tcp8080, udp8080);
    pods.expect("p1", "p2", TCP, 8080, false);
    pods.expect("p1", "p2", UDP, 8080, true);
    pods.expect("p3", "p2", UDP, 8080, true);
    pods.expect("p1", "p2", UDP, 8081, false);
  }

  @Test
  @Order(6)
  void passSkipsTheLaterPolicyAndTheProfileDecides() {
    String denyWeb = gnp("deny-web", """
        order: 20
        selector: role == "db"
        types: [Ingress]
        ingress:
        - action: Deny
          source:
            selector: role == "web"
        """);
    apply(denyWeb);
    pods.expectTcp("p1", "p2", false);
    pods.expectTcp("p3", "p2", false); // no rule matched: the end of the policies drops it

    String passWeb = gnp("pass-web", """
        order: 10
        selector: role == "db"
        types: [Ingress]
        ingress:
        - action: Pass
          source:
            selector: role == "web"
        """);
    apply(passWeb);
    pods.expectTcp("p1", "p2", true); // passed to the profile kns.default, which allows
    pods.expectTcp("p3", "p2", false);

    delete(passWeb);
    pods.expectTcp("p1", "p2", false);
  }

  @Test
  @Order(7)
  void aPlainCniPodsProfileAdmitsItsNetworkAndPassedTrafficMeetsThatProfile() {
    JsonNode w = pods.endpoint("p5");
    assertThat(w.path("spec").path("profiles").toString()).isEqualTo("[\"k8s-pod-network\"]");
    JsonNode profile = PolicyPods.json(lab.calicoctl(null, "get", "profile", "k8s-pod-network", "-o", "json").out());
    assertThat(profile.path("spec").path("labelsToApply").has("k8s-pod-network")).isTrue();
    pods.expectTcp("p6", "p5", true); // same profile, across nodes
    pods.expect("p6", "p5", UDP, 8080, true);
    pods.expectTcp("p5", "p1", true); // its profile allows all egress, kns.default all ingress
    pods.expectTcp("p5", "p3", true);
    pods.expectTcp("p1", "p5", false); // kns.default's endpoints lack the network's label
    pods.expectTcp("p3", "p5", false);

    String denyP6 = gnp("p5-deny", """
        order: 20
        selector: pod == "p5"
        types: [Ingress]
        ingress:
        - action: Deny
          source:
            selector: pod == "p6"
        """);
    apply(denyP6);
    pods.expectTcp("p6", "p5", false);
    String pass = gnp("p5-pass", """
        order: 10
        selector: pod == "p5"
        types: [Ingress]
        ingress:
        - action: Pass
          source:
            selector: pod == "p6"
        - action: Pass
          source:
            selector: pod == "p1"
        """);
    apply(pass);
    pods.expectTcp("p6", "p5", true); // passed: the profile admits its own network
    pods.expectTcp("p1", "p5", false); // passed too, but the profile does not admit it
    pods.expectTcp("p5", "p6", true);
  }

  @Test
  @Order(8)
  void theLowerOrderDecidesFirst() {
    String denyFirst = gnp("web-deny", """
        order: 10
        selector: role == "db"
        types: [Ingress]
        ingress:
        - action: Deny
          source:
            selector: role == "web"
        """);
    String allowLater = gnp("web-allow", """
        order: 20
        selector: role == "db"
        types: [Ingress]
        ingress:
        - action: Allow
          source:
            selector: role == "web"
        """);
    apply(denyFirst + "---\n" + allowLater);
    pods.expectTcp("p1", "p2", false);

    String denyLast = denyFirst.replace("order: 10", "order: 30");
    reapply(denyFirst + "---\n" + allowLater, denyLast + "---\n" + allowLater);
    pods.expectTcp("p1", "p2", true);
    pods.expectTcp("p3", "p2", false);
  }

  @Test
  @Order(9)
  void anEgressPolicyLimitsWhereThePodSendsAndLeavesItsIngressAlone() {
    String toP3 = gnp("p1-out", """
        selector: pod == "p1"
        types: [Egress]
        egress:
        - action: Allow
          destination:
            selector: pod == "p3"
        """);
    apply(toP3);
    pods.expectTcp("p1", "p2", false);
    pods.expect("p1", "p4", UDP, 8080, false);
    pods.expectTcp("p1", "p3", true);
    pods.expect("p1", "p3", UDP, 8080, true);
    ChainCounters.assertCounts(pods, a, PolicyNames.policyChain(false, "p1-out"), "p1", "p3");
    pods.expectTcp("p2", "p1", true);
    pods.expectTcp("p3", "p1", true);
    pods.expectTcp("p2", "p3", true);
  }

  @Test
  @Order(10)
  void aRuleSelectorReachesTheNetsOfAGlobalNetworkSet() {
    String set = """
        apiVersion: projectcalico.org/v3
        kind: GlobalNetworkSet
        metadata:
          name: ext
          labels:
            role: ext
        spec:
          nets: [%s/32]
        """;
    String policy = gnp("p1-ext", """
        selector: pod == "p1"
        types: [Egress]
        egress:
        - action: Allow
          destination:
            selector: role == "ext"
        """);
    String setP3 = set.formatted(ip("p3"));
    apply(setP3 + "---\n" + policy);
    pods.expectTcp("p1", "p2", false);
    pods.expectTcp("p1", "p3", true);

    // the set's members change, the policy does not
    String setP2 = set.formatted(ip("p2"));
    reapply(setP3 + "---\n" + policy, setP2 + "---\n" + policy);
    pods.expectTcp("p1", "p2", true);
    pods.expectTcp("p1", "p3", false);
  }

  @Test
  @Order(11)
  void aNetworkPolicySelectsEndpointsOfItsOwnNamespaceOnly() {
    String closed = np("other", "web-closed", """
        selector: role == "web"
        types: [Ingress]
        """);
    apply(closed);
    pods.expectTcp("p3", "p4", false);
    pods.expectTcp("p2", "p4", false);
    pods.expectTcp("p2", "p1", true); // p1 is role=web too, but in namespace default
    pods.expectTcp("p3", "p1", true);
  }

  @Test
  @Order(12)
  void aNetworkPolicysRuleSelectorsStayInItsNamespaceUnlessANamespaceSelectorWidensThem() {
    String sameNamespace = np("default", "db-web", """
        selector: role == "db"
        types: [Ingress]
        ingress:
        - action: Allow
          source:
            selector: role == "web"
        """);
    apply(sameNamespace);
    pods.expectTcp("p4", "p2", false); // role=web, but in namespace other
    pods.expectTcp("p1", "p2", true);
    pods.expectTcp("p3", "p2", false);
    // a NetworkPolicy's id has a '/', so its chain name is hashed
    String npChain = PolicyNames.policyChain(true, PolicyNames.policyId("default", "db-web"));
    assertThat(npChain).startsWith("cali-pi-_").hasSize(28);
    ChainCounters.assertCounts(pods, a, npChain, "p1", "p2");

    String otherNamespace = np("default", "db-web", """
        selector: role == "db"
        types: [Ingress]
        ingress:
        - action: Allow
          source:
            selector: role == "web"
            namespaceSelector: projectcalico.org/name == "other"
        """);
    reapply(sameNamespace, otherNamespace);
    pods.expectTcp("p1", "p2", false);
    pods.expectTcp("p4", "p2", true);
  }

  @Test
  @Order(13)
  void aNetworkPolicyReachesNetworkSetsOfItsOwnNamespaceOnly() {
    String sets = """
        apiVersion: projectcalico.org/v3
        kind: NetworkSet
        metadata:
          name: ext
          namespace: default
          labels:
            role: ext
        spec:
          nets: [%s/32]
        ---
        apiVersion: projectcalico.org/v3
        kind: NetworkSet
        metadata:
          name: ext
          namespace: other
          labels:
            role: ext
        spec:
          nets: [%s/32]
        """.formatted(ip("p3"), ip("p1"));
    String policy = np("default", "db-ext", """
        selector: role == "db"
        types: [Ingress]
        ingress:
        - action: Allow
          source:
            selector: role == "ext"
        """);
    apply(sets + "---\n" + policy);
    pods.expectTcp("p1", "p2", false); // p1's address is only in namespace other's set
    pods.expectTcp("p3", "p2", true);
  }

  @Test
  @Order(14)
  void relabellingAPodChangesWhatReachesAProtectedPodWithinASecond() throws Exception {
    String policy = gnp("db-web", """
        selector: role == "db"
        types: [Ingress]
        ingress:
        - action: Allow
          source:
            selector: role == "web"
        """);
    apply(policy);
    try {
      pods.expectTcp("p3", "p2", false);
      // a source's label: the rule's selector set gains or loses its address
      PolicyPods.Overlap allowed = pods.answeredDuring(() -> pods.label("p3", "role", "web"), "p3", "p2", 15);
      NodeLab.Run c2 = pods.label("p3", "role", "other");
      PolicyPods.Seen denied = pods.await("p3", "p2", TCP, 8080, false, 15);
      NodeLab.Run c3 = pods.label("p1", "role", "other");
      PolicyPods.Seen deniedLocal = pods.await("p1", "p2", TCP, 8080, false, 15);
      // the protected pod's label: the policy no longer selects it, so the profile decides
      PolicyPods.Overlap unselected = pods.answeredDuring(() -> pods.label("p2", "role", "cache"), "p3", "p2", 15);
      System.out.printf("PolicyIT: relabel latency: p3 role=web -> p3 to p2 answered %d ms after calicoctl started"
          + " (it ran %d ms; %d ms after its return); p2 role=cache (policy no longer selects it) -> answered %d ms"
          + " after calicoctl started (it ran %d ms; %d ms after its return); p3 role=other -> first unanswered"
          + " probe sent %d ms after calicoctl returned (it ran %d ms); p1 (p2's node) role=other -> %d ms (it ran"
          + " %d ms)%n", allowed.answeredMs(), allowed.commandMs(), allowed.afterReturnMs(), unselected.answeredMs(),
          unselected.commandMs(), unselected.afterReturnMs(), denied.sentMs(), c2.millis(), deniedLocal.sentMs(),
          c3.millis());
      assertThat(allowed.afterReturnMs()).as("p3 allowed after relabel to role=web (ms)").isLessThan(1000);
      assertThat(denied.sentMs()).as("p3 denied after relabel to role=other (ms)").isLessThan(1000);
      assertThat(deniedLocal.sentMs()).as("p1 denied after relabel to role=other (ms)").isLessThan(1000);
      assertThat(unselected.afterReturnMs()).as("p2 open after relabel to role=cache (ms)").isLessThan(1000);
    } finally {
      pods.label("p3", "role", "other");
      pods.label("p1", "role", "web");
      pods.label("p2", "role", "db");
    }
  }

  @Test
  @Order(15)
  void thePolicysIptablesChainCountsThePacketsItsRuleAllowed() {
    String policy = gnp("db-web", """
        selector: role == "db"
        types: [Ingress]
        ingress:
        - action: Allow
          source:
            selector: role == "web"
        """);
    apply(policy);
    pods.expectTcp("p3", "p2", false);
    pods.expectTcp("p1", "p2", true);
    String chain = PolicyNames.policyChain(true, PolicyNames.policyId(null, "db-web"));
    assertThat(chain).isEqualTo("cali-pi-db-web");
    ChainCounters.assertCounts(pods, a, chain, "p1", "p2");
    // p2's endpoint chain (to the pod: ingress) sends new connections through the policy's chain
    String toP2 = "cali-tw-" + pods.endpoint("p2").path("spec").path("interfaceName").asText();
    assertThat(a.exec("iptables", "-t", "filter", "-S", toP2).out()).contains("-j " + chain);
  }
}
