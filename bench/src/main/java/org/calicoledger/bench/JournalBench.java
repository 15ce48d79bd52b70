package org.calicoledger.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.calicoledger.events.ChangeLogReader;
import org.calicoledger.events.KafkaSettings;
import org.calicoledger.events.image.ClusterDelta;
import org.calicoledger.events.image.ClusterImage;
import org.calicoledger.events.journal.Journal;
import org.calicoledger.events.kafka.EmbeddedKafka;
import org.calicoledger.events.subscriber.ImagePublisher;
import org.calicoledger.events.subscriber.Subscriber;
import org.calicoledger.store.Audit;
import org.calicoledger.store.EtcdStore;
import org.calicoledger.store.StoreException;
import org.calicoledger.store.Txn;
import org.calicoledger.store.Watch;
import org.calicoledger.store.WatchEvent;
import org.calicoledger.store.testing.EtcdProcess;

/**
 * The journal against etcd itself, with a real etcd and a real broker: (1) throughput, the journal's events/s from
 * etcd commit to Kafka commit while 32 writers go as fast as etcd lets them, against etcd's own write rate in the same
 * interval; (2) propagation at 500 writes/s, from the writer's commit to a subscriber's image update, against a plain
 * etcd watch of the same writes.
 */
final class JournalBench implements Benchmark {
  private static final int WRITERS = 32;
  private static final Duration LOAD = Duration.ofSeconds(8);

  @Override
  public String name() {
    return "journal";
  }

  @Override
  public List<Row> run() throws Exception {
    Path kafkaDir = Files.createTempDirectory("bench-kafka");
    try (EtcdProcess etcd = EtcdProcess.start();
        EmbeddedKafka broker = EmbeddedKafka.start(kafkaDir, "127.0.0.1", EtcdProcess.freePort(), EtcdProcess.freePort());
        EtcdStore store = EtcdStore.connect(etcd.config())) {
      KafkaSettings kafka = KafkaSettings.of(broker.bootstrapServers());
      AtomicBoolean running = new AtomicBoolean(true);
      Thread journal = new Thread(() -> {
        while (running.get()) {
          try {
            new Journal(store, kafka, 5000).publish(running::get);
          } catch (RuntimeException e) {
            System.err.println("bench journal session ended: " + e.getMessage());
          }
        }
      }, "journal");
      journal.start();
      try {
        List<Row> rows = new ArrayList<>(throughput(store, kafka));
        rows.addAll(propagation(store, kafka));
        return rows;
      } finally {
        running.set(false);
        journal.join(30_000);
      }
    } finally {
      try (var walk = Files.walk(kafkaDir)) {
        walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static long position(KafkaSettings kafka) {
    try (ChangeLogReader r = new ChangeLogReader(kafka)) {
      return r.lastPosition().map(p -> p.getRevision()).orElse(0L);
    }
  }

  private static void awaitPosition(KafkaSettings kafka, long revision) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (position(kafka) < revision) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the journal did not reach revision " + revision);
      }
      Thread.sleep(5);
    }
  }

  private List<Row> throughput(EtcdStore store, KafkaSettings kafka) throws Exception {
    store.txn(Txn.builder().put("/calico/bench/warm", "x").build(), Audit.of("bench"));
    awaitPosition(kafka, store.revision());
    AtomicLong writes = new AtomicLong();
    long t0 = System.nanoTime();
    long end = t0 + LOAD.toNanos();
    List<Thread> threads = new ArrayList<>();
    for (int w = 0; w < WRITERS; w++) {
      int id = w;
      Thread t = new Thread(() -> {
        int i = 0;
        while (System.nanoTime() < end) {
          store.txn(Txn.builder().put("/calico/bench/w" + id + "/k" + (i++ % 100), "{\"n\":" + i + "}").build(),
              new Audit("bench@" + id, "throughput"));
          writes.incrementAndGet();
        }
      });
      t.start();
      threads.add(t);
    }
    for (Thread t : threads) {
      t.join();
    }
    long tWritten = System.nanoTime();
    long last = store.revision();
    awaitPosition(kafka, last);
    long tCaught = System.nanoTime();
    double etcdRate = writes.get() / ((tWritten - t0) / 1e9);
    double journalRate = writes.get() / ((tCaught - t0) / 1e9);
    return List.of(
        Row.of("journal events/s vs etcd writes/s, 32 writers", journalRate, etcdRate, "ev/s", Row.Goal.ratioAtLeast(0.95)),
        Row.of("journal lag when the writers stop, ms", (tCaught - tWritten) / 1e6, Double.NaN, "ms",
            Row.Goal.oursAtMost(1000)));
  }

  private List<Row> propagation(EtcdStore store, KafkaSettings kafka) throws Exception {
    Map<Long, Long> committed = new ConcurrentHashMap<>();
    Map<Long, Long> imaged = new ConcurrentHashMap<>();
    Map<Long, Long> watched = new ConcurrentHashMap<>();
    long from = store.revision();
    try (Subscriber sub = Subscriber.start(kafka, Subscriber.Options.defaults().withLastAppliedRevision(from),
            new ImagePublisher() {
              @Override
              public void onUpdate(ClusterDelta delta, ClusterImage image) {
                imaged.put(image.revision(), System.nanoTime());
              }
            });
        Watch watch = store.watch("/calico/bench/", from + 1, new Watch.Listener() {
          @Override
          public void onEvents(List<WatchEvent> events) {
            long now = System.nanoTime();
            events.forEach(e -> watched.putIfAbsent(e.modRevision(), now));
          }

          @Override
          public void onError(StoreException error) {}
        })) {
      int n = 5000; // 10 s at 500/s
      long period = 1_000_000_000L / 500;
      long next = System.nanoTime();
      for (int i = 0; i < n; i++) {
        long rev = store.txn(Txn.builder().put("/calico/bench/p/k" + (i % 200), "{\"i\":" + i + "}").build(),
            Audit.of("propagation")).revision();
        committed.put(rev, System.nanoTime());
        next += period;
        long wait = next - System.nanoTime();
        if (wait > 0) {
          Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
      }
      long last = store.revision();
      sub.awaitRevision(last, Duration.ofMinutes(1));
      Thread.sleep(200);
      List<Double> ours = new ArrayList<>();
      List<Double> anchor = new ArrayList<>();
      committed.forEach((rev, t) -> {
        Long seen = imaged.get(rev);
        Long w = watched.get(rev);
        // a subscriber sees every revision; if two arrive together the later one carries both
        if (seen != null) {
          ours.add(Math.max(0, seen - t) / 1e6);
        }
        if (w != null) {
          anchor.add(Math.max(0, w - t) / 1e6);
        }
      });
      return List.of(
          Row.of("propagation etcd commit -> subscriber image at 500 writes/s, p50 ms (anchor: etcd watch)",
              Stats.median(ours), Stats.median(anchor), "ms", Row.Goal.none()),
          Row.of("propagation etcd commit -> subscriber image at 500 writes/s, p99 ms (anchor: etcd watch)",
              Stats.percentile(ours, 0.99), Stats.percentile(anchor, 0.99), "ms", Row.Goal.oursAtMost(50)));
    }
  }
}
