package org.calicoledger.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.calicoledger.store.testing.EtcdProcess;
import org.junit.jupiter.api.Test;

/** Watches against a real etcd that is killed and restarted, and compacted. */
class WatchIT {
  private static final Audit AUDIT = new Audit("watcher@it", "watch test");

  /** Collects events and remembers errors. */
  static final class Recorder implements Watch.Listener {
    final List<WatchEvent> events = new CopyOnWriteArrayList<>();
    final CompletableFuture<StoreException> error = new CompletableFuture<>();

    @Override
    public void onEvents(List<WatchEvent> batch) {
      events.addAll(batch);
    }

    @Override
    public void onError(StoreException e) {
      error.complete(e);
    }

    void awaitCount(int n, Duration timeout) throws InterruptedException {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (events.size() < n && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
    }
  }

  private static void put(Store store, String key, String value) {
    store.txn(Txn.builder().put(key, value).build(), AUDIT);
  }

  @Test
  void resumesAfterEtcdRestartWithoutSkippingOrRepeatingARevision() throws Exception {
    try (EtcdProcess etcd = EtcdProcess.start(); EtcdStore store = EtcdStore.connect(etcd.config())) {
      long start = store.revision() + 1;
      Recorder rec = new Recorder();
      try (Watch w = store.watch("/calico/test/", start, rec)) {
        for (int i = 0; i < 50; i++) {
          put(store, "/calico/test/k" + (i % 7), "v" + i);
        }
        rec.awaitCount(50, Duration.ofSeconds(10));
        etcd.kill();
        Thread.sleep(500); // the watch sees the connection drop
        etcd.startProcess();
        for (int i = 50; i < 100; i++) {
          put(store, "/calico/test/k" + (i % 7), "v" + i);
        }
        rec.awaitCount(100, Duration.ofSeconds(30));
        assertThat(rec.error).isNotDone();
      }
      List<String> values = rec.events.stream().map(e -> new String(e.value(), StandardCharsets.UTF_8)).toList();
      List<String> expected = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        expected.add("v" + i);
      }
      assertThat(values).containsExactlyElementsOf(expected);
      List<Long> revs = rec.events.stream().map(WatchEvent::modRevision).toList();
      assertThat(revs).isSorted().doesNotHaveDuplicates();
      // previous values come with each update
      WatchEvent eighth = rec.events.get(7);
      assertThat(new String(eighth.prevValue(), StandardCharsets.UTF_8)).isEqualTo("v0");
    }
  }

  @Test
  void deliversDeletesWithPreviousValueAndGroupsARevision() throws Exception {
    try (EtcdProcess etcd = EtcdProcess.start(); EtcdStore store = EtcdStore.connect(etcd.config())) {
      Recorder rec = new Recorder();
      try (Watch w = store.watch("/calico/", 0, rec)) {
        put(store, "/calico/g/a", "1");
        store.txn(Txn.builder().put("/calico/g/b", "2").delete("/calico/g/a").build(), AUDIT);
        rec.awaitCount(5, Duration.ofSeconds(10)); // 2 puts with their audit + put, delete, audit
      }
      WatchEvent delete = rec.events.stream().filter(e -> e.type() == WatchEvent.Type.DELETE).findFirst().orElseThrow();
      assertThat(delete.key()).isEqualTo("/calico/g/a");
      assertThat(new String(delete.prevValue(), StandardCharsets.UTF_8)).isEqualTo("1");
      assertThat(delete.value()).isNull();
      long rev = delete.modRevision();
      assertThat(rec.events.stream().filter(e -> e.modRevision() == rev).map(WatchEvent::key))
          .containsExactlyInAnyOrder("/calico/g/b", "/calico/g/a", Keys.audit("watcher@it"));
    }
  }

  @Test
  void watchingFromCompactedHistoryFailsWithTheCompactRevision() throws Exception {
    try (EtcdProcess etcd = EtcdProcess.start(); EtcdStore store = EtcdStore.connect(etcd.config())) {
      long early = store.revision() + 1;
      for (int i = 0; i < 10; i++) {
        put(store, "/calico/c/k", "v" + i);
      }
      long now = store.revision();
      store.compact(now);
      Recorder rec = new Recorder();
      try (Watch w = store.watch("/calico/c/", early, rec)) {
        StoreException e = rec.error.get(10, TimeUnit.SECONDS);
        assertThat(e).isInstanceOf(StoreException.Compacted.class);
        assertThat(((StoreException.Compacted) e).compactRevision()).isEqualTo(now);
        assertThat(e.getMessage()).contains("compacted", "re-read the current state");
      }
      assertThat(rec.events).isEmpty();
    }
  }

  @Test
  void watchFromNowSeesOnlyNewChanges() throws Exception {
    try (EtcdProcess etcd = EtcdProcess.start(); EtcdStore store = EtcdStore.connect(etcd.config())) {
      put(store, "/calico/n/old", "old");
      Recorder rec = new Recorder();
      try (Watch w = store.watch("/calico/n/", 0, rec)) {
        put(store, "/calico/n/new", "new");
        rec.awaitCount(1, Duration.ofSeconds(10));
      }
      assertThat(rec.events).extracting(WatchEvent::key).containsExactly("/calico/n/new");
    }
  }
}
