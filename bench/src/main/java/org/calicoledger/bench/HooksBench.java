package org.calicoledger.bench;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.calicoledger.events.ChangeLog;
import org.calicoledger.events.KafkaSettings;
import org.calicoledger.events.journal.Journal;
import org.calicoledger.events.kafka.EmbeddedKafka;
import org.calicoledger.events.subscriber.ChangeRecords;
import org.calicoledger.hooks.HookRunner;
import org.calicoledger.model.Hook;
import org.calicoledger.model.IPPool;
import org.calicoledger.model.ResourceCodec;
import org.calicoledger.store.Audit;
import org.calicoledger.store.EtcdStore;
import org.calicoledger.store.Keys;
import org.calicoledger.store.ResourceKey;
import org.calicoledger.store.Txn;
import org.calicoledger.store.testing.EtcdProcess;

/**
 * Hooks: delivery latency from the writer's etcd commit to a webhook receiving the event, for 10 webhook hooks that all
 * match every change, at 200 changes/s (each change one IPPool write, so 2,000 deliveries/s), p50 and p99 over every
 * (hook, change). Real etcd, real broker, the real journal, the runner in this JVM, a Vert.x HTTP server on 127.0.0.1.
 *
 * <p>Anchor, measured on the same changes in the same run: a raw Kafka consumer of calico.changes (read_committed,
 * the reader settings every consumer here uses), timed when its poll returns each event. Every hook consumer must wait
 * for the same thing (the journal's transaction to commit), so the anchor is the floor; ours minus the anchor is what
 * hooks add: matching, the JSON and its signature, one HTTP POST, and ten workers sharing two cores.
 */
final class HooksBench implements Benchmark {
  private static final int HOOKS = 10;
  private static final int RATE = 200;
  private static final int WARMUP = 1_000; // 5 s: the JIT has compiled the delivery path before the measured part
  private static final int CHANGES = 2_000;

  @Override
  public String name() {
    return "hooks";
  }

