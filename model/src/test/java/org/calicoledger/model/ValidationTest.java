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
