package org.calicoledger.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** The validation table: each bad document, the field blamed, and words the message must carry. */
class ValidationTest {
  private static String pool(String name, String specLines) {
    return "apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata:\n  name: " + name + "\nspec:\n" + specLines;
  }

  private static String gnp(String specLines) {
    return "apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata:\n  name: gp\nspec:\n" + specLines;
  }

  private static String np(String specLines) {
    return "apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata:\n  name: p\n  namespace: shop\nspec:\n"
        + specLines;
  }

  /** A GlobalNetworkPolicy with one ingress rule made of {@code ruleLines} (indented under {@code - }). */
  private static String ingress(String ruleLines) {
    return gnp("  ingress:\n  - action: Allow\n" + ruleLines);
  }

  static Stream<Arguments> invalidPolicies() {
    return Stream.of(
        Arguments.of(gnp("  selector: app == 'web' &&\n"), "spec.selector",
            "'app == 'web' &&': invalid selector at column 16: expected a label expression after '&&'"),
        Arguments.of(np("  selector: has(\n"), "spec.selector", "invalid selector"),
        Arguments.of(gnp("  namespaceSelector: a ==\n"), "spec.namespaceSelector", "column"),
        Arguments.of(gnp("  tier: security\n"), "spec.tier", "this project has no tiers"),
        Arguments.of(np("  tier: platform\n"), "spec.tier", "'default'"),
        Arguments.of(gnp("  types: [Ingress, Forward]\n"), "spec.types[1]", "must be one of Ingress, Egress"),
        Arguments.of(np("  types: [Egress, Egress]\n"), "spec.types[1]", "listed twice"),
        Arguments.of(gnp("  types: [Egress]\n  ingress:\n  - action: Deny\n"), "spec.types",
            "types does not include Ingress"),
        Arguments.of(gnp("  doNotTrack: true\n  applyOnForward: true\n"), "spec.doNotTrack",
            "untracked policy (Calico's raw-table policy) is not enforced by this project yet"),
        Arguments.of(gnp("  preDNAT: true\n  applyOnForward: true\n"), "spec.preDNAT",
            "silently not apply"),
        Arguments.of(gnp("  serviceAccountSelector: role == 'db'\n"), "spec.serviceAccountSelector",
            "not supported by this project"),
        Arguments.of(np("  serviceAccountSelector: all()\n"), "spec.serviceAccountSelector", "not supported"),
        Arguments.of(ingress("    source:\n      serviceAccounts:\n        names: [api]\n"),
            "spec.ingress[0].source.serviceAccounts", "not supported by this project"),
        Arguments.of(ingress("    destination:\n      services:\n        name: web\n        namespace: shop\n"),
            "spec.ingress[0].destination.services", "not supported by this project"),
        Arguments.of(ingress("    http:\n      methods: [GET]\n"), "spec.ingress[0].http", "not supported"),
        Arguments.of(gnp("  egress:\n  - action: Reject\n"), "spec.egress[0].action", "Allow, Deny, Log, Pass"),
        Arguments.of(ingress("    protocol: GRE\n"), "spec.ingress[0].protocol",
            "TCP, UDP, ICMP, ICMPv6, SCTP, UDPLite or a number 1-255"),
        Arguments.of(ingress("    protocol: 256\n"), "spec.ingress[0].protocol", "1-255"),
        Arguments.of(ingress("    notProtocol: 0\n"), "spec.ingress[0].notProtocol", "1-255"),
        Arguments.of(ingress("    protocol: TCP\n    icmp:\n      type: 8\n"), "spec.ingress[0].icmp",
            "only be set when protocol is ICMP or ICMPv6"),
        Arguments.of(ingress("    notICMP:\n      type: 8\n"), "spec.ingress[0].notICMP", "protocol is not set"),
        Arguments.of(ingress("    protocol: ICMP\n    icmp:\n      type: 255\n"), "spec.ingress[0].icmp.type",
            "between 0 and 254"),
        Arguments.of(ingress("    protocol: ICMPv6\n    icmp:\n      type: 128\n      code: 256\n"),
            "spec.ingress[0].icmp.code", "between 0 and 255"),
        Arguments.of(ingress("    protocol: ICMP\n    icmp:\n      code: 0\n"), "spec.ingress[0].icmp.code",
            "a code needs a type"),
        Arguments.of(ingress("    protocol: ICMP\n    ipVersion: 6\n    icmp:\n      type: 8\n"),
            "spec.ingress[0].ipVersion", "IPv4 only"),
        Arguments.of(ingress("    protocol: TCP\n    destination:\n      ports: [http]\n"),
            "spec.ingress[0].destination.ports[0]", "named ports are not supported yet"),
        Arguments.of(ingress("    protocol: TCP\n    destination:\n      ports: [80, 0]\n"),
            "spec.ingress[0].destination.ports[1]", "1-65535"),
        Arguments.of(ingress("    protocol: UDP\n    destination:\n      ports: [70000]\n"),
            "spec.ingress[0].destination.ports[0]", "1-65535"),
        Arguments.of(ingress("    protocol: TCP\n    source:\n      notPorts: ['9000:8000']\n"),
            "spec.ingress[0].source.notPorts[0]", "use \"8000:9000\""),
        Arguments.of(ingress("    protocol: TCP\n    destination:\n      ports: ['1:70000']\n"),
            "spec.ingress[0].destination.ports[0]", "both ends"),
        Arguments.of(ingress("    protocol: TCP\n    destination:\n      ports: ['80-90']\n"),
            "spec.ingress[0].destination.ports[0]", "a range such as \"8080:8090\""),
        Arguments.of(ingress("    protocol: ICMP\n    destination:\n      ports: [80]\n"),
            "spec.ingress[0].destination.ports", "TCP, UDP or SCTP (protocol is 'ICMP')"),
        Arguments.of(ingress("    source:\n      nets: [10.0.0.0/33]\n"), "spec.ingress[0].source.nets[0]",
            "CIDR"),
        Arguments.of(ingress("    source:\n      notNets: [10.1.2.3/16]\n"), "spec.ingress[0].source.notNets[0]",
            "host bits set; use 10.1.0.0/16"),
        Arguments.of(ingress("    ipVersion: 5\n"), "spec.ingress[0].ipVersion", "must be 4 or 6"),
        Arguments.of(ingress("    ipVersion: 6\n    destination:\n      nets: [10.0.0.0/8]\n"),
            "spec.ingress[0].destination.nets[0]", "IPv4 network but the rule's ipVersion is 6"),
        Arguments.of(ingress("    source:\n      nets: [fd00::/64]\n    destination:\n      nets: [10.0.0.0/8]\n"),
            "spec.ingress[0].destination.nets[0]", "one rule matches one IP family"),
        Arguments.of(ingress("    source:\n      selector: role ==\n"), "spec.ingress[0].source.selector",
            "column"),
        Arguments.of(ingress("    source:\n      notSelector: '!'\n"), "spec.ingress[0].source.notSelector",
            "invalid selector"),
        Arguments.of(np("  ingress:\n  - action: Allow\n    source:\n      namespaceSelector: 'x in'\n"),
            "spec.ingress[0].source.namespaceSelector", "invalid selector"),
        Arguments.of(gnp("  performanceHints: [Fast]\n"), "spec.performanceHints[0]", "AssumeNeededOnEveryNode"),
        Arguments.of("apiVersion: projectcalico.org/v3\nkind: GlobalNetworkSet\nmetadata:\n  name: s\nspec:\n"
            + "  nets: [198.51.100.0/24, 2001:db8::/129]\n", "spec.nets[1]", "CIDR"),
        Arguments.of("apiVersion: projectcalico.org/v3\nkind: NetworkSet\nmetadata:\n  name: s\n  namespace: a\n"
            + "spec:\n  nets: [banana]\n", "spec.nets[0]", "CIDR"),
        Arguments.of("apiVersion: projectcalico.org/v3\nkind: GlobalNetworkSet\nmetadata:\n  name: s\n"
            + "  namespace: a\nspec:\n  nets: [10.0.0.0/8]\n", "metadata.namespace", "not namespaced"),
        // Profiles share the rule checks
        Arguments.of("apiVersion: projectcalico.org/v3\nkind: Profile\nmetadata:\n  name: p\nspec:\n  egress:\n"
            + "  - action: Allow\n    protocol: TCP\n    destination:\n      ports: [metrics]\n",
            "spec.egress[0].destination.ports[0]", "named ports are not supported yet"),
        Arguments.of("apiVersion: projectcalico.org/v3\nkind: Profile\nmetadata:\n  name: p\nspec:\n  ingress:\n"
            + "  - action: Allow\n    protocol: ICMP\n    icmp:\n      code: 3\n",
            "spec.ingress[0].icmp.code", "a code needs a type"));
  }

