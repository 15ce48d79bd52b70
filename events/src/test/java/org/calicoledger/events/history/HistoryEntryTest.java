package org.calicoledger.events.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.calicoledger.events.image.TestEvents.Op.delete;
import static org.calicoledger.events.image.TestEvents.Op.put;
import static org.calicoledger.events.image.TestEvents.pool;
import static org.calicoledger.events.image.TestEvents.poolKey;

import java.util.List;
import org.calicoledger.events.image.ClusterDelta;
import org.calicoledger.events.image.ClusterImage;
import org.calicoledger.events.image.TestEvents;
import org.calicoledger.events.image.TestEvents.Op;
import org.calicoledger.events.proto.ChangeEvent;
import org.junit.jupiter.api.Test;

class HistoryEntryTest {
  static HistoryEntry entry(Op op) {
    ChangeEvent e = TestEvents.event(5, 0, 1, op, 5000, "alice@laptop", "ticket 1", false);
    return HistoryEntry.of(e, 0);
  }

  @Test
  void anUpdateIsSummarisedByItsChangedFields() {
    HistoryEntry h = entry(put(poolKey("p"), pool("p", "10.0.0.0/16", false)).withPrev(pool("p", "10.0.0.0/16", true)));
    assertThat(h.operation()).isEqualTo("update");
    assertThat(h.resource()).isEqualTo("IPPool(p)");
    assertThat(h.summary()).isEqualTo("spec.natOutgoing: true -> false");
  }

  @Test
  void createsDeletesAndForeignValues() {
    assertThat(entry(put(poolKey("p"), pool("p", "10.0.0.0/16", true))).summary()).isEqualTo("created");
    assertThat(entry(delete(poolKey("p")).withPrev(pool("p", "10.0.0.0/16", true))).summary()).isEqualTo("deleted");
    HistoryEntry raw = entry(put("/calico/foo", "new text").withPrev("old text"));
    assertThat(raw.resource()).isEqualTo("/calico/foo");
    assertThat(raw.summary()).isEqualTo("value: old text -> new text");
    HistoryEntry many = entry(put("/calico/x", "{\"a\":1,\"b\":1,\"c\":1,\"d\":1,\"e\":1}")
        .withPrev("{\"a\":2,\"b\":2,\"c\":2,\"d\":2,\"e\":1}"));
    assertThat(many.summary()).isEqualTo("a: 2 -> 1; b: 2 -> 1; c: 2 -> 1; (+1 more)");
    ChangeEvent bad = TestEvents.event(5, 0, 1, put(poolKey("q"), "zzz"), 5000, "", "", false).toBuilder()
        .setDecodeError("not JSON").build();
    assertThat(HistoryEntry.of(bad, 0).summary()).isEqualTo("created [undecodable: not JSON]");
  }

  @Test
  void imageDiffListsAddedRemovedAndChangedWithFieldsAndSkipsSharedSubImages() {
    ClusterDelta d1 = new ClusterDelta(ClusterImage.EMPTY);
    d1.replayAll(TestEvents.revision(2, put(poolKey("a"), pool("a", "10.1.0.0/16", true)),
        put(poolKey("b"), pool("b", "10.2.0.0/16", true)), put(TestEvents.nodeKey("n"), TestEvents.node("n", "1.1.1.1/24"))));
    ClusterImage one = d1.apply();
    ClusterDelta d2 = new ClusterDelta(one);
    d2.replayAll(TestEvents.revision(3, put(poolKey("a"), pool("a", "10.1.0.0/16", false)), delete(poolKey("b")),
        put(poolKey("c"), pool("c", "10.3.0.0/16", true))));
    d2.replayAll(TestEvents.revision(4, put(poolKey("c"), pool("c", "10.3.0.0/16", true)))); // same bytes again
    ClusterImage two = d2.apply();
    ImageDiff diff = ImageDiff.between(one, two);
    assertThat(diff.changes()).extracting(ResourceDiff::resource, ResourceDiff::type).containsExactly(
        org.assertj.core.groups.Tuple.tuple("IPPool(a)", ResourceDiff.Type.CHANGED),
        org.assertj.core.groups.Tuple.tuple("IPPool(b)", ResourceDiff.Type.REMOVED),
        org.assertj.core.groups.Tuple.tuple("IPPool(c)", ResourceDiff.Type.ADDED));
    assertThat(diff.changes().get(0).fields()).extracting(FieldChange::toString)
        .containsExactly("spec.natOutgoing: true -> false");
    assertThat(ImageDiff.between(two, two).isEmpty()).isTrue();
    assertThat(ImageDiff.between(two, one).of(ResourceDiff.Type.ADDED)).extracting(ResourceDiff::resource)
        .containsExactly("IPPool(b)");
    assertThat(List.of(diff.fromRevision(), diff.toRevision())).containsExactly(2L, 4L);
  }
}
