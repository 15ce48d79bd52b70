package org.calicoledger.events.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.calicoledger.events.proto.ChangeEvent;
import org.calicoledger.store.Audit;
import org.calicoledger.store.KeyValue;
import org.calicoledger.store.Txn;
import org.junit.jupiter.api.Test;

/**
 * The journal's guarantees with real etcd, a real broker and the journal as a separate process: calico.changes is
 * exactly etcd's history (every revision once, in order, nothing extra) and calico.state is etcd's current state,
 * whatever happens to the journal, the broker or etcd's history.
 */
class JournalIT {
  private static final Duration CATCH_UP = Duration.ofSeconds(90);

  /** Checks the log against etcd: same changes in the same order, groups complete, state equal. */
  static void assertLogEqualsEtcd(Cluster c) throws Exception {
    // a last write of our own marks the end: both histories are compared up to and including it
    long rev = c.store.txn(Txn.builder().put("/calico/test/end-marker", Long.toString(System.nanoTime())).build(),
        Audit.of("end of test")).revision();
    Histories.awaitPosition(c.kafka, rev, CATCH_UP);
    List<ChangeEvent> log = Histories.changes(c.kafka);
    List<Histories.Change> fromLog = log.stream().filter(e -> !e.getResync()).map(Histories.Change::of).toList();
    List<Histories.Change> fromEtcd = Histories.etcd(c.store, rev);
    assertThat(fromLog).as("calico.changes against etcd's history").containsExactlyElementsOf(fromEtcd);
    assertGroupsComplete(log);
    assertThat(Histories.state(c.kafka)).as("calico.state against etcd").isEqualTo(Histories.etcdState(c.store));
  }

  static void assertGroupsComplete(List<ChangeEvent> log) {
    for (int i = 0; i < log.size(); ) {
      ChangeEvent first = log.get(i);
      assertThat(first.getPosition()).as("group of revision %d starts at position 0", first.getRevision()).isZero();
      for (int p = 0; p < first.getCount(); p++) {
        ChangeEvent e = log.get(i + p);
        assertThat(e.getRevision()).isEqualTo(first.getRevision());
        assertThat(e.getPosition()).isEqualTo(p);
      }
      i += first.getCount();
    }
  }

  @Test
  void killedTwelveTimesDuringFiveThousandWritesTheLogStillEqualsEtcd() throws Exception {
    try (Cluster c = new Cluster(); JournalProcess j = c.journal("solo")) {
      Writer writer = new Writer(c.store, 5000, 250);
      Thread t = new Thread(writer, "writer");
      t.start();
      Random random = new Random(7);
      int kills = 0;
      while (t.isAlive() || kills < 12) {
        Thread.sleep(600 + random.nextInt(2400)); // from "still starting" to "mid-transaction"
        j.kill();
        kills++;
        j.start();
      }
      t.join();
      assertThat(writer.failure).isNull();
      assertThat(kills).isGreaterThanOrEqualTo(12);
      assertLogEqualsEtcd(c);
      List<ChangeEvent> log = Histories.changes(c.kafka);
      assertThat(log).hasSizeGreaterThan(5000);
      assertThat(log).filteredOn(e -> e.getKind().equals("Node")).allSatisfy(e -> {
        assertThat(e.getActor()).isEqualTo("writer@test");
        assertThat(e.getReason()).startsWith("write ");
      });
    }
  }

  @Test
  void twoJournalsPublishOnceAndRevokingTheLeadersLeaseMovesPublishing() throws Exception {
    try (Cluster c = new Cluster(); JournalProcess a = c.journal("journal-a"); JournalProcess b = c.journal("journal-b")) {
      Writer writer = new Writer(c.store, 1500, 200);
      Thread t = new Thread(writer, "writer");
      t.start();
      String first = "";
      long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (first.isEmpty() && System.nanoTime() < until) {
        Thread.sleep(200);
        first = leader(c);
      }
      assertThat(first).isIn("journal-a", "journal-b");
      JournalProcess leading = first.equals("journal-a") ? a : b;
      until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (!leading.log().contains("publishing from revision") && System.nanoTime() < until) {
        Thread.sleep(200);
      }
      Thread.sleep(1000); // mid-stream
      c.store.revokeLease(leaderLease(c));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      String second = first;
      while (second.equals(first) && System.nanoTime() < deadline) {
        Thread.sleep(100);
        second = leader(c);
      }
      assertThat(second).as("the other journal leads").isNotEqualTo(first);
      t.join();
      assertThat(writer.failure).isNull();
      assertLogEqualsEtcd(c);
      JournalProcess deposed = first.equals("journal-a") ? a : b;
      JournalProcess successor = deposed == a ? b : a;
      assertThat(deposed.log()).contains("no longer leads");
      // the successor continued after what the first had committed; it did not start over
      assertThat(successor.log()).containsPattern("publishing from revision ([2-9]|\\d\\d+)");
    }
  }

  /** The current leader's name: the election key with the lowest create revision. */
  private static String leader(Cluster c) {
    List<KeyValue> kvs = new ArrayList<>(c.store.range(JournalMain.ELECTION + "/").kvs());
    kvs.sort((x, y) -> Long.compare(x.createRevision(), y.createRevision()));
    return kvs.isEmpty() ? "" : kvs.get(0).text();
  }

