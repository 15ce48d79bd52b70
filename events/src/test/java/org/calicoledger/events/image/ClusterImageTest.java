package org.calicoledger.events.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.calicoledger.events.image.TestEvents.Op.delete;
import static org.calicoledger.events.image.TestEvents.Op.put;
import static org.calicoledger.events.image.TestEvents.affinityKey;
import static org.calicoledger.events.image.TestEvents.block;
import static org.calicoledger.events.image.TestEvents.blockKey;
import static org.calicoledger.events.image.TestEvents.node;
import static org.calicoledger.events.image.TestEvents.nodeKey;
import static org.calicoledger.events.image.TestEvents.pool;
import static org.calicoledger.events.image.TestEvents.poolKey;
import static org.calicoledger.events.image.TestEvents.revision;
import static org.calicoledger.events.image.TestEvents.wep;
import static org.calicoledger.events.image.TestEvents.wepKey;

import java.util.List;
import org.calicoledger.events.proto.ChangeEvent;
import org.calicoledger.model.IPPool;
import org.calicoledger.model.Kind;
import org.junit.jupiter.api.Test;

class ClusterImageTest {

  static ClusterImage fold(ClusterImage base, List<ChangeEvent> events) {
    ClusterDelta d = new ClusterDelta(base);
    d.replayAll(events);
    return d.apply();
  }

  @Test
  void emptyDeltaGivesTheSameImage() {
    assertThat(new ClusterDelta(ClusterImage.EMPTY).apply()).isSameAs(ClusterImage.EMPTY);
    assertThat(ClusterImage.EMPTY.revision()).isZero();
    assertThat(ClusterImage.EMPTY.complete()).isTrue();
    assertThat(ClusterImage.EMPTY.size()).isZero();
  }

  @Test
  void putsDecodeLazilyIntoTypedResourcesWithTheirModRevision() {
    ClusterImage img = fold(ClusterImage.EMPTY, revision(7, put(poolKey("p1"), pool("p1", "10.0.0.0/16", true)),
        put(nodeKey("n1"), node("n1", "192.168.1.1/24")),
        put(wepKey("ns1", "w1"), wep("ns1", "w1", "10.0.0.5"))));
    assertThat(img.revision()).isEqualTo(7);
    assertThat(img.complete()).isTrue();
    IPPool p = img.pools().get("p1");
    assertThat(p.spec().cidr()).isEqualTo("10.0.0.0/16");
    assertThat(p.spec().natOutgoing()).isTrue();
    assertThat(p.metadata().resourceVersion()).isEqualTo("7");
    assertThat(img.nodes()).containsOnlyKeys("n1");
    assertThat(img.workloadEndpoints()).containsOnlyKeys("ns1/w1");
    assertThat(img.resources(Kind.IP_POOL)).containsExactly(p);
    assertThat(img.value(poolKey("p1")).modRevision()).isEqualTo(7);
  }

  @Test
  void untouchedSubImagesAreSharedBetweenVersions() {
    ClusterImage one = fold(ClusterImage.EMPTY, revision(2, put(poolKey("p1"), pool("p1", "10.0.0.0/16", true)),
        put(nodeKey("n1"), node("n1", "192.168.1.1/24"))));
    ClusterImage two = fold(one, revision(3, put(poolKey("p1"), pool("p1", "10.0.0.0/16", false))));
    assertThat(two.get(Concern.NODES)).isSameAs(one.get(Concern.NODES));
    assertThat(two.get(Concern.WORKLOAD_ENDPOINTS)).isSameAs(one.get(Concern.WORKLOAD_ENDPOINTS));
    assertThat(two.get(Concern.IP_POOLS)).isNotSameAs(one.get(Concern.IP_POOLS));
    assertThat(one.pools().get("p1").spec().natOutgoing()).isTrue();
    assertThat(two.pools().get("p1").spec().natOutgoing()).isFalse();
  }

