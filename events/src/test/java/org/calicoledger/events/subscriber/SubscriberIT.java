package org.calicoledger.events.subscriber;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.calicoledger.events.image.TestEvents.Op.delete;
import static org.calicoledger.events.image.TestEvents.Op.put;
import static org.calicoledger.events.image.TestEvents.node;
import static org.calicoledger.events.image.TestEvents.nodeKey;
import static org.calicoledger.events.image.TestEvents.pool;
import static org.calicoledger.events.image.TestEvents.poolKey;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.calicoledger.events.KafkaSettings;
import org.calicoledger.events.image.ClusterDelta;
import org.calicoledger.events.image.ClusterImage;
import org.calicoledger.store.testing.EtcdProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The subscriber against a real broker, with change-log records written as the journal writes them. */
class SubscriberIT {
  static TestBroker broker;
  static TestJournal journal;

  @BeforeAll
  static void start() {
    broker = TestBroker.start();
    broker.createTopics();
    journal = new TestJournal(broker.settings());
  }

  @AfterAll
  static void stop() {
    if (journal != null) {
      journal.close();
    }
    if (broker != null) {
      broker.close();
    }
  }

  record Update(ClusterDelta delta, ClusterImage image) {}

  static final class Recorder implements ImagePublisher {
    final List<Update> updates = new CopyOnWriteArrayList<>();
    final List<ClusterImage> synced = new CopyOnWriteArrayList<>();

    @Override
    public void onUpdate(ClusterDelta delta, ClusterImage image) {
      updates.add(new Update(delta, image));
    }

    @Override
    public void onSynced(ClusterImage image) {
      synced.add(image);
    }

    List<Long> revisions() {
      List<Long> out = new ArrayList<>();
      updates.forEach(u -> out.add(u.image().revision()));
      return out;
    }
  }

  static Subscriber subscribe(Recorder r, long lastApplied) {
    return Subscriber.start(broker.settings(), Subscriber.Options.defaults().withLastAppliedRevision(lastApplied)
        .withName("test-subscriber"), r);
  }

  @Test
  void bootstrapsFromStateThenDeliversEachRevisionGroupOnceInOrder() throws Exception {
    long base = journal.revision();
    journal.writeBatch(List.of(List.of(put(poolKey("s1"), pool("s1", "10.1.0.0/16", true))),
        List.of(put(poolKey("s2"), pool("s2", "10.2.0.0/16", true)), put(nodeKey("sn1"), node("sn1", "192.168.0.1/24"))),
        List.of(delete(poolKey("s2")))));
    Recorder rec = new Recorder();
    try (Subscriber sub = subscribe(rec, 0)) {
      ClusterImage img = sub.awaitRevision(base + 3, Duration.ofSeconds(30));
      assertThat(img.pools()).containsKey("s1").doesNotContainKey("s2");
      assertThat(rec.updates).hasSize(1); // the catch-up delta
      ClusterDelta catchUp = rec.updates.get(0).delta();
      assertThat(catchUp.isSnapshot()).isTrue();
      assertThat(catchUp.base()).isSameAs(ClusterImage.EMPTY);
      assertThat(catchUp.pools().added()).containsKey("s1").doesNotContainKey("s2");
      assertThat(rec.synced).containsExactly(img);

      long r1 = journal.write(put(poolKey("s1"), pool("s1", "10.1.0.0/16", false)));
      long r2 = journal.skip(4).write(put(poolKey("s3"), pool("s3", "10.3.0.0/16", true)),
          put(nodeKey("sn2"), node("sn2", "192.168.0.2/24")), delete(nodeKey("sn1")));
      journal.writeAborted(put(poolKey("never"), pool("never", "10.99.0.0/16", true)));
      long r3 = journal.write(put(poolKey("s4"), pool("s4", "10.4.0.0/16", true)));
      ClusterImage last = sub.awaitRevision(r3, Duration.ofSeconds(30));
      assertThat(rec.revisions()).containsExactly(base + 3, r1, r2, r3);
      Update two = rec.updates.get(2);
      assertThat(two.delta().events()).hasSize(3);
      assertThat(two.delta().pools().added()).containsOnlyKeys("s3");
      assertThat(two.delta().nodes().added()).containsOnlyKeys("sn2");
      assertThat(two.delta().nodes().removed()).containsOnlyKeys("sn1");
      assertThat(two.delta().base()).isSameAs(rec.updates.get(1).image());
      assertThat(rec.updates.get(1).delta().pools().updated().get("s1").now().spec().natOutgoing()).isFalse();
      assertThat(last.pools()).doesNotContainKey("never").containsKeys("s1", "s3", "s4");
      assertThat(sub.failure()).isEmpty();
    }
  }

  @Test
  void aLateSubscriberCatchesUpToTheSameImageAsAFollower() throws Exception {
    Recorder early = new Recorder();
    try (Subscriber a = subscribe(early, 0)) {
      a.awaitRevision(journal.revision(), Duration.ofSeconds(30));
      for (int i = 0; i < 20; i++) {
        journal.write(put(poolKey("late" + (i % 4)), pool("late" + (i % 4), "10.5" + (i % 4) + ".0.0/16", i % 2 == 0)),
            i % 5 == 4 ? delete(poolKey("late0")) : put(nodeKey("late-n" + i), node("late-n" + i, "192.168.1.1/24")));
      }
      ClusterImage followed = a.awaitRevision(journal.revision(), Duration.ofSeconds(30));
      Recorder late = new Recorder();
      try (Subscriber b = subscribe(late, 0)) {
        ClusterImage caught = b.awaitRevision(journal.revision(), Duration.ofSeconds(30));
        assertThat(caught).isEqualTo(followed);
        assertThat(late.updates).hasSize(1);
        assertThat(late.updates.get(0).delta().nodes().added()).hasSameSizeAs(followed.nodes());
      }
    }
  }

