package org.calicoledger.confd;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.calicoledger.confd.render.ImageFixture;
import org.calicoledger.model.SecretResolver;
import org.calicoledger.confd.write.ConfigWriter;
import org.calicoledger.confd.write.WriteResult;
import org.calicoledger.events.image.ClusterDelta;
import org.calicoledger.events.image.ClusterImage;
import org.calicoledger.events.proto.ChangeEvent;
import org.calicoledger.events.proto.Operation;
import com.google.protobuf.ByteString;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfdTest {
  static final String NODES = """
      apiVersion: projectcalico.org/v3
      kind: Node
      metadata: {name: node-1}
      spec: {bgp: {ipv4Address: 10.0.0.1/24}}
      ---
      apiVersion: projectcalico.org/v3
      kind: Node
      metadata: {name: node-2}
      spec: {bgp: {ipv4Address: 10.0.0.2/24}}
      ---
      apiVersion: projectcalico.org/v3
      kind: IPPool
      metadata: {name: p}
      spec: {cidr: 192.168.0.0/16}
      """;

  @TempDir
  Path dir;
  final List<WriteResult> writes = new ArrayList<>();
  Confd confd;
  ClusterImage image;

  @BeforeEach
  void start() throws Exception {
    confd = new Confd("node-1", SecretResolver.NONE, new ConfigWriter(dir), (r, c) -> writes.add(r));
    image = new ImageFixture().resources(NODES, "nodes").affinity("node-1", "192.168.0.0/26", "confirmed").build();
    confd.onSynced(image);
    confd.drain();
  }

  @AfterEach
  void stop() throws Exception {
    confd.close();
    // what confd left in the directory is a set real BIRD accepts
    org.calicoledger.confd.render.BirdParser.Result r =
        org.calicoledger.confd.render.BirdParser.parse(dir.resolve("bird.cfg"));
    assertThat(r.code()).as("bird -p -c " + dir.resolve("bird.cfg") + ": " + r.output()).isZero();
  }

  private void change(String key, String value) throws InterruptedException {
    ClusterDelta d = new ClusterDelta(image);
    ChangeEvent.Builder b = ChangeEvent.newBuilder().setRevision(image.revision() + 1).setPosition(0).setCount(1)
        .setKey(key).setOperation(value == null ? Operation.DELETE : Operation.PUT);
    if (value != null) {
      b.setValue(ByteString.copyFromUtf8(value));
    }
    d.replay(b.build());
    image = d.apply();
    confd.onUpdate(d, image);
    confd.drain();
  }

  @Test
  void theFirstSyncWritesTheWholeSet() throws Exception {
    assertThat(writes).hasSize(1);
    assertThat(writes.get(0).changed()).hasSize(6);
    assertThat(Files.readString(dir.resolve("bird.cfg"))).contains("protocol bgp Mesh_10_0_0_2");
    assertThat(confd.peerings()).extracting(p -> p.name()).containsExactly("Mesh_10_0_0_2");
  }

  @Test
  void unrelatedChangesAreNotEvenRendered() throws Exception {
    long renders = confd.renders();
    change("/calico/resources/v3/projectcalico.org/workloadendpoints/default/w1",
        "{\"kind\":\"WorkloadEndpoint\",\"apiVersion\":\"projectcalico.org/v3\",\"metadata\":{\"name\":\"w1\","
            + "\"namespace\":\"default\"},\"spec\":{\"node\":\"node-1\"}}");
    change("/calico/ipam/v2/host/node-2/ipv4/block/192.168.0.64-26", "{\"state\":\"confirmed\",\"deleted\":false}");
    assertThat(confd.renders()).isEqualTo(renders);
    assertThat(writes).hasSize(1);
  }

  @Test
  void aRelevantChangeThatAltersNoFileWritesNothing() throws Exception {
    long renders = confd.renders();
    // node-2's labels do not appear in node-1's configuration (no selector uses them)
    change("/calico/resources/v3/projectcalico.org/nodes/node-2", "{\"kind\":\"Node\",\"apiVersion\":"
        + "\"projectcalico.org/v3\",\"metadata\":{\"name\":\"node-2\",\"labels\":{\"a\":\"b\"}},"
        + "\"spec\":{\"bgp\":{\"ipv4Address\":\"10.0.0.2/24\"}}}");
    assertThat(confd.renders()).isEqualTo(renders + 1);
    assertThat(writes).hasSize(1);
    assertThat(confd.renderedRevision()).isEqualTo(image.revision());
  }

  @Test
  void thisNodesNewBlockRewritesOnlyTheAggregationFile() throws Exception {
    change("/calico/ipam/v2/host/node-1/ipv4/block/192.168.0.64-26", "{\"state\":\"confirmed\",\"deleted\":false}");
    assertThat(writes).hasSize(2);
    assertThat(writes.get(1).changed()).containsExactly("bird_aggr.cfg");
    assertThat(Files.readString(dir.resolve("bird_aggr.cfg"))).contains("route 192.168.0.64/26 blackhole;");
  }

  @Test
  void renderingOnlyTheBlockFilesGivesWhatAFullRenderGives() throws Exception {
    ClusterImage before = image;
    change("/calico/ipam/v2/host/node-1/ipv4/block/192.168.0.128-26", "{\"state\":\"confirmed\",\"deleted\":false}");
    assertThat(Confd.onlyBlocksChanged(before, image)).isTrue();
    var full = org.calicoledger.confd.render.BirdRenderer.render(image, "node-1", SecretResolver.NONE);
    var partial = org.calicoledger.confd.render.BirdRenderer.withBlocks(
        org.calicoledger.confd.render.BirdRenderer.render(before, "node-1", SecretResolver.NONE),
        org.calicoledger.confd.render.ClusterBgp.blocks(image, "node-1"), image.revision());
    assertThat(partial).isEqualTo(full);
    for (String f : full.bodies().keySet()) {
      assertThat(Files.readString(dir.resolve(f))).endsWith(full.bodies().get(f));
    }
  }

  @Test
  void aBadInputLeavesTheFilesAndSaysWhy() throws Exception {
    String before = Files.readString(dir.resolve("bird.cfg"));
    change("/calico/resources/v3/projectcalico.org/bgppeers/bad", "{\"kind\":\"BGPPeer\",\"apiVersion\":"
        + "\"projectcalico.org/v3\",\"metadata\":{\"name\":\"bad\"},\"spec\":{\"peerIP\":\"10.0.0.x\","
        + "\"asNumber\":65000}}");
    assertThat(confd.lastError()).contains("BGPPeer bad spec.peerIP '10.0.0.x'");
    assertThat(Files.readString(dir.resolve("bird.cfg"))).isEqualTo(before);
  }
}
