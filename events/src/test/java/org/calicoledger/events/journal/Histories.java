package org.calicoledger.events.journal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.calicoledger.events.ChangeLog;
import org.calicoledger.events.ChangeLogReader;
import org.calicoledger.events.KafkaSettings;
import org.calicoledger.events.proto.ChangeEvent;
import org.calicoledger.events.proto.Operation;
import org.calicoledger.store.KeyValue;
import org.calicoledger.store.Keys;
import org.calicoledger.store.Store;
import org.calicoledger.store.StoreException;
import org.calicoledger.store.Watch;
import org.calicoledger.store.WatchEvent;

/** The two sides a journal test compares: etcd's own history and what the change log holds. */
final class Histories {
  private Histories() {}

  /** One change, as both sides can express it. */
  record Change(long revision, String key, boolean delete, String value) {
    static Change of(WatchEvent e) {
      return new Change(e.modRevision(), e.key(), e.type() == WatchEvent.Type.DELETE,
          e.value() == null ? null : new String(e.value(), java.nio.charset.StandardCharsets.UTF_8));
    }

    static Change of(ChangeEvent e) {
      return new Change(e.getRevision(), e.getKey(), e.getOperation() == Operation.DELETE,
          e.hasValue() ? e.getValue().toStringUtf8() : null);
    }
  }

  /** etcd's history under /calico/ from revision 1 up to {@code until}, without the audit keys the journal joins. */
  static List<Change> etcd(Store store, long until) throws InterruptedException {
    List<Change> out = new CopyOnWriteArrayList<>();
    List<StoreException> errors = new CopyOnWriteArrayList<>();
    try (Watch w = store.watch(Keys.ROOT, 1, new Watch.Listener() {
      @Override
      public void onEvents(List<WatchEvent> events) {
        events.stream().filter(e -> e.modRevision() <= until && !EventBuilder.isInternal(e.key())).map(Change::of)
            .forEach(out::add);
      }

      @Override
      public void onError(StoreException error) {
        errors.add(error);
      }
    })) {
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (System.nanoTime() < deadline && errors.isEmpty()
          && (out.isEmpty() || out.get(out.size() - 1).revision() < until)) {
        Thread.sleep(50);
      }
    }
    if (!errors.isEmpty()) {
      throw errors.get(0);
    }
    return new ArrayList<>(out);
  }

  /** Every committed event on calico.changes, in Kafka order. */
  static List<ChangeEvent> changes(KafkaSettings kafka) {
    try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(kafka.reader())) {
      TopicPartition tp = new TopicPartition(ChangeLog.CHANGES, 0);
      c.assign(List.of(tp));
      long end = c.endOffsets(List.of(tp)).get(tp);
      c.seekToBeginning(List.of(tp));
      List<ChangeEvent> out = new ArrayList<>();
      while (c.position(tp) < end) {
        for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
          out.add(ChangeLogReader.parseEvent(r.value()));
        }
      }
      return out;
    }
  }

  /** calico.state as key -> value text. */
  static Map<String, String> state(KafkaSettings kafka) {
    try (ChangeLogReader r = new ChangeLogReader(kafka)) {
      Map<String, String> out = new HashMap<>();
      r.readState().live().forEach((k, e) -> out.put(k, e.getValue().toStringUtf8()));
      return out;
    }
  }

  /** etcd's current state under /calico/ as key -> value text, without audit keys. */
  static Map<String, String> etcdState(Store store) {
    Map<String, String> out = new HashMap<>();
    for (KeyValue kv : store.range(Keys.ROOT).kvs()) {
      if (!EventBuilder.isInternal(kv.key())) {
        out.put(kv.key(), kv.text());
      }
    }
    return out;
  }

  /** Waits until the journal's committed Position reaches {@code revision}. */
  static void awaitPosition(KafkaSettings kafka, long revision, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    long seen = -1;
    while (System.nanoTime() < deadline) {
      try (ChangeLogReader r = new ChangeLogReader(kafka)) {
        seen = r.lastPosition().map(p -> p.getRevision()).orElse(-1L);
      } catch (RuntimeException notYet) {
        // topics may not exist yet
      }
      if (seen >= revision) {
        return;
      }
      Thread.sleep(200);
    }
    throw new AssertionError("the change log reached revision " + seen + ", not " + revision + ", within " + timeout);
  }
}
