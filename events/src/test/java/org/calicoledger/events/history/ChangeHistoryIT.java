package org.calicoledger.events.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.calicoledger.events.image.TestEvents.Op.delete;
import static org.calicoledger.events.image.TestEvents.Op.put;
import static org.calicoledger.events.image.TestEvents.node;
import static org.calicoledger.events.image.TestEvents.nodeKey;
import static org.calicoledger.events.image.TestEvents.pool;
import static org.calicoledger.events.image.TestEvents.poolKey;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.calicoledger.events.KafkaSettings;
import org.calicoledger.events.image.ClusterImage;
import org.calicoledger.events.image.Concern;
import org.calicoledger.events.subscriber.ChangeLogUnavailableException;
import org.calicoledger.events.subscriber.TestBroker;
import org.calicoledger.events.subscriber.TestJournal;
import org.calicoledger.store.testing.EtcdProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** History, replay at a point and diff against a real broker holding a history written as the journal writes it. */
class ChangeHistoryIT {
  static final Duration TIMEOUT = Duration.ofSeconds(10);
  static final long T0 = Instant.parse("2026-11-26T09:00:00Z").toEpochMilli();
  static TestBroker broker;
  /** The state after each revision, as the writer knew it. */
  static final Map<Long, Map<String, String>> STATES = new TreeMap<>();
  static final Map<Long, Long> TIMES = new HashMap<>();
  static final List<Long> REVISIONS = new ArrayList<>();

  @BeforeAll
  static void writeHistory() {
    broker = TestBroker.start();
    broker.createTopics();
    try (TestJournal j = new TestJournal(broker.settings())) {
      j.at(T0).skip(1);
      record(j, j.by("alice@laptop", "first pools").write(put(poolKey("a"), pool("a", "10.1.0.0/16", true)),
          put(poolKey("b"), pool("b", "10.2.0.0/16", true))));
      record(j, j.by("bob@ci", "").write(put(nodeKey("n1"), node("n1", "192.168.0.1/24"))));
      j.writeAborted(put(poolKey("ghost"), pool("ghost", "10.66.0.0/16", true)));
      record(j, j.by("alice@laptop", "no NAT").write(put(poolKey("a"), pool("a", "10.1.0.0/16", false))));
      j.skip(3);
      record(j, j.by("carol@ops", "retire b").write(delete(poolKey("b")), put("/calico/felix/v2/x", "raw")));
      for (int i = 0; i < 30; i++) { // enough records and commit markers for the bisection to have work
        record(j, j.by("bot", "churn " + i).write(put(nodeKey("churn"), node("churn", "10.9." + i + ".1/24"))));
      }
      record(j, j.resync(true).by("", "").write(put(poolKey("c"), pool("c", "10.3.0.0/16", true))));
    }
  }

  static void record(TestJournal j, long revision) {
    STATES.put(revision, j.state());
    TIMES.put(revision, j.timeMs());
    REVISIONS.add(revision);
  }

  @AfterAll
  static void stop() {
    if (broker != null) {
      broker.close();
    }
  }

  static Map<String, String> contents(ClusterImage img) {
    Map<String, String> out = new HashMap<>();
    for (Concern<?> c : Concern.all()) {
      img.get(c).values().values().forEach(v -> out.put(v.key(), v.text()));
    }
    return out;
  }

  static ChangeHistory open() {
    return ChangeHistory.open(broker.settings(), TIMEOUT);
  }

  @Test
  void imageAtEveryRevisionIsTheStateAfterIt() {
    try (ChangeHistory h = open()) {
      long[] revs = REVISIONS.stream().mapToLong(Long::longValue).toArray();
      ClusterImage[] images = h.imagesAt(revs);
      for (int i = 0; i < revs.length; i++) {
        assertThat(contents(images[i])).as("revision " + revs[i]).isEqualTo(STATES.get(revs[i]));
        assertThat(images[i].revision()).isEqualTo(revs[i]);
      }
      // a revision between two (not in the log) is the state of the one before
      long gap = REVISIONS.get(3) - 1;
      assertThat(contents(h.imageAt(new Bound.Revision(gap)))).isEqualTo(STATES.get(REVISIONS.get(2)));
      assertThat(h.imageAt(new Bound.Revision(0))).isEqualTo(ClusterImage.EMPTY);
      assertThat(h.imageAt(null).pools()).containsOnlyKeys("a", "c");
      assertThat(h.imageAt(null).pools()).doesNotContainKey("ghost");
    }
  }

