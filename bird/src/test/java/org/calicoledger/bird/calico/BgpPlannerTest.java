package org.calicoledger.bird.calico;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.calicoledger.bird.io.PeerConfig;
import org.calicoledger.bird.wire.Prefix;
import org.calicoledger.events.image.ClusterDelta;
import org.calicoledger.events.image.ClusterImage;
import org.calicoledger.events.proto.Operation;
import org.calicoledger.model.SecretResolver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BgpPlannerTest {
  private ClusterImage image = ClusterImage.EMPTY;
  private long rev;

  private void put(String key, String json) {
    ClusterDelta d = new ClusterDelta(image);
    d.replay(++rev, 0, 1, key, Operation.PUT, ByteString.copyFromUtf8(json));
    image = d.apply();
  }

  private void node(String name, String ip, String extraBgp, String labels) {
    put("/calico/resources/v3/projectcalico.org/nodes/" + name, "{\"kind\":\"Node\",\"apiVersion\":"
        + "\"projectcalico.org/v3\",\"metadata\":{\"name\":\"" + name + "\",\"labels\":{" + labels + "}},"
        + "\"spec\":{\"bgp\":{\"ipv4Address\":\"" + ip + "/24\"" + extraBgp + "}}}");
  }

  private void resource(String plural, String name, String kind, String spec) {
    put("/calico/resources/v3/projectcalico.org/" + plural + "/" + name, "{\"kind\":\"" + kind + "\",\"apiVersion\":"
        + "\"projectcalico.org/v3\",\"metadata\":{\"name\":\"" + name + "\"},\"spec\":" + spec + "}");
  }

  private void affinity(String host, String cidr, String state) {
    put("/calico/ipam/v2/host/" + host + "/ipv4/block/" + cidr.replace('/', '-'),
        "{\"state\":\"" + state + "\",\"deleted\":false}");
  }

  private BgpPlan plan(String node) {
    return BgpPlanner.plan(image, node, Duration.ofSeconds(90));
  }

  @Test
  void passwordsFromSecretFilesForMeshAndBgpPeers(@TempDir Path secrets) throws Exception {
    Files.createDirectories(secrets.resolve("bgp"));
    Files.writeString(secrets.resolve("bgp").resolve("mesh"), "mesh-pw\n");
    Files.writeString(secrets.resolve("bgp").resolve("tor"), "tor-pw");
    node("a", "10.0.0.5", "", "");
    node("b", "10.0.0.6", "", "");
    resource("bgpconfigurations", "default", "BGPConfiguration",
        "{\"nodeMeshPassword\":{\"secretKeyRef\":{\"name\":\"bgp\",\"key\":\"mesh\"}}}");
    resource("bgppeers", "tor", "BGPPeer", "{\"peerIP\":\"10.0.0.1\",\"asNumber\":65200,"
        + "\"password\":{\"secretKeyRef\":{\"name\":\"bgp\",\"key\":\"tor\"}}}");
    resource("bgppeers", "gone", "BGPPeer", "{\"peerIP\":\"10.0.0.2\",\"asNumber\":65200,"
        + "\"password\":{\"secretKeyRef\":{\"name\":\"bgp\",\"key\":\"missing\"}}}");
    BgpPlan p = BgpPlanner.plan(image, "a", Duration.ofSeconds(90), SecretResolver.files(secrets));
    assertThat(p.peers()).extracting(PeerConfig::address, PeerConfig::password).containsExactly(
        org.assertj.core.groups.Tuple.tuple("10.0.0.1", "tor-pw"),
        org.assertj.core.groups.Tuple.tuple("10.0.0.2", null), // a secret that does not resolve: no password
        org.assertj.core.groups.Tuple.tuple("10.0.0.6", "mesh-pw"));
    // without a resolver nothing resolves
    assertThat(plan("a").peers()).allMatch(x -> x.password() == null);
  }

  private void workload(String name, String node, String... nets) {
    put("/calico/resources/v3/projectcalico.org/workloadendpoints/default/" + name, "{\"kind\":\"WorkloadEndpoint\","
        + "\"apiVersion\":\"projectcalico.org/v3\",\"metadata\":{\"name\":\"" + name + "\",\"namespace\":"
        + "\"default\"},\"spec\":{\"node\":\"" + node + "\",\"ipNetworks\":[\"" + String.join("\",\"", nets)
        + "\"]}}");
  }

  @Test
  void borrowedAddressesAreExportedAsHostRoutes() {
    node("a", "10.0.0.5", "", "");
    node("b", "10.0.0.6", "", "");
    resource("ippools", "p1", "IPPool", "{\"cidr\":\"10.20.0.0/16\"}");
    resource("ippools", "p2", "IPPool", "{\"cidr\":\"10.30.0.0/16\",\"disableBGPExport\":true}");
    affinity("a", "10.20.0.0/26", "confirmed");
    affinity("a", "10.20.0.64/26", "pending");
    affinity("b", "10.20.1.0/26", "confirmed");
    affinity("b", "10.30.1.0/26", "confirmed");
    workload("own", "a", "10.20.0.3/32");          // in a's confirmed block: the block covers it
    workload("pending", "a", "10.20.0.70/32");     // in a's pending block: not borrowed
    workload("borrowed", "a", "10.20.1.9/32");     // in b's block: a exports 10.20.1.9/32
    workload("noexport", "a", "10.30.1.9/32");     // borrowed, but its pool has disableBGPExport
    workload("outside", "a", "172.31.0.1/32");     // in no pool
    workload("onb", "b", "10.20.0.9/32");          // b borrows from a: a does not export it, b does
    assertThat(plan("a").exports()).containsExactlyInAnyOrder(Prefix.parse("10.20.0.0/26"),
        Prefix.parse("10.20.1.9/32"));
    assertThat(plan("b").exports()).containsExactlyInAnyOrder(Prefix.parse("10.20.1.0/26"),
        Prefix.parse("10.20.0.9/32"));
    // the endpoint goes away: so does its route
    ClusterDelta d = new ClusterDelta(image);
    d.replay(++rev, 0, 1, "/calico/resources/v3/projectcalico.org/workloadendpoints/default/borrowed",
        Operation.DELETE, ByteString.EMPTY);
    image = d.apply();
    assertThat(plan("a").exports()).containsExactly(Prefix.parse("10.20.0.0/26"));
  }

  @Test
  void meshWithCalicosPassiveRuleAndDefaultAs() {
    node("a", "10.0.0.5", "", "");
    node("b", "10.0.0.10", "", "");
    node("c", "10.0.0.7", ",\"asNumber\":65001", "");
    BgpPlan p = plan("a");
    assertThat(p.localAs()).isEqualTo(64512);
    assertThat(p.peers()).extracting(PeerConfig::address).containsExactly("10.0.0.10", "10.0.0.7");
    // Calico compares the address strings: "10.0.0.10" < "10.0.0.5" < "10.0.0.7"
    assertThat(p.peers().get(0).passive()).isFalse();
    assertThat(p.peers().get(1).passive()).isTrue();
    assertThat(p.peers().get(1).asNumber()).isEqualTo(65001);
    assertThat(p.peers()).allMatch(x -> x.type().equals("node-to-node mesh"));
  }

  @Test
  void meshOffGlobalAndNodePeersAndAsFromBgpConfiguration() {
    node("a", "10.0.0.5", "", "\"rack\":\"r1\"");
    node("b", "10.0.0.6", "", "");
    resource("bgpconfigurations", "default", "BGPConfiguration",
        "{\"nodeToNodeMeshEnabled\":false,\"asNumber\":65100}");
    resource("bgppeers", "tor", "BGPPeer", "{\"peerIP\":\"10.0.0.1:1179\",\"asNumber\":65200}");
    resource("bgppeers", "rack", "BGPPeer", "{\"nodeSelector\":\"rack == 'r1'\",\"peerIP\":\"10.0.0.2\","
        + "\"asNumber\":65300}");
    resource("bgppeers", "other", "BGPPeer", "{\"node\":\"b\",\"peerIP\":\"10.0.0.3\",\"asNumber\":65400}");
    BgpPlan p = plan("a");
    assertThat(p.localAs()).isEqualTo(65100);
    assertThat(p.peers()).extracting(PeerConfig::display).containsExactly("10.0.0.1:1179", "10.0.0.2");
    assertThat(p.peers().get(0).type()).isEqualTo("global");
    assertThat(p.peers().get(1).type()).isEqualTo("node specific");
  }

  @Test
  void routeReflectorClientsFromPeerSelector() {
    node("rr", "10.0.0.1", ",\"routeReflectorClusterID\":\"224.0.0.1\"", "\"rr\":\"true\"");
    node("a", "10.0.0.5", "", "");
    resource("bgpconfigurations", "default", "BGPConfiguration", "{\"nodeToNodeMeshEnabled\":false}");
    resource("bgppeers", "to-rr", "BGPPeer", "{\"nodeSelector\":\"all()\",\"peerSelector\":\"rr == 'true'\"}");
    resource("bgppeers", "from-rr", "BGPPeer", "{\"nodeSelector\":\"rr == 'true'\",\"peerSelector\":\"all()\"}");
    BgpPlan rr = plan("rr");
    assertThat(rr.clusterId()).isEqualTo(Prefix.parse("224.0.0.1").lo());
    assertThat(rr.peers()).singleElement().satisfies(x -> {
      assertThat(x.address()).isEqualTo("10.0.0.5");
      assertThat(x.rrClient()).isTrue();
    });
    assertThat(plan("a").peers()).singleElement().satisfies(x -> assertThat(x.rrClient()).isFalse());
  }

  @Test
  void exportsConfirmedAffineBlocksInExportingPoolsOnly() {
    node("a", "10.0.0.5", "", "");
    resource("ippools", "p1", "IPPool", "{\"cidr\":\"10.20.0.0/16\"}");
    resource("ippools", "p2", "IPPool", "{\"cidr\":\"10.30.0.0/16\",\"disableBGPExport\":true}");
    resource("ippools", "p3", "IPPool", "{\"cidr\":\"10.40.0.0/16\",\"disabled\":true}");
    affinity("a", "10.20.0.0/26", "confirmed");
    affinity("a", "10.20.0.64/26", "pending");
    affinity("a", "10.30.0.0/26", "confirmed");
    affinity("a", "10.40.0.0/26", "confirmed");
    affinity("b", "10.20.1.0/26", "confirmed");
    BgpPlan p = plan("a");
    assertThat(p.exports()).containsExactly(Prefix.parse("10.20.0.0/26"));
    assertThat(p.inPools(Prefix.parse("10.30.1.0/26"))).isTrue();
    assertThat(p.inPools(Prefix.parse("10.40.1.0/26"))).isFalse();
  }

  @Test
  void noPlanWithoutAnAddress() {
    assertThat(plan("a")).isNull();
  }
}