  @Test
  void deltaReportsAddedUpdatedAndRemovedWithOldAndNewPerConcern() {
    ClusterImage one = fold(ClusterImage.EMPTY, revision(2, put(poolKey("a"), pool("a", "10.1.0.0/16", true)),
        put(poolKey("b"), pool("b", "10.2.0.0/16", true)), put(nodeKey("n1"), node("n1", "192.168.1.1/24"))));
    ClusterDelta d = new ClusterDelta(one);
    d.replayAll(revision(3, put(poolKey("a"), pool("a", "10.1.0.0/16", false)), delete(poolKey("b")),
        put(poolKey("c"), pool("c", "10.3.0.0/16", true)), put(poolKey("tmp"), pool("tmp", "10.4.0.0/16", true))));
    d.replayAll(revision(4, delete(poolKey("tmp"))));
    Changes<IPPool> pools = d.pools();
    assertThat(pools.added()).containsOnlyKeys("c");
    assertThat(pools.removed()).containsOnlyKeys("b");
    assertThat(pools.removed().get("b").spec().cidr()).isEqualTo("10.2.0.0/16");
    assertThat(pools.updated()).containsOnlyKeys("a");
    Change<IPPool> a = pools.updated().get("a");
    assertThat(a.old().spec().natOutgoing()).isTrue();
    assertThat(a.now().spec().natOutgoing()).isFalse();
    assertThat(pools.all()).extracting(Change::id).containsExactly("a", "b", "c"); // tmp came and went
    assertThat(d.nodes().isEmpty()).isTrue();
    assertThat(d.touches(Concern.NODES)).isFalse();
    ClusterImage two = d.apply();
    assertThat(two.revision()).isEqualTo(4);
    assertThat(two.pools()).containsOnlyKeys("a", "c");
    assertThatThrownBy(() -> d.replay(revision(5, delete(poolKey("a"))).get(0)))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void eventsAtOrBeforeTheImagePointAreIgnored() {
    List<ChangeEvent> r5 = revision(5, put(poolKey("a"), pool("a", "10.1.0.0/16", true)));
    ClusterImage five = fold(ClusterImage.EMPTY, r5);
    ClusterDelta again = new ClusterDelta(five);
    assertThat(again.replayAll(r5)).isZero();
    assertThat(again.replay(revision(4, delete(poolKey("a"))).get(0))).isFalse();
    assertThat(again.apply()).isSameAs(five);
    assertThat(five.accepts(5, 0)).isFalse();
    assertThat(five.accepts(6, 0)).isTrue();
  }

  @Test
  void aRevisionSplitAcrossDeltasIsAppliedOnceAndCompletes() {
    List<ChangeEvent> r9 = revision(9, put(poolKey("a"), pool("a", "10.1.0.0/16", true)),
        put(poolKey("b"), pool("b", "10.2.0.0/16", true)), put(poolKey("c"), pool("c", "10.3.0.0/16", true)));
    ClusterImage first = fold(ClusterImage.EMPTY, r9.subList(0, 1));
    assertThat(first.revision()).isEqualTo(9);
    assertThat(first.complete()).isFalse();
    assertThat(first.nextPosition()).isEqualTo(1);
    assertThat(first.accepts(9, 0)).isFalse();
    assertThat(first.accepts(9, 1)).isTrue();
    ClusterImage rest = fold(first, r9); // position 0 is ignored, 1 and 2 applied
    assertThat(rest).isEqualTo(fold(ClusterImage.EMPTY, r9));
    assertThat(rest.complete()).isTrue();
  }

  @Test
  void snapshotRemovesWhatItDoesNotHoldAndReportsIt() {
    ClusterImage old = fold(ClusterImage.EMPTY, revision(3, put(poolKey("a"), pool("a", "10.1.0.0/16", true)),
        put(poolKey("gone"), pool("gone", "10.9.0.0/16", true)), put(nodeKey("n1"), node("n1", "192.168.1.1/24"))));
    ClusterDelta snap = ClusterDelta.snapshot(old, 12);
    snap.replay(revision(3, put(poolKey("a"), pool("a", "10.1.0.0/16", true))).get(0));
    snap.replay(revision(11, put(poolKey("b"), pool("b", "10.2.0.0/16", true))).get(0));
    snap.replay(revision(12, delete(poolKey("b"))).get(0)); // a tombstone read after the put
    snap.replay(revision(12, put(nodeKey("n1"), node("n1", "192.168.1.2/24"))).get(0));
    assertThat(snap.pools().removed()).containsOnlyKeys("gone");
    assertThat(snap.pools().added()).isEmpty();
    assertThat(snap.nodes().updated()).containsOnlyKeys("n1");
    ClusterImage img = snap.apply();
    assertThat(img.revision()).isEqualTo(12);
    assertThat(img.pools()).containsOnlyKeys("a");
    assertThat(img.get(Concern.IP_POOLS).value("a")).isSameAs(old.get(Concern.IP_POOLS).value("a"));
    ClusterImage emptied = ClusterDelta.snapshot(img, 13).apply();
    assertThat(emptied.size()).isZero();
    assertThat(emptied).isEqualTo(ClusterDelta.snapshot(ClusterImage.EMPTY, 13).apply());
    assertThat(emptied).isNotEqualTo(ClusterImage.EMPTY); // same (no) values, another point
  }

  @Test
  void undecodableValuesAreKeptRawAndReported() {
    ClusterImage img = fold(ClusterImage.EMPTY, revision(4, put(poolKey("bad"), "not json"),
        put(poolKey("wrong"), node("wrong", "192.168.1.1/24")), put(poolKey("ok"), pool("ok", "10.0.0.0/16", false))));
    assertThat(img.pools()).containsOnlyKeys("ok");
    assertThat(img.get(Concern.IP_POOLS).size()).isEqualTo(3);
    assertThat(img.get(Concern.IP_POOLS).failures()).containsOnlyKeys("bad", "wrong");
    assertThat(img.get(Concern.IP_POOLS).failures().get("wrong")).contains("key is for IPPool");
    assertThat(img.value(poolKey("bad")).text()).isEqualTo("not json");
  }

  @Test
  void ipamKeysAndOtherKeysHaveTheirOwnConcerns() {
    String other = "/calico/felix/v2/no-region/host/n1/status";
    ClusterImage img = fold(ClusterImage.EMPTY, revision(6,
        put(blockKey("10.0.0.0/26"), block("10.0.0.0/26", "n1", 2)),
        put(affinityKey("n1", "10.0.0.0/26"), "{\"state\":\"confirmed\",\"deleted\":false}"),
        put("/calico/ipam/v2/handle/k8s-pod.abc", "{\"block\":{\"10.0.0.0/26\":1},\"deleted\":false}"),
        put("/calico/ipam/v2/config", "{\"strict_affinity\":true,\"auto_allocate_blocks\":true}"),
        put(other, "{\"time\":\"now\"}"),
        put("/calico/resources/v3/projectcalico.org/tiers/x", "{}")));
    IpamBlock b = img.ipamBlocks().get("10.0.0.0/26");
    assertThat(b.host()).isEqualTo("n1");
    assertThat(b.inUse()).isEqualTo(2);
    assertThat(b.handles()).containsExactly("h1");
    assertThat(img.blockAffinities().get("n1/10.0.0.0/26").confirmed()).isTrue();
    assertThat(img.ipamHandles().get("k8s-pod.abc").blocks()).containsEntry("10.0.0.0/26", 1);
    assertThat(img.ipamConfig().strictAffinity()).isTrue();
    assertThat(img.other()).containsOnlyKeys(other, "/calico/resources/v3/projectcalico.org/tiers/x");
    assertThat(ClusterImage.EMPTY.ipamConfig()).isEqualTo(IpamConfig.DEFAULT);
  }

  @Test
  void keysAreClassifiedByShape() {
    assertThat(Concern.of(poolKey("p"))).isSameAs(Concern.IP_POOLS);
    assertThat(Concern.of(poolKey("ns/p"))).isSameAs(Concern.OTHER);
    assertThat(Concern.of(wepKey("ns", "w"))).isSameAs(Concern.WORKLOAD_ENDPOINTS);
    assertThat(Concern.of("/calico/resources/v3/projectcalico.org/workloadendpoints/w")).isSameAs(Concern.OTHER);
    assertThat(Concern.of("/calico/resources/v3/projectcalico.org/ippools/")).isSameAs(Concern.OTHER);
    assertThat(Concern.of("/calico/ipam/v2/assignment/ipv6/block/fd00::-122")).isSameAs(Concern.IPAM_BLOCKS);
    assertThat(Concern.IPAM_BLOCKS.id("/calico/ipam/v2/assignment/ipv6/block/fd00::-122")).isEqualTo("fd00::/122");
    assertThat(Concern.of("/calico/ipam/v2/assignment/ipv4/block/fd00::-122")).isSameAs(Concern.OTHER);
    assertThat(Concern.of("/calico/ipam/v2/assignment/ipv4/block/10.0.0.0-x")).isSameAs(Concern.OTHER);
    assertThat(Concern.of("/calico/ipam/v2/host/n1/ipv4/block/10.0.0.0-26")).isSameAs(Concern.BLOCK_AFFINITIES);
    assertThat(Concern.of("/calico/ipam/v2/handle/a/b")).isSameAs(Concern.OTHER);
    assertThat(Concern.of("/calico/ipam/v2/config")).isSameAs(Concern.IPAM_CONFIG);
    assertThat(Concern.of("/calico/ledger/v1/hooks/x")).isSameAs(Concern.OTHER);
    assertThat(Concern.of(Kind.NODE)).isSameAs(Concern.NODES);
  }
}