  @ParameterizedTest
  @MethodSource("invalidPolicies")
  void refusesPoliciesWithFieldAndReason(String yaml, String field, String words) {
    refusesWithFieldAndReason(yaml, field, words);
  }

  /** YAML and JSON input cannot carry NaN or Infinity (the codec refuses them); a program building a policy can. */
  @Test
  void orderMustBeFinite() {
    for (double bad : new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
      GlobalNetworkPolicy p = new GlobalNetworkPolicy(ObjectMeta.named("p"), new GlobalNetworkPolicy.Spec(null, bad,
          null, null, null, null, null, null, null, null, null, null));
      assertThat(Validation.problems(p.withDefaults())).singleElement().satisfies(pr -> {
        assertThat(pr.field()).isEqualTo("spec.order");
        assertThat(pr.message()).contains("'" + bad + "'", "must be a finite number");
      });
    }
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> ResourceCodec.decodeAll(gnp("  order: .nan\n"), "t.yaml"))
        .isInstanceOf(InvalidResourceException.class).hasMessageContaining("'.nan'");
  }

  @Test
  void validPoliciesAndSetsPass() {
    String text = gnp("  order: 100\n  selector: app == 'web'\n  namespaceSelector: has(env)\n  applyOnForward: true\n"
        + "  doNotTrack: false\n  preDNAT: false\n  types: [Ingress, Egress]\n"
        + "  ingress:\n  - action: Allow\n    protocol: TCP\n    source:\n      selector: role == 'frontend'\n"
        + "      nets: [10.0.0.0/8, 192.168.1.1]\n    destination:\n      ports: [80, '8080:8090', '443']\n"
        + "  - action: Allow\n    protocol: ICMP\n    icmp:\n      type: 8\n      code: 0\n"
        + "  - action: Deny\n    protocol: 58\n    ipVersion: 6\n    notICMP:\n      type: 128\n"
        + "  - action: Pass\n    ipVersion: 6\n    source:\n      notNets: ['fd00::/8']\n"
        + "  egress:\n  - action: Log\n    protocol: UDP\n    destination:\n      notPorts: [53]\n"
        + "  - action: Allow\n    notProtocol: TCP\n    destination:\n      namespaceSelector: all()\n"
        + "      notSelector: has(quarantine)\n")
        + "---\n" + np("  tier: default\n  order: 100.5\n  selector: all()\n  types: [Ingress]\n  ingress:\n"
        + "  - action: Allow\n    protocol: SCTP\n    source:\n      namespaceSelector: team == 'a'\n"
        + "    destination:\n      ports: [9000]\n")
        + "---\napiVersion: projectcalico.org/v3\nkind: GlobalNetworkSet\nmetadata:\n  name: ext\n"
        + "  labels:\n    role: external\nspec:\n  nets: [198.51.100.0/24, '2001:db8::/32', 203.0.113.7]\n"
        + "---\napiVersion: projectcalico.org/v3\nkind: NetworkSet\nmetadata:\n  name: ext\n  namespace: shop\n"
        + "spec:\n  nets: [198.51.100.0/24]\n"
        + "---\napiVersion: projectcalico.org/v3\nkind: Profile\nmetadata:\n  name: web\nspec:\n  ingress:\n"
        + "  - action: Allow\n    protocol: TCP\n    destination:\n      ports: [80]\n";
    for (ResourceCodec.Document d : ResourceCodec.decodeAll(text, "ok.yaml")) {
      assertThat(d.error()).as(d.where()).isNull();
      assertThat(Validation.problems(d.resource().withDefaults())).as(d.where()).isEmpty();
    }
  }

  static Stream<Arguments> invalid() {
    return Stream.of(
        Arguments.of(pool("p", "  cidr: 10.0.0.1/24\n"), "spec.cidr", "not strictly masked (host bits set); use 10.0.0.0/24"),
        Arguments.of(pool("p", "  cidr: 10.0.0.0/33\n"), "spec.cidr", "CIDR form"),
        Arguments.of(pool("p", "  cidr: banana\n"), "spec.cidr", "CIDR form"),
        Arguments.of(pool("p", "  natOutgoing: true\n"), "spec.cidr", "must be set"),
        Arguments.of(pool("p", "  cidr: 10.0.0.0/16\n  blockSize: 19\n"), "spec.blockSize", "between 20 and 32"),
        Arguments.of(pool("p", "  cidr: 10.0.0.0/16\n  blockSize: 33\n"), "spec.blockSize", "between 20 and 32"),
        Arguments.of(pool("p", "  cidr: fd00::/64\n  blockSize: 115\n"), "spec.blockSize", "between 116 and 128"),
        Arguments.of(pool("p", "  cidr: 10.0.0.0/28\n"), "spec.cidr", "smaller than one block (/26)"),
        Arguments.of(pool("p", "  cidr: 10.0.0.0/16\n  ipipMode: Always\n  vxlanMode: CrossSubnet\n"), "spec.vxlanMode",
            "cannot enable both VXLAN and IPIP"),
        Arguments.of(pool("p", "  cidr: fd00::/64\n  ipipMode: Always\n"), "spec.ipipMode", "not supported on an IPv6"),
        Arguments.of(pool("p", "  cidr: 10.0.0.0/16\n  ipipMode: Sometimes\n"), "spec.ipipMode",
            "must be one of Always, CrossSubnet, Never"),
        Arguments.of(pool("p", "  cidr: 169.254.0.0/16\n"), "spec.cidr", "link-local"),
        Arguments.of(pool("p", "  cidr: 10.0.0.0/16\n  nodeSelector: has(a) &&\n"), "spec.nodeSelector", "invalid selector"),
        Arguments.of(pool("Bad_Name", "  cidr: 10.0.0.0/16\n"), "metadata.name", "DNS-1123"),
        Arguments.of(pool("p", "  cidr: 10.0.0.0/16\n  allowedUses: [Workload, Pods]\n"), "spec.allowedUses[1]",
            "Workload, Tunnel, LoadBalancer"),
        Arguments.of("apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata:\n  name: p\n  namespace: x\nspec:\n"
            + "  cidr: 10.0.0.0/16\n", "metadata.namespace", "not namespaced"),
        Arguments.of("apiVersion: projectcalico.org/v3\nkind: BGPPeer\nmetadata:\n  name: p\nspec:\n  peerIP: 10.0.0.300\n"
            + "  asNumber: 64512\n", "spec.peerIP", "IP address, IPv4:port or [IPv6]:port"),
        Arguments.of("apiVersion: projectcalico.org/v3\nkind: BGPPeer\nmetadata:\n  name: p\nspec:\n  peerIP: 10.0.0.1:70000\n"
            + "  asNumber: 64512\n", "spec.peerIP", "port must be 1-65535"),
        Arguments.of("apiVersion: projectcalico.org/v3\nkind: BGPPeer\nmetadata:\n  name: p\nspec:\n  node: a\n"
            + "  nodeSelector: all()\n  peerIP: 10.0.0.1\n", "spec.node", "nodeSelector"),
        Arguments.of("apiVersion: projectcalico.org/v3\nkind: BGPConfiguration\nmetadata:\n  name: node.a\nspec:\n"
            + "  nodeToNodeMeshEnabled: false\n", "spec.nodeToNodeMeshEnabled", "only be set on the BGPConfiguration named 'default'"),
        Arguments.of("apiVersion: projectcalico.org/v3\nkind: FelixConfiguration\nmetadata:\n  name: default\nspec:\n"
            + "  wireguardEnabld: true\n", "spec.wireguardEnabld", "unknown field"),
        Arguments.of("apiVersion: projectcalico.org/v3\nkind: FelixConfiguration\nmetadata:\n  name: default\nspec:\n"
            + "  routeRefreshInterval: soon\n", "spec.routeRefreshInterval", "duration"),
        Arguments.of("apiVersion: projectcalico.org/v3\nkind: FelixConfiguration\nmetadata:\n  name: default\nspec:\n"
            + "  chainInsertMode: Sideways\n", "spec.chainInsertMode", "Insert, Append"),
        Arguments.of("apiVersion: projectcalico.org/v3\nkind: Node\nmetadata:\n  name: n\nspec:\n  bgp:\n"
            + "    ipv4Address: 10.0.0.256/24\n", "spec.bgp.ipv4Address", "IPv4 address"),
        Arguments.of("apiVersion: projectcalico.org/v3\nkind: WorkloadEndpoint\nmetadata:\n  name: wrong\n  namespace: default\n"
            + "spec:\n  node: n1\n  orchestrator: k8s\n  pod: web-1\n  endpoint: eth0\n  interfaceName: cali0123456789a\n"
            + "  ipNetworks: [10.0.0.5/32]\n", "metadata.name", "expected n1-k8s-web--1-eth0"),
        Arguments.of("apiVersion: projectcalico.org/v3\nkind: WorkloadEndpoint\nmetadata:\n  name: n1-k8s-p-eth0\n"
            + "spec:\n  node: n1\n  orchestrator: k8s\n  pod: p\n  endpoint: eth0\n  interfaceName: cali0123456789a\n"
            + "  ipNetworks: [10.0.0.0/24]\n", "spec.ipNetworks[0]", "single address"),
        Arguments.of("apiVersion: projectcalico.org/v3\nkind: HostEndpoint\nmetadata:\n  name: h\nspec:\n  node: n1\n",
            "spec.interfaceName", "interfaceName or expectedIPs"),
        Arguments.of("apiVersion: projectcalico.org/v3\nkind: Profile\nmetadata:\n  name: p\nspec:\n  ingress:\n"
            + "  - action: Allow\n    destination:\n      ports: [80]\n", "spec.ingress[0].destination.ports", "TCP, UDP or SCTP"),
        Arguments.of("apiVersion: projectcalico.org/v3\nkind: ClusterInformation\nmetadata:\n  name: other\n",
            "metadata.name", "must be named 'default'"));
  }

  @ParameterizedTest
  @MethodSource("invalid")
  void refusesWithFieldAndReason(String yaml, String field, String words) {
    Resource r = ResourceCodec.decodeAll(yaml, "t.yaml").get(0).resource();
    List<InvalidResourceException.Problem> problems = Validation.problems(r.withDefaults());
    assertThat(problems).as("problems of %s", yaml).anySatisfy(p -> {
      assertThat(p.field()).isEqualTo(field);
      assertThat(p.message()).contains(words);
    });
  }

  @Test
  void validResourcesPass() {
    String text = pool("default-ipv4-ippool", "  cidr: 192.168.0.0/16\n  ipipMode: Always\n  natOutgoing: true\n")
        + "---\n" + pool("v6", "  cidr: fd00:10::/64\n  vxlanMode: CrossSubnet\n")
        + "---\napiVersion: projectcalico.org/v3\nkind: BGPPeer\nmetadata:\n  name: rr\nspec:\n  peerIP: '[fd00::1]:1179'\n"
        + "  asNumber: '1.10'\n  nodeSelector: \"rack == 'a'\"\n"
        + "---\napiVersion: projectcalico.org/v3\nkind: Node\nmetadata:\n  name: node-1\n  labels:\n    rack: a\nspec:\n"
        + "  bgp:\n    ipv4Address: 10.0.0.1/24\n    asNumber: 64512\n"
        + "---\napiVersion: projectcalico.org/v3\nkind: WorkloadEndpoint\nmetadata:\n  name: n1-k8s-web--1-eth0\n"
        + "  namespace: default\nspec:\n  node: n1\n  orchestrator: k8s\n  pod: web-1\n  endpoint: eth0\n"
        + "  interfaceName: cali0123456789a\n  ipNetworks: [10.0.0.5/32]\n  profiles: [kns.default]\n";
    for (ResourceCodec.Document d : ResourceCodec.decodeAll(text, "ok.yaml")) {
      assertThat(d.error()).isNull();
      assertThat(Validation.problems(d.resource().withDefaults())).as(d.where()).isEmpty();
    }
  }

  @Test
  void overlappingPoolsAreFound() {
    IPPool a = IPPool.of("a", IPPool.Spec.of("10.0.0.0/16"));
    IPPool b = IPPool.of("b", IPPool.Spec.of("10.0.128.0/17"));
    IPPool c = IPPool.of("c", IPPool.Spec.of("10.1.0.0/16"));
    assertThat(Validation.overlapping(a, List.of(a, b, c))).containsExactly(b);
    assertThat(Validation.overlapping(c, List.of(a, b))).isEmpty();
  }
}
