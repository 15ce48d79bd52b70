package org.calicoledger.ipam;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.calicoledger.model.net.Cidr;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Values in Calico's exact JSON shape (hand-written from libcalico-go's model structs: field names, order, null
 * slices, sorted map keys, uint64 sequence numbers) are read and written back byte for byte, and fields this
 * project does not know survive a change.
 */
class CalicoJsonFixturesTest {
  static String fixture(String name) throws IOException {
    try (InputStream in = CalicoJsonFixturesTest.class.getResourceAsStream("/fixtures/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
    }
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @ParameterizedTest
  @ValueSource(strings = {"block-v4.json", "block-v4-old.json", "block-v4-unknown-fields.json", "block-v6.json"})
  void blocksRoundTripUnchanged(String name) throws IOException {
    String json = fixture(name);
    Block b = Block.parse(bytes(json), "/calico/ipam/v2/assignment/ipv4/block/x");
    assertThat(new String(b.toJson(), StandardCharsets.UTF_8)).isEqualTo(json);
    assertThat(Block.parse(b.toJson(), "again")).isEqualTo(b);
  }

  @Test
  void handleAffinityAndConfigRoundTripUnchanged() throws IOException {
    String h = fixture("handle.json");
    assertThat(new String(Handle.parse(bytes(h), "k8s-pod-network.x").toJson(), StandardCharsets.UTF_8)).isEqualTo(h);
    String a = fixture("affinity-confirmed.json");
    Affinity aff = Affinity.parse("/calico/ipam/v2/host/node-1/ipv4/block/10.65.0.0-26", bytes(a));
    assertThat(aff.state()).isEqualTo(Affinity.State.CONFIRMED);
    assertThat(aff.host()).isEqualTo("node-1");
    assertThat(aff.cidr()).isEqualTo(Cidr.parse("10.65.0.0/26"));
    assertThat(new String(aff.toJson(), StandardCharsets.UTF_8)).isEqualTo(a);
    String c = fixture("config.json");
    IpamConfig cfg = IpamConfig.parse(bytes(c));
    assertThat(cfg.strictAffinity()).isTrue();
    assertThat(cfg.blockLimit()).isEqualTo(5);
    assertThat(new String(cfg.toJson(), StandardCharsets.UTF_8)).isEqualTo(c);
  }

  @Test
  void calicoBlockReadsAsCalicoMeansIt() throws IOException {
    Block b = Block.parse(bytes(fixture("block-v4.json")), "k");
    assertThat(b.host()).isEqualTo("node-1");
    assertThat(b.inUseCount()).isEqualTo(4);
    assertThat(b.freeCount()).isEqualTo(60);
    assertThat(b.handleOf(1)).isEqualTo("k8s-pod-network.6f1c2d3e4b5a");
    assertThat(b.handleOf(2)).isEqualTo("k8s-pod-network.6f1c2d3e4b5a");
    assertThat(b.countsByHandle()).containsEntry("k8s-pod-network.6f1c2d3e4b5a", 2);
    assertThat(Long.toUnsignedString(b.sequenceOf(5))).isEqualTo("1712345678901234570");
    assertThat(b.unallocated()[59]).isEqualTo(3); // released ordinals queue at the back
    Block unknown = Block.parse(bytes(fixture("block-v4-unknown-fields.json")), "k");
    assertThat(Long.toUnsignedString(unknown.sequenceNumber())).isEqualTo("18446744073709551615");
  }

  @Test
  void changesKeepUnknownFieldsAndFieldOrder() throws IOException {
    Block b = Block.parse(bytes(fixture("block-v4-unknown-fields.json")), "k");
    Block.Assigned a = b.autoAssign(2, "k8s-pod-network.new", Map.of("node", "node-3"));
    Block written = a.block().nextSequence(); // uint64 max + 1 wraps to 0, as Go's does
    String json = new String(written.toJson(), StandardCharsets.UTF_8);
    assertThat(json).startsWith("{\"cidr\":\"10.67.1.0/26\",\"affinity\":\"host:node-3\",\"hostAffinity\":\"node-3\",")
        .contains("\"futureField\":{\"nested\":[1,\"two\",null]}")
        .contains("{\"handle_id\":\"k8s-pod-network.ffee\",\"secondary\":{\"node\":\"node-3\"},\"alternate\":{\"pod\":\"old-pod\"}}")
        .contains("{\"handle_id\":\"k8s-pod-network.new\",\"secondary\":{\"node\":\"node-3\"}}")
        .contains("\"sequenceNumber\":0,");
    Block.Released r = Block.parse(bytes(json), "k").release(List.of(new Block.Release(63, null, null)));
    assertThat(new String(r.block().toJson(), StandardCharsets.UTF_8)).doesNotContain("alternate").contains("futureField");
  }

  @Test
  void damagedBlocksAreRefusedNamingKeyAndField() {
    assertThatThrownBy(() -> Block.parse(bytes("{\"cidr\":\"10.0.0.0/26\",\"allocations\":[null]}"), "/calico/ipam/v2/assignment/ipv4/block/10.0.0.0-26"))
        .hasMessageContaining("/calico/ipam/v2/assignment/ipv4/block/10.0.0.0-26")
        .hasMessageContaining("must have 64 \"allocations\" entries, has 1");
    assertThatThrownBy(() -> Block.parse(bytes("{\"cidr\":\"10.0.0.0/30\",\"allocations\":[null,null,null,null],\"unallocated\":[9]}"), "k"))
        .hasMessageContaining("unallocated[0] must be an ordinal 0..3, got 9");
    assertThatThrownBy(() -> Block.parse(bytes("not json"), "k")).hasMessageContaining("value of k is not JSON");
    assertThatThrownBy(() -> Block.parse(bytes("{\"cidr\":\"10.0.0.0/8\"}"), "k")).hasMessageContaining("at most 65536");
  }
}
