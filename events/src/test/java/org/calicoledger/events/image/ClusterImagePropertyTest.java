package org.calicoledger.events.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.calicoledger.events.image.TestEvents.Op;
import org.calicoledger.events.proto.ChangeEvent;
import org.calicoledger.events.proto.Operation;

/**
 * The image laws: any split of the same events into batches gives an equal image; replaying what an image already holds
 * changes nothing; loading a {@code calico.state} snapshot (compacted or not, over any older image) equals replaying the
 * history; and a delta's reported changes are exactly the difference between its base and its result.
 */
class ClusterImagePropertyTest {
  static final List<String> KEYS = List.of(
      TestEvents.poolKey("p0"), TestEvents.poolKey("p1"), TestEvents.poolKey("p2"),
      TestEvents.nodeKey("n0"), TestEvents.nodeKey("n1"),
      TestEvents.wepKey("ns1", "w0"), TestEvents.wepKey("ns2", "w0"),
      TestEvents.blockKey("10.0.0.0/26"), TestEvents.blockKey("10.0.0.64/26"),
      TestEvents.affinityKey("n0", "10.0.0.0/26"), "/calico/ipam/v2/handle/h1", "/calico/ipam/v2/config",
      "/calico/felix/v2/no-region/host/n0/status", "/calico/resources/v3/projectcalico.org/ippools/bad/shape",
      "/calico/resources/v3/projectcalico.org/bgppeers/peer0");

  static String value(int key, int variant) {
    String k = KEYS.get(key);
    if (variant == 3) {
      return "garbage " + key; // values need not decode
    }
    String name = k.substring(k.lastIndexOf('/') + 1);
    if (k.contains("/ippools/")) {
      return TestEvents.pool(name, "10." + (10 + key) + ".0.0/16", variant == 1);
    }
    if (k.contains("/nodes/")) {
      return TestEvents.node(name, "192.168." + variant + ".1/24");
    }
    if (k.contains("/workloadendpoints/")) {
      return TestEvents.wep(k.contains("ns1") ? "ns1" : "ns2", name, "10.0.0." + variant);
    }
    if (k.contains("/assignment/")) {
      return TestEvents.block(k.contains("0.64") ? "10.0.0.64/26" : "10.0.0.0/26", "n" + variant, variant);
    }
    return "{\"v\":" + variant + "}";
  }

  @Provide
  Arbitrary<List<List<Op>>> histories() {
    Arbitrary<Op> op = Combinators.combine(Arbitraries.integers().between(0, KEYS.size() - 1),
        Arbitraries.integers().between(-1, 3)).as((k, v) -> v < 0 ? Op.delete(KEYS.get(k)) : Op.put(KEYS.get(k), value(k, v)));
    return op.list().ofMinSize(1).ofMaxSize(4).uniqueElements(Op::key).list().ofMaxSize(25);
  }

  static List<ChangeEvent> events(List<List<Op>> history) {
    List<ChangeEvent> out = new ArrayList<>();
    for (int i = 0; i < history.size(); i++) {
      out.addAll(TestEvents.revision(10 + 3L * i, history.get(i).toArray(Op[]::new)));
    }
    return out;
  }

  static ClusterImage fold(ClusterImage base, List<ChangeEvent> events) {
    ClusterDelta d = new ClusterDelta(base);
    d.replayAll(events);
    return d.apply();
  }

  static ClusterImage foldInBatches(List<ChangeEvent> events, List<Integer> cuts) {
    TreeSet<Integer> at = new TreeSet<>();
    cuts.forEach(c -> at.add(events.isEmpty() ? 0 : c % (events.size() + 1)));
    at.add(events.size());
    ClusterImage img = ClusterImage.EMPTY;
    int from = 0;
    for (int to : at) {
      img = fold(img, events.subList(from, to));
      from = to;
    }
    return img;
  }

  @Property(tries = 300)
  void anySplitIntoBatchesGivesAnEqualImage(@ForAll("histories") List<List<Op>> history,
      @ForAll List<@IntRange(min = 0, max = 200) Integer> cuts) {
    List<ChangeEvent> events = events(history);
    ClusterImage whole = fold(ClusterImage.EMPTY, events);
    ClusterImage oneByOne = ClusterImage.EMPTY;
    for (ChangeEvent e : events) {
      oneByOne = fold(oneByOne, List.of(e));
    }
    assertThat(foldInBatches(events, cuts)).isEqualTo(whole);
    assertThat(oneByOne).isEqualTo(whole).hasSameHashCodeAs(whole);
    assertThat(whole.complete()).isTrue();
    assertThat(whole.revision()).isEqualTo(history.isEmpty() ? 0 : 10 + 3L * (history.size() - 1));
  }

