package org.calicoledger.ipam;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.calicoledger.ipam.NodeRemovalPlan.Change;
import org.calicoledger.ipam.NodeRemovalPlan.ResourceRead;
import org.calicoledger.model.ObjectMeta;
import org.calicoledger.model.WorkloadEndpoint;
import org.calicoledger.model.net.Cidr;
import org.calicoledger.store.KeyValue;
import org.junit.jupiter.api.Test;

/** {@link NodeRemovalPlan} on values only: what is released, kept, deleted, and in which order. */
class NodeRemovalPlanTest {
  static final Cidr OWN = Cidr.parse("10.0.0.0/29");
  static final Cidr OWN_SHARED = Cidr.parse("10.0.0.8/29");
  static final Cidr OTHER = Cidr.parse("10.0.0.16/29");
  long rev = 10;

  KeyValue kv(String key, byte[] value) {
    return new KeyValue(key, value, rev++, 1, 1);
  }

  static Block assign(Block b, int ordinal, String handle, String node) {
    return b.assign(ordinal, handle, Map.of("node", node));
  }

  static ResourceRead endpoint(String node, String pod, String ip) {
    WorkloadEndpoint.Spec spec = new WorkloadEndpoint.Spec("k8s", null, node, "c-" + pod, pod, "eth0", null,
        List.of(ip + "/32"), null, null, null, null, "cali" + pod, null, null, null, null);
    return new ResourceRead(new WorkloadEndpoint(ObjectMeta.named("default", pod), spec),
        "/calico/resources/v3/projectcalico.org/workloadendpoints/default/" + pod, 77);
  }

  @Test
  void releasesTheNodesAddressesAndKeepsOthers() {
    Block own = assign(assign(Block.create(OWN, "n3", 1, "t"), 0, "h.p0", "n3"), 1, "h.p1", "n3");
    Block shared = assign(assign(Block.create(OWN_SHARED, "n3", 1, "t"), 0, "h.p2", "n3"), 1, "h.b1", "n1");
    // n3 borrowed ordinal 2 of n1's block; ordinal 3 is n1's own, listed by a stale endpoint of n3
    Block other = assign(assign(assign(Block.create(OTHER, "n1", 1, "t"), 0, "h.a0", "n1"), 2, "h.bb", "n3"),
        3, "h.a3", "n1");
    List<KeyValue> ipam = new ArrayList<>();
    ipam.add(kv(IpamKeys.block(OWN), own.toJson()));
    ipam.add(kv(IpamKeys.block(OWN_SHARED), shared.toJson()));
    ipam.add(kv(IpamKeys.block(OTHER), other.toJson()));
    ipam.add(kv(IpamKeys.affinity("n3", OWN), Affinity.of("n3", OWN, Affinity.State.CONFIRMED).toJson()));
    ipam.add(kv(IpamKeys.affinity("n3", OWN_SHARED), Affinity.of("n3", OWN_SHARED, Affinity.State.CONFIRMED).toJson()));
    ipam.add(kv(IpamKeys.affinity("n1", OTHER), Affinity.of("n1", OTHER, Affinity.State.CONFIRMED).toJson()));
    for (String h : List.of("h.p0", "h.p1", "h.p2", "h.b1", "h.a0", "h.bb", "h.a3")) {
      Cidr in = h.equals("h.b1") ? OWN_SHARED : h.startsWith("h.a") || h.equals("h.bb") ? OTHER
          : h.equals("h.p2") ? OWN_SHARED : OWN;
      ipam.add(kv(IpamKeys.handle(h), Handle.empty(h).increment(in, 1).toJson()));
    }
    List<ResourceRead> eps = List.of(endpoint("n3", "p0", "10.0.0.0"), endpoint("n3", "stale", "10.0.0.19"));
    // h.p1 and h.p2 have no endpoint but name n3: released too; h.bb likewise

    NodeRemovalPlan plan = NodeRemovalPlan.of("n3", ipam, eps, null, List.of(), List.of());

    Map<String, Change> byKey = new java.util.LinkedHashMap<>();
    plan.changes().forEach(c -> byKey.put(c.key(), c));
    assertThat(byKey.get(IpamKeys.block(OWN)).delete()).as("own block, now empty").isTrue();
    Block sharedNext = Block.parse(byKey.get(IpamKeys.block(OWN_SHARED)).value(), IpamKeys.block(OWN_SHARED));
    assertThat(sharedNext.affinity()).isNull();
    assertThat(sharedNext.inUseCount()).isEqualTo(1);
    assertThat(sharedNext.handleOf(1)).isEqualTo("h.b1");
    Block otherNext = Block.parse(byKey.get(IpamKeys.block(OTHER)).value(), IpamKeys.block(OTHER));
    assertThat(otherNext.affinity()).isEqualTo("host:n1");
    assertThat(otherNext.isAllocated(2)).as("n3's borrowed address").isFalse();
    assertThat(otherNext.isAllocated(3)).as("n1's address a stale n3 endpoint lists").isTrue();
    assertThat(otherNext.sequenceNumber()).isEqualTo(other.sequenceNumber() + 1);
    for (String h : List.of("h.p0", "h.p1", "h.p2", "h.bb")) {
      assertThat(byKey.get(IpamKeys.handle(h)).delete()).as(h).isTrue();
    }
    assertThat(byKey).doesNotContainKeys(IpamKeys.handle("h.b1"), IpamKeys.handle("h.a0"), IpamKeys.handle("h.a3"),
        IpamKeys.affinity("n1", OTHER));
    assertThat(byKey.get(IpamKeys.affinity("n3", OWN)).delete()).isTrue();
    assertThat(byKey.get(IpamKeys.affinity("n3", OWN_SHARED)).delete()).isTrue();
    assertThat(plan.counts()).isEqualTo(new NodeRemovalPlan.Counts(2, 4, 4, 1, 1, 2, List.of()));
    // blocks, then handles, then the host tree, then endpoints; every compare is on the revision read
    List<String> keys = plan.changes().stream().map(Change::key).toList();
    assertThat(keys.indexOf(IpamKeys.block(OTHER))).isLessThan(keys.indexOf(IpamKeys.handle("h.p0")));
    assertThat(keys.indexOf(IpamKeys.handle("h.bb"))).isLessThan(keys.indexOf(IpamKeys.affinity("n3", OWN)));
    assertThat(keys.get(keys.size() - 1)).endsWith("/stale");
    assertThat(byKey.get(IpamKeys.block(OWN)).readRevision()).isEqualTo(10);
  }

  @Test
  void nothingRecordedMeansAnEmptyPlan() {
    NodeRemovalPlan plan = NodeRemovalPlan.of("gone", List.of(kv(IpamKeys.CONFIG,
        "{}".getBytes(StandardCharsets.UTF_8))), List.of(), null, List.of(), List.of());
    assertThat(plan.changes()).isEmpty();
  }
}
