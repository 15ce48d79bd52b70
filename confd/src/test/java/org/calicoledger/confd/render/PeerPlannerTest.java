package org.calicoledger.confd.render;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.calicoledger.events.image.ClusterImage;
import org.calicoledger.model.SecretResolver;
import org.junit.jupiter.api.Test;

class PeerPlannerTest {
  static final String NODES = """
      apiVersion: projectcalico.org/v3
      kind: Node
      metadata: {name: a, labels: {rr: "true"}}
      spec: {bgp: {ipv4Address: 10.0.0.1/24, ipv6Address: "fd00::1/64", asNumber: 65001}}
      ---
      apiVersion: projectcalico.org/v3
      kind: Node
      metadata: {name: b}
      spec: {bgp: {ipv4Address: 10.0.0.2/24, ipv6Address: "fd00::2/64"}}
      """;

  static List<Peering> plan(String extra, String node, int v) {
    ClusterImage image = new ImageFixture().resources(NODES + extra, "test").build();
    ClusterBgp c = ClusterBgp.of(image, node);
    return PeerPlanner.plan(c, c.nodes().get(node), v, SecretResolver.NONE);
  }

  @Test
  void meshUsesEachNodesOwnAsAndIsPassiveTowardsGreaterAddresses() {
    assertThat(plan("", "b", 4)).containsExactly(new Peering("Mesh_10_0_0_1", "mesh", "10.0.0.1", 0, 65001, 64512,
        "10.0.0.2", false, null, null, 0, 0, 0, null, null));
    assertThat(plan("", "a", 4).get(0).passive()).isTrue();
    assertThat(plan("", "a", 6)).extracting(Peering::name).containsExactly("Mesh_fd00__2");
  }

  @Test
  void ipv6PeerWithAPortIsNamedAsCalicoNamesIt() {
    List<Peering> p = plan("""
        ---
        apiVersion: projectcalico.org/v3
        kind: BGPPeer
        metadata: {name: tor6}
        spec: {peerIP: "[fd00::fe]:1790", asNumber: 65100}
        """, "a", 6);
    assertThat(p).extracting(Peering::name).containsExactly("Mesh_fd00__2", "Global_fd00__fe_port_1790");
    assertThat(p.get(1).port()).isEqualTo(1790);
    assertThat(p.get(1).internal()).isFalse();
  }

  @Test
  void aGlobalPeeringWithAnotherCalicoNodeIsPassiveTowardsTheGreaterAddress() {
    String peer = """
        ---
        apiVersion: projectcalico.org/v3
        kind: BGPPeer
        metadata: {name: to-b}
        spec: {peerIP: 10.0.0.2, asNumber: 64512}
        """;
    assertThat(plan(peer, "a", 4)).filteredOn(p -> p.name().equals("Global_10_0_0_2")).singleElement()
        .extracting(Peering::passive).isEqualTo(true);
    // b is that peer itself: it does not peer with itself, and peers back with every node (reverse peering)
    assertThat(plan(peer, "b", 4)).extracting(Peering::name).containsExactly("Mesh_10_0_0_1", "Node_10_0_0_1");
  }

  @Test
  void reversePeeringCanBeSwitchedOff() {
    String peer = """
        ---
        apiVersion: projectcalico.org/v3
        kind: BGPConfiguration
        metadata: {name: default}
        spec: {nodeToNodeMeshEnabled: false}
        ---
        apiVersion: projectcalico.org/v3
        kind: BGPPeer
        metadata: {name: to-rr}
        spec: {node: b, peerSelector: rr == 'true'%s}
        """;
    assertThat(plan(peer.formatted(""), "b", 4)).extracting(Peering::name).containsExactly("Node_10_0_0_1");
    assertThat(plan(peer.formatted(""), "a", 4)).extracting(Peering::name).containsExactly("Node_10_0_0_2");
    assertThat(plan(peer.formatted(", reversePeering: Manual"), "a", 4)).isEmpty();
  }

  @Test
  void aBadPeerAddressNamesTheResourceAndField() {
    assertThatThrownBy(() -> plan("""
        ---
        apiVersion: projectcalico.org/v3
        kind: BGPPeer
        metadata: {name: broken}
        spec: {peerIP: "10.0.0.300", asNumber: 65100}
        """, "a", 4)).isInstanceOf(RenderException.class)
        .hasMessageContaining("BGPPeer broken spec.peerIP '10.0.0.300' is not IP, IP:port or [IPv6]:port");
  }
}