  @Property(tries = 200)
  void replayingByPartsEqualsReplayingEvents(@ForAll("histories") List<List<Op>> history,
      @ForAll List<@IntRange(min = 0, max = 200) Integer> cuts) {
    List<ChangeEvent> events = events(history);
    ClusterImage byEvents = foldInBatches(events, cuts);
    ClusterDelta d = new ClusterDelta(ClusterImage.EMPTY);
    for (ChangeEvent e : events) {
      d.replay(e.getRevision(), e.getPosition(), e.getCount(), e.getKey(), e.getOperation(), e.getValue());
    }
    assertThat(d.events()).isEmpty();
    assertThat(d.apply()).isEqualTo(byEvents);
  }

  @Property(tries = 200)
  void replayingWhatTheImageHoldsChangesNothing(@ForAll("histories") List<List<Op>> history,
      @ForAll @IntRange(min = 0, max = 200) int cut) {
    List<ChangeEvent> events = events(history);
    int k = events.isEmpty() ? 0 : cut % (events.size() + 1);
    ClusterImage partial = fold(ClusterImage.EMPTY, events.subList(0, k));
    ClusterImage whole = fold(partial, events);
    assertThat(whole).isEqualTo(fold(ClusterImage.EMPTY, events));
    assertThat(fold(whole, events.subList(0, k))).isSameAs(whole);
    assertThat(fold(whole, events)).isSameAs(whole);
  }

  @Property(tries = 300)
  void snapshotLoadedAsADeltaEqualsReplayOfHistory(@ForAll("histories") List<List<Op>> history,
      @ForAll @IntRange(min = 0, max = 200) int baseCut, @ForAll boolean compacted, @ForAll long seed) {
    List<ChangeEvent> events = events(history);
    ClusterImage replayed = fold(ClusterImage.EMPTY, events);
    // calico.state: every event's latest form per key, deletes as tombstones; compaction keeps the last per key and
    // may already have dropped some tombstones
    List<ChangeEvent> state = new ArrayList<>();
    if (compacted) {
      Map<String, ChangeEvent> last = new LinkedHashMap<>();
      for (ChangeEvent e : events) {
        last.remove(e.getKey());
        last.put(e.getKey(), e);
      }
      Random r = new Random(seed);
      last.values().stream().filter(e -> e.getOperation() == Operation.PUT || r.nextBoolean()).forEach(state::add);
    } else {
      state.addAll(events);
    }
    int k = events.isEmpty() ? 0 : baseCut % (events.size() + 1);
    ClusterImage base = fold(ClusterImage.EMPTY, events.subList(0, k));
    ClusterDelta snap = ClusterDelta.snapshot(base, replayed.revision());
    snap.replayAll(state);
    ClusterImage loaded = snap.apply();
    assertThat(loaded).isEqualTo(replayed);
    assertChangesDescribe(snap, base, loaded);
  }

  @Property(tries = 300)
  void deltaChangesAreExactlyTheDifference(@ForAll("histories") List<List<Op>> history,
      @ForAll @IntRange(min = 0, max = 200) int cut) {
    List<ChangeEvent> events = events(history);
    int k = events.isEmpty() ? 0 : cut % (events.size() + 1);
    ClusterImage base = fold(ClusterImage.EMPTY, events.subList(0, k));
    ClusterDelta d = new ClusterDelta(base);
    d.replayAll(events.subList(k, events.size()));
    assertChangesDescribe(d, base, d.apply());
  }

  static void assertChangesDescribe(ClusterDelta d, ClusterImage base, ClusterImage result) {
    for (Concern<?> c : Concern.all()) {
      Map<String, ImageValue> expected = new HashMap<>();
      TreeSet<String> ids = new TreeSet<>(base.get(c).values().keySet());
      ids.addAll(result.get(c).values().keySet());
      for (String id : ids) {
        ImageValue was = base.get(c).value(id);
        ImageValue now = result.get(c).value(id);
        if (!java.util.Objects.equals(was, now)) {
          expected.put(id, now);
        }
      }
      Map<String, ImageValue> reported = new HashMap<>();
      for (Change<?> ch : d.changes(c).all()) {
        assertThat(ch.before()).isEqualTo(base.get(c).value(ch.id()));
        reported.put(ch.id(), ch.after());
      }
      assertThat(reported).isEqualTo(expected);
      if (expected.isEmpty()) {
        assertThat(result.get(c)).isSameAs(base.get(c));
      }
      List<String> order = new ArrayList<>(d.changes(c).all().stream().map(Change::id).toList());
      List<String> sorted = new ArrayList<>(order);
      Collections.sort(sorted);
      assertThat(order).isEqualTo(sorted);
    }
  }
}