  @Test
  void aPersistedLastAppliedRevisionIsNeverDeliveredAgain() throws Exception {
    long s = journal.write(put(poolKey("persist"), pool("persist", "10.6.0.0/16", true)));
    long r1 = journal.write(put(poolKey("persist"), pool("persist", "10.6.0.0/16", false)));
    long r2 = journal.write(put(poolKey("persist2"), pool("persist2", "10.7.0.0/16", false)));
    // the snapshot is at r2; this consumer already applied up to r2 + 1 (written below) and must get only what follows
    Recorder rec = new Recorder();
    try (Subscriber sub = subscribe(rec, r2 + 1)) {
      sub.awaitRevision(r2, Duration.ofSeconds(30));
      assertThat(rec.updates).isEmpty();
      assertThat(rec.synced).hasSize(1);
      long r3 = journal.write(delete(poolKey("persist2")));
      long r4 = journal.write(delete(poolKey("persist")));
      ClusterImage img = sub.awaitRevision(r4, Duration.ofSeconds(30));
      assertThat(r3).isEqualTo(r2 + 1);
      assertThat(rec.revisions()).containsExactly(r4);
      assertThat(rec.updates.get(0).delta().base().revision()).isEqualTo(r3);
      assertThat(rec.updates.get(0).delta().pools().removed()).containsOnlyKeys("persist");
      assertThat(img.pools()).doesNotContainKeys("persist", "persist2");
    }
    Recorder resumed = new Recorder();
    try (Subscriber sub = subscribe(resumed, s)) {
      sub.awaitRevision(journal.revision(), Duration.ofSeconds(30));
      assertThat(resumed.revisions()).containsExactly(journal.revision()); // catch-up delta above s
      assertThat(Collections.min(resumed.revisions())).isGreaterThan(r1);
    }
  }

  @Test
  void closeStopsTheThreadPromptlyAndWaitersAreReleased() throws Exception {
    Recorder rec = new Recorder();
    Subscriber sub = subscribe(rec, 0);
    sub.awaitRevision(journal.revision(), Duration.ofSeconds(30));
    long t0 = System.nanoTime();
    sub.close();
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
    assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().equals("test-subscriber") && t.isAlive());
    assertThatThrownBy(() -> sub.awaitRevision(journal.revision() + 1, Duration.ofSeconds(5)))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    sub.close(); // idempotent
    assertThat(sub.failure()).isEmpty();
  }

  @Test
  void anUnreachableKafkaIsAClearErrorWithinTheConnectTimeout() throws Exception {
    String nowhere = "127.0.0.1:" + EtcdProcess.freePort();
    long t0 = System.nanoTime();
    assertThatThrownBy(() -> Subscriber.start(KafkaSettings.of(nowhere),
        Subscriber.Options.defaults().withConnectTimeout(Duration.ofSeconds(2)), new Recorder()))
        .isInstanceOf(ChangeLogUnavailableException.class)
        .hasMessageContaining("cannot reach Kafka at " + nowhere + " within 2s")
        .hasMessageContaining("KAFKA_BOOTSTRAP_SERVERS");
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(8));
  }

  @Test
  void aPublisherThatThrowsStopsTheSubscriberAndIsReported() throws Exception {
    List<Throwable> seen = new CopyOnWriteArrayList<>();
    ImagePublisher bad = new ImagePublisher() {
      @Override
      public void onUpdate(ClusterDelta delta, ClusterImage image) {
        throw new IllegalStateException("consumer bug");
      }

      @Override
      public void onFailure(Throwable error) {
        seen.add(error);
      }
    };
    try (Subscriber sub = Subscriber.start(broker.settings(), Subscriber.Options.defaults(), bad)) {
      assertThatThrownBy(() -> sub.awaitRevision(journal.revision(), Duration.ofSeconds(30)))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("consumer bug");
      assertThat(sub.failure()).isPresent();
      assertThat(seen).hasSize(1);
    }
  }

  @Test
  void waitsForTheTopicsOfAJournalThatHasNotStartedYet() throws Exception {
    try (TestBroker fresh = TestBroker.start()) {
      Recorder rec = new Recorder();
      try (Subscriber sub = Subscriber.start(fresh.settings(), Subscriber.Options.defaults(), rec)) {
        Thread.sleep(1000);
        assertThat(sub.synced()).isFalse();
        assertThat(sub.failure()).isEmpty();
        fresh.createTopics();
        try (TestJournal j = new TestJournal(fresh.settings())) {
          long r = j.write(put(poolKey("fresh"), pool("fresh", "10.8.0.0/16", true)));
          ClusterImage img = sub.awaitRevision(r, Duration.ofSeconds(30));
          assertThat(img.pools()).containsOnlyKeys("fresh");
        }
      }
    }
  }
}
