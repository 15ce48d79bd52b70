package org.calicoledger.hooks.testing;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.calicoledger.events.ChangeLogReader;
import org.calicoledger.events.KafkaSettings;
import org.calicoledger.events.journal.Journal;
import org.calicoledger.events.subscriber.TestBroker;
import org.calicoledger.hooks.HookLedger;
import org.calicoledger.hooks.HookRunner;
import org.calicoledger.hooks.HookStatus;
import org.calicoledger.model.Hook;
import org.calicoledger.model.IPPool;
import org.calicoledger.model.ResourceCodec;
import org.calicoledger.store.Audit;
import org.calicoledger.store.EtcdStore;
import org.calicoledger.store.Txn;
import org.calicoledger.store.testing.EtcdProcess;

/**
 * What hooks run on, for tests: a real etcd (child process), a real Kafka broker (in this JVM), both on free loopback
 * ports, and the real journal publishing etcd's changes to the change log (on a thread here). Optionally a
 * {@link HookRunner} in this JVM. {@link #close()} stops them all and deletes their data, also when a test failed.
 */
public final class HookStack implements AutoCloseable {
  public final EtcdProcess etcd;
  public final EtcdStore store;
  public final TestBroker broker;
  public final KafkaSettings kafka;
  private final AtomicBoolean journaling = new AtomicBoolean(true);
  private final Thread journal;
  private final AtomicBoolean running = new AtomicBoolean();
  private Thread runner;

  private HookStack(EtcdProcess etcd, EtcdStore store, TestBroker broker) {
    this.etcd = etcd;
    this.store = store;
    this.broker = broker;
    this.kafka = broker.settings();
    this.journal = new Thread(() -> {
      while (journaling.get()) {
        try {
          new Journal(store, kafka, 5000).publish(journaling::get);
        } catch (RuntimeException e) {
          if (journaling.get()) {
            System.err.println("test journal session ended: " + e.getMessage());
            sleep(200);
          }
        }
      }
    }, "test-journal");
    journal.setDaemon(true);
  }

  public static HookStack start() {
    EtcdProcess etcd = EtcdProcess.start();
    TestBroker broker = null;
    try {
      broker = TestBroker.start();
      HookStack s = new HookStack(etcd, EtcdStore.connect(etcd.config()), broker);
      s.journal.start();
      return s;
    } catch (RuntimeException e) {
      if (broker != null) {
        broker.close();
      }
      etcd.close();
      throw e;
    }
  }

  /** ETCD_ENDPOINTS and KAFKA_BOOTSTRAP_SERVERS for a process or calicoctl run against this stack. */
  public Map<String, String> env() {
    return Map.of("ETCD_ENDPOINTS", etcd.endpoint(), "KAFKA_BOOTSTRAP_SERVERS", broker.bootstrap());
  }

  /** Starts a runner in this JVM (status persisted every 100 ms unless said otherwise). */
  public void startRunner() {
    startRunner(new HookRunner.Options(Duration.ofMillis(100), Duration.ofSeconds(10)));
  }

  public synchronized void startRunner(HookRunner.Options options) {
    if (runner != null) {
      throw new IllegalStateException("a runner is running already");
    }
    running.set(true);
    HookRunner r = new HookRunner(store, kafka, options);
    runner = new Thread(() -> {
      while (running.get()) {
        try {
          r.run(running::get);
        } catch (InterruptedException e) {
          return;
        } catch (RuntimeException e) {
          System.err.println("test hook runner failed: " + e);
          sleep(200);
        }
      }
    }, "test-hook-runner");
    runner.setDaemon(true);
    runner.start();
  }

  public synchronized void stopRunner() throws InterruptedException {
    if (runner != null) {
      running.set(false);
      runner.join(30_000);
      runner = null;
    }
  }

  /** Decodes one hook (YAML or JSON, as calicoctl reads it) and applies it; returns it as stored. */
  public Hook apply(String hookDocument) {
    var docs = ResourceCodec.decodeAll(hookDocument, "test hook");
    if (docs.size() != 1 || !docs.get(0).ok()) {
      throw new IllegalArgumentException("not one valid hook: " + docs);
    }
    return store.apply((Hook) docs.get(0).resource(), new Audit("tester@test", "test hook"));
  }

  /** Writes an IPPool; returns the revision of the write. */
  public long pool(String name, String cidr, boolean natOutgoing) {
    IPPool p = IPPool.of(name, IPPool.Spec.of(cidr).withNatOutgoing(natOutgoing));
    return store.apply(p, new Audit("tester@test", "pool " + name)).metadata().revision();
  }

  /**
   * Writes a key no hook matches and returns its revision: a hook whose status has reached it has handled everything
   * written before. (The store's current revision would not do: hook statuses bump it without becoming events.)
   */
  public long marker() {
    return store.txn(Txn.builder().put("/calico/test/marker", Long.toString(System.nanoTime())).build(),
        Audit.of("marker")).revision();
  }

  /** Waits until the journal published {@code revision}. */
  public void awaitPublished(long revision, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long at;
      try (ChangeLogReader r = new ChangeLogReader(kafka)) {
        at = r.lastPosition().map(p -> p.getRevision()).orElse(0L);
      }
      if (at >= revision) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the journal did not publish revision " + revision + " within " + timeout
            + " (it is at " + at + ")");
      }
      Thread.sleep(20);
    }
  }

  /** Waits until {@code hook}'s persisted status satisfies {@code done}; returns it, or fails after {@code timeout}. */
  public HookStatus awaitStatus(String hook, Predicate<HookStatus> done, Duration timeout) throws InterruptedException {
    HookLedger ledger = new HookLedger(store);
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      HookStatus s = ledger.status(hook).orElse(null);
      if (s != null && done.test(s)) {
        return s;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("status of hook " + hook + " after " + timeout + ": " + s);
      }
      Thread.sleep(50);
    }
  }

  @Override
  public void close() {
    try {
      stopRunner();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    journaling.set(false);
    try {
      journal.join(30_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (AutoCloseable c : List.<AutoCloseable>of(store, broker, etcd)) {
      try {
        c.close();
      } catch (Exception e) {
        System.err.println("closing " + c + ": " + e);
      }
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