  @Test
  void timesResolveThroughTheTimeIndex() {
    try (ChangeHistory h = open()) {
      long third = REVISIONS.get(2);
      long t = TIMES.get(third);
      assertThat(h.upTo(new Bound.Time(Instant.ofEpochMilli(t)))).isEqualTo(REVISIONS.get(3) - 1);
      assertThat(h.upTo(new Bound.Time(Instant.ofEpochMilli(t - 1)))).isEqualTo(third - 1);
      assertThat(contents(h.imageAt(new Bound.Time(Instant.ofEpochMilli(t + 500))))).isEqualTo(STATES.get(third));
      assertThat(h.upTo(new Bound.Time(Instant.ofEpochMilli(T0 - 60_000)))).isEqualTo(REVISIONS.get(0) - 1);
      assertThat(h.upTo(new Bound.Time(Instant.parse("2099-01-01T00:00:00Z")))).isEqualTo(Long.MAX_VALUE);
      List<HistoryEntry> since = h.events(new Bound.Time(Instant.ofEpochMilli(t)), new Bound.Time(Instant.ofEpochMilli(t)),
          e -> true);
      assertThat(since).extracting(HistoryEntry::revision).containsOnly(third);
    }
  }

  @Test
  void eventsBetweenBoundsCarryWhoWhyAndWhatChanged() {
    try (ChangeHistory h = open()) {
      List<HistoryEntry> pools = h.events(null, null, e -> e.getKind().equals("IPPool"));
      assertThat(pools).extracting(HistoryEntry::resource, HistoryEntry::operation, HistoryEntry::summary)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple("IPPool(a)", "create", "created"),
              org.assertj.core.groups.Tuple.tuple("IPPool(b)", "create", "created"),
              org.assertj.core.groups.Tuple.tuple("IPPool(a)", "update", "spec.natOutgoing: true -> false"),
              org.assertj.core.groups.Tuple.tuple("IPPool(b)", "delete", "deleted"),
              org.assertj.core.groups.Tuple.tuple("IPPool(c)", "create", "created"));
      assertThat(pools.get(2).event().getActor()).isEqualTo("alice@laptop");
      assertThat(pools.get(2).event().getReason()).isEqualTo("no NAT");
      assertThat(pools.get(4).event().getResync()).isTrue();
      // revision bounds are inclusive and found by bisection, also past commit markers and an aborted transaction
      for (int i = 0; i < REVISIONS.size(); i += 7) {
        long r = REVISIONS.get(i);
        List<HistoryEntry> one = h.events(new Bound.Revision(r), new Bound.Revision(r), e -> true);
        assertThat(one).isNotEmpty().extracting(HistoryEntry::revision).containsOnly(r);
      }
      List<HistoryEntry> tail = h.events(new Bound.Revision(REVISIONS.get(3) - 2), new Bound.Revision(REVISIONS.get(5)),
          e -> true);
      assertThat(tail).extracting(HistoryEntry::revision).containsExactly(REVISIONS.get(3), REVISIONS.get(3),
          REVISIONS.get(4), REVISIONS.get(5));
      assertThat(h.events(new Bound.Revision(10_000), null, e -> true)).isEmpty();
    }
  }

  @Test
  void diffBetweenTwoPointsListsAddedRemovedChangedWithFields() {
    try (ChangeHistory h = open()) {
      ImageDiff d = h.diff(new Bound.Revision(REVISIONS.get(1)), new Bound.Revision(REVISIONS.get(REVISIONS.size() - 1)));
      Map<String, ResourceDiff> by = new HashMap<>();
      d.changes().forEach(c -> by.put(c.resource(), c));
      assertThat(by).containsOnlyKeys("IPPool(a)", "IPPool(b)", "IPPool(c)", "Node(churn)", "/calico/felix/v2/x");
      assertThat(by.get("IPPool(a)").type()).isEqualTo(ResourceDiff.Type.CHANGED);
      assertThat(by.get("IPPool(a)").fields()).extracting(FieldChange::toString)
          .containsExactly("spec.natOutgoing: true -> false");
      assertThat(by.get("IPPool(b)").type()).isEqualTo(ResourceDiff.Type.REMOVED);
      assertThat(by.get("IPPool(c)").type()).isEqualTo(ResourceDiff.Type.ADDED);
      assertThat(d.fromRevision()).isEqualTo(REVISIONS.get(1));
      ImageDiff back = h.diff(new Bound.Revision(REVISIONS.get(REVISIONS.size() - 1)), new Bound.Revision(REVISIONS.get(1)));
      assertThat(back.of(ResourceDiff.Type.ADDED)).extracting(ResourceDiff::resource).containsExactly("IPPool(b)");
      assertThat(h.diff(new Bound.Revision(5), new Bound.Revision(5)).isEmpty()).isTrue();
    }
  }

  @Test
  void unreachableKafkaOrMissingTopicsAreClearErrors() throws Exception {
    String nowhere = "127.0.0.1:" + EtcdProcess.freePort();
    long t0 = System.nanoTime();
    assertThatThrownBy(() -> ChangeHistory.open(KafkaSettings.of(nowhere), Duration.ofSeconds(2)))
        .isInstanceOf(ChangeLogUnavailableException.class).hasMessageContaining("cannot reach Kafka at " + nowhere);
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(8));
    try (TestBroker empty = TestBroker.start()) {
      assertThatThrownBy(() -> ChangeHistory.open(empty.settings(), TIMEOUT))
          .isInstanceOf(ChangeLogUnavailableException.class).hasMessageContaining("has no topic calico.changes")
          .hasMessageContaining("calico-journal");
    }
  }
}