  @Override
  public List<Row> run() throws Exception {
    Path kafkaDir = Files.createTempDirectory("bench-hooks-kafka");
    Path secret = Files.writeString(Files.createTempFile("bench-hooks", ".secret"), "bench-secret");
    Vertx vertx = Vertx.vertx();
    try (EtcdProcess etcd = EtcdProcess.start();
        EmbeddedKafka broker = EmbeddedKafka.start(kafkaDir, "127.0.0.1", EtcdProcess.freePort(), EtcdProcess.freePort());
        EtcdStore store = EtcdStore.connect(etcd.config())) {
      KafkaSettings kafka = KafkaSettings.of(broker.bootstrapServers());
      Map<String, Long> received = new ConcurrentHashMap<>();
      HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
          .requestHandler(req -> {
            long now = System.nanoTime();
            received.putIfAbsent(req.getHeader("X-Hook-Name") + "/" + req.getHeader("X-Hook-Revision"), now);
            req.body().onComplete(b -> req.response().end());
          }).listen().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
      AtomicBoolean running = new AtomicBoolean(true);
      List<Thread> threads = List.of(new Thread(() -> {
        while (running.get()) {
          try {
            new Journal(store, kafka, 5000).publish(running::get);
          } catch (RuntimeException e) {
            System.err.println("bench journal session ended: " + e.getMessage());
          }
        }
      }, "journal"), new Thread(() -> {
        try {
          new HookRunner(store, kafka, new HookRunner.Options(Duration.ofMillis(500), Duration.ofSeconds(10)))
              .run(running::get);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }, "hooks"));
      for (int h = 0; h < HOOKS; h++) {
        store.apply(hook("bench-" + h, "http://127.0.0.1:" + server.actualPort() + "/h" + h, secret), Audit.of("bench"));
      }
      threads.forEach(Thread::start);
      try {
        Map<Long, Long> committed = new ConcurrentHashMap<>();
        Map<Long, Long> consumed = new ConcurrentHashMap<>();
        write(store, WARMUP, new ConcurrentHashMap<>(), 0);
        Thread anchor = anchor(kafka, consumed, running);
        await(received, HOOKS * WARMUP, Duration.ofMinutes(2));
        received.clear();
        write(store, CHANGES, committed, WARMUP);
        await(received, HOOKS * CHANGES, Duration.ofMinutes(2));
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!consumed.keySet().containsAll(committed.keySet()) && System.nanoTime() < deadline) {
          Thread.sleep(20);
        }
        running.set(false);
        anchor.join(10_000);
        List<Double> ours = new ArrayList<>();
        List<Double> floor = new ArrayList<>();
        committed.forEach((rev, t) -> {
          for (int h = 0; h < HOOKS; h++) {
            Long got = received.get("bench-" + h + "/" + rev);
            if (got == null) {
              throw new IllegalStateException("hook bench-" + h + " never received revision " + rev);
            }
            ours.add((got - t) / 1e6);
          }
          Long c = consumed.get(rev);
          if (c != null) {
            floor.add((c - t) / 1e6);
          }
        });
        String what = "hooks: etcd commit -> webhook received, " + HOOKS + " hooks at " + RATE + " changes/s";
        return List.of(
            Row.of(what + ", p50 ms (anchor: raw consumer of calico.changes)", Stats.median(ours), Stats.median(floor),
                "ms", Row.Goal.none()),
            Row.of(what + ", p99 ms (anchor: raw consumer of calico.changes)", Stats.percentile(ours, 0.99),
                Stats.percentile(floor, 0.99), "ms", Row.Goal.oursAtMost(100)));
      } finally {
        running.set(false);
        for (Thread t : threads) {
          t.join(30_000);
        }
      }
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      Files.deleteIfExists(secret);
      try (var walk = Files.walk(kafkaDir)) {
        walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static Hook hook(String name, String url, Path secret) {
    return (Hook) ResourceCodec.decodeAll("apiVersion: projectcalico.org/v3\nkind: Hook\nmetadata:\n  name: " + name
        + "\nspec:\n  match:\n    kinds: [IPPool]\n    name: bench-*\n  webhook:\n    url: " + url
        + "\n    secretFile: " + secret + "\n", "bench").get(0).resource();
  }

  /** {@code n} IPPool writes at {@link #RATE}/s, one etcd transaction each (the pool as calicoctl stores it). */
  private static void write(EtcdStore store, int n, Map<Long, Long> committed, int from) throws InterruptedException {
    long period = 1_000_000_000L / RATE;
    long next = System.nanoTime();
    for (int i = from; i < from + n; i++) {
      String name = "bench-" + (i % 100);
      IPPool pool = IPPool.of(name, IPPool.Spec.of("10." + (i % 100) + ".0.0/16").withNatOutgoing(i / 100 % 2 == 0))
          .withDefaults();
      long rev = store.txn(Txn.builder().put(Keys.resource(ResourceKey.of(pool)), ResourceCodec.encodeStored(pool))
          .build(), Audit.of("bench")).revision();
      committed.put(rev, System.nanoTime());
      next += period;
      long wait = next - System.nanoTime();
      if (wait > 0) {
        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
      }
    }
  }

  /** A raw read_committed consumer of calico.changes from its end, noting when each revision's event arrives. */
  private static Thread anchor(KafkaSettings kafka, Map<Long, Long> consumed, AtomicBoolean running) {
    TopicPartition tp = new TopicPartition(ChangeLog.CHANGES, 0);
    KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(kafka.reader());
    c.assign(List.of(tp));
    c.seekToEnd(List.of(tp));
    c.position(tp);
    Thread t = new Thread(() -> {
      try (c) {
        while (running.get()) {
          for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(100))) {
            long now = System.nanoTime();
            consumed.putIfAbsent(ChangeRecords.essentials(r).revision(), now);
          }
        }
      }
    }, "anchor-consumer");
    t.start();
    return t;
  }

  private static void await(Map<String, Long> received, int n, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (received.size() < n) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("only " + received.size() + " of " + n + " deliveries arrived within " + timeout);
      }
      Thread.sleep(20);
    }
  }
}