  private static long leaderLease(Cluster c) {
    List<KeyValue> kvs = new ArrayList<>(c.store.range(JournalMain.ELECTION + "/").kvs());
    kvs.sort((x, y) -> Long.compare(x.createRevision(), y.createRevision()));
    String key = kvs.get(0).key();
    return Long.parseUnsignedLong(key.substring(key.lastIndexOf('/') + 1), 16);
  }

  @Test
  void brokerRestartMidStreamLosesNothing() throws Exception {
    try (Cluster c = new Cluster(); JournalProcess j = c.journal("solo")) {
      Writer writer = new Writer(c.store, 2000, 200);
      Thread t = new Thread(writer, "writer");
      t.start();
      Thread.sleep(3000);
      c.stopBroker();
      Thread.sleep(2000); // writes keep landing in etcd meanwhile
      c.startBroker();
      t.join();
      assertThat(writer.failure).isNull();
      assertLogEqualsEtcd(c);
      assertThat(j.alive()).isTrue();
    }
  }

  @Test
  void etcdCompactedWhileTheJournalWasDownResyncsAndMarksIt() throws Exception {
    try (Cluster c = new Cluster(); JournalProcess j = c.journal("solo")) {
      Writer before = new Writer(c.store, 300, 1000);
      before.run();
      assertLogEqualsEtcd(c);
      j.stop();
      Writer during = new Writer(c.store, 300, 1000);
      during.run();
      c.store.txn(Txn.builder().put("/calico/resources/v3/projectcalico.org/ippools/later", "{\"kind\":\"IPPool\","
          + "\"apiVersion\":\"projectcalico.org/v3\",\"metadata\":{\"name\":\"later\"},\"spec\":{\"cidr\":\"10.9.0.0/16\"}}")
          .build(), Audit.of("while the journal was down"));
      long compactedAt = c.store.revision();
      c.store.compact(compactedAt);
      j.start();
      Histories.awaitPosition(c.kafka, compactedAt, CATCH_UP);
      assertThat(Histories.state(c.kafka)).isEqualTo(Histories.etcdState(c.store));
      List<ChangeEvent> resynced = Histories.changes(c.kafka).stream().filter(ChangeEvent::getResync).toList();
      // one group, read at etcd's revision when the journal came back (its own election write may come first)
      long resyncRevision = resynced.get(0).getRevision();
      assertThat(resyncRevision).isGreaterThanOrEqualTo(compactedAt);
      assertThat(resynced).allSatisfy(e -> assertThat(e.getRevision()).isEqualTo(resyncRevision));
      assertThat(resynced).extracting(ChangeEvent::getKey).contains("/calico/resources/v3/projectcalico.org/ippools/later");
      assertGroupsComplete(Histories.changes(c.kafka));
      // history after the resync is exact again
      new Writer(c.store, 100, 1000).run();
      Histories.awaitPosition(c.kafka, c.store.revision(), CATCH_UP);
      assertThat(Histories.state(c.kafka)).isEqualTo(Histories.etcdState(c.store));
      assertThat(j.log()).contains("resynced at revision " + resyncRevision);
    }
  }

  @Test
  void malformedAndForeignValuesBecomeEventsWithDecodeErrors() throws Exception {
    try (Cluster c = new Cluster(); JournalProcess j = c.journal("solo")) {
      c.store.txn(Txn.builder()
          .put("/calico/resources/v3/projectcalico.org/ippools/garbage", "this is not json")
          .put("/calico/resources/v3/projectcalico.org/widgets/w1", "{\"kind\":\"Widget\"}")
          .put("/calico/resources/v3/projectcalico.org/ippools/liar", "{\"kind\":\"Node\",\"apiVersion\":"
              + "\"projectcalico.org/v3\",\"metadata\":{\"name\":\"liar\"}}")
          .put("/calico/felix/v2/no-region/host/h/status", "\u0000binary")
          .build(), Audit.of("bad values"));
      new Writer(c.store, 20, 1000).run();
      assertLogEqualsEtcd(c);
      Map<String, ChangeEvent> byKey = new java.util.HashMap<>();
      Histories.changes(c.kafka).forEach(e -> byKey.putIfAbsent(e.getKey(), e));
      assertThat(byKey.get("/calico/resources/v3/projectcalico.org/ippools/garbage").getDecodeError()).isNotEmpty();
      assertThat(byKey.get("/calico/resources/v3/projectcalico.org/ippools/garbage").getValue().toStringUtf8())
          .isEqualTo("this is not json");
      assertThat(byKey.get("/calico/resources/v3/projectcalico.org/widgets/w1").getDecodeError()).contains("unknown resource type");
      assertThat(byKey.get("/calico/resources/v3/projectcalico.org/ippools/liar").getDecodeError())
          .contains("value is a Node but the key is for IPPool");
      assertThat(byKey.get("/calico/felix/v2/no-region/host/h/status").getDecodeError()).contains("not JSON");
      assertThat(j.alive()).isTrue();
    }
  }
}
