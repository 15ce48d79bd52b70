package org.calicoledger.events.journal;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.calicoledger.events.ChangeLog;
import org.calicoledger.events.ChangeLogReader;
import org.calicoledger.events.KafkaSettings;
import org.calicoledger.events.proto.ChangeEvent;
import org.calicoledger.events.proto.Operation;
import org.calicoledger.events.proto.Position;
import org.calicoledger.store.KeyValue;
import org.calicoledger.store.Keys;
import org.calicoledger.store.Store;
import org.calicoledger.store.StoreException;
import org.calicoledger.store.Watch;
import org.calicoledger.store.WatchEvent;

/**
 * One publishing session of the journal leader: etcd's changes under {@code /calico/}, in revision order, onto the
 * change log.
 *
 * <p>Invariants. (1) Every Kafka transaction holds whole revisions and ends with a {@link Position} naming the last
 * revision it covers; so what is committed is always a prefix of etcd's history. (2) A session starts by fencing
 * ({@code initTransactions} with the fixed transactional id aborts any other producer's open transaction and rejects
 * its future ones) and only then reads the last committed Position; it watches etcd from that revision + 1. Hence a
 * crash anywhere, a deposed leader, or a failed commit can neither skip nor repeat a revision: the next session
 * resumes exactly after what Kafka committed. (3) Any Kafka or etcd failure ends the session; the caller starts a new
 * one (a fresh producer, a fresh read of the Position), so there is no in-memory state to get wrong.
 *
 * <p>If etcd compacted past the resume point, the session resyncs: it reads etcd's current state at revision S and
 * calico.state, and publishes only the differences as one group at revision S, flagged {@code resync}; then it
 * watches from S + 1.
 */
public final class Journal {
  private static final System.Logger LOG = System.getLogger("calico-journal");
  private static final Duration POLL = Duration.ofMillis(50);

  private final Store store;
  private final KafkaSettings kafka;
  private final int maxBatchEvents;

  public Journal(Store store, KafkaSettings kafka, int maxBatchEvents) {
    this.store = store;
    this.kafka = kafka;
    this.maxBatchEvents = maxBatchEvents;
  }

  /** Another journal took over: this one must stop publishing. */
  public static final class FencedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    FencedException(Throwable cause) {
      super("another journal took over the change log (this producer was fenced): " + cause.getMessage(), cause);
    }
  }

  /** A watch item: one etcd response's changes and when they were seen, or the error that ended the watch. */
  private record Item(List<WatchEvent> events, long observedMs, StoreException error) {}

  /** Publishes while {@code active} holds; returns when it stops holding. Failures end the session by throwing. */
  public void publish(BooleanSupplier active) {
    try (Admin admin = Admin.create(kafka.admin())) {
      ChangeLog.ensureTopics(admin);
    }
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(kafka.transactionalProducer())) {
      producer.initTransactions();
      Optional<Position> last;
      try (ChangeLogReader reader = new ChangeLogReader(kafka)) {
        last = reader.lastPosition();
      }
      long nextRevision = last.map(p -> p.getRevision() + 1).orElse(1L);
      long nextOffset = last.map(Position::getNextChangesOffset).orElse(0L);
      long etcdRevision = store.revision();
      if (nextRevision > etcdRevision + 1) {
        throw new IllegalStateException("etcd is at revision " + etcdRevision + " but the change log already holds"
            + " revision " + (nextRevision - 1) + ": etcd was replaced or restored from a backup. Refusing to publish"
            + " a history that would contradict the log; point the journal at new topics or at the right etcd");
      }
      LOG.log(System.Logger.Level.INFO, "publishing from revision " + nextRevision);
      Session s = new Session(producer, nextOffset);
      s.run(nextRevision, active);
    } catch (ProducerFencedException | InvalidProducerEpochException e) {
      throw new FencedException(e);
    }
  }

  private final class Session {
    private final KafkaProducer<String, byte[]> producer;
    private long nextOffset;
    private final BlockingQueue<Item> queue = new LinkedBlockingQueue<>(100_000);

    Session(KafkaProducer<String, byte[]> producer, long nextOffset) {
      this.producer = producer;
      this.nextOffset = nextOffset;
    }

    void run(long from, BooleanSupplier active) {
      Watch watch = watchFrom(from);
      try {
        while (active.getAsBoolean()) {
          Item first = queue.poll(POLL.toMillis(), TimeUnit.MILLISECONDS);
          if (first == null) {
            continue;
          }
          if (first.error() instanceof StoreException.Compacted) {
            watch.close();
            queue.clear();
            long s = resync();
            watch = watchFrom(s + 1);
            continue;
          }
          if (first.error() != null) {
            throw first.error();
          }
          List<Item> batch = new ArrayList<>();
          batch.add(first);
          int events = first.events().size();
          Item more;
          while (events < maxBatchEvents && (more = queue.peek()) != null && more.error() == null) {
            batch.add(queue.poll());
            events += more.events().size();
          }
          publish(batch);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        watch.close();
      }
    }

    private Watch watchFrom(long revision) {
      return store.watch(Keys.ROOT, revision, new Watch.Listener() {
        @Override
        public void onEvents(List<WatchEvent> events) {
          put(new Item(events, System.currentTimeMillis(), null));
        }

        @Override
        public void onError(StoreException error) {
          put(new Item(List.of(), System.currentTimeMillis(), error));
        }
      });
    }

    private void put(Item item) {
      try {
        queue.put(item);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    /** Groups the batch by revision and commits it as one Kafka transaction. */
    private void publish(List<Item> batch) {
      List<ChangeEvent> events = new ArrayList<>();
      long lastRevision = 0;
      for (Item item : batch) {
        List<WatchEvent> ws = item.events();
        int i = 0;
        while (i < ws.size()) {
          long rev = ws.get(i).modRevision();
          int j = i;
          while (j < ws.size() && ws.get(j).modRevision() == rev) {
            j++;
          }
          events.addAll(EventBuilder.revision(ws.subList(i, j), item.observedMs(), false));
          lastRevision = rev;
          i = j;
        }
      }
      commit(events, lastRevision);
    }

    private void commit(List<ChangeEvent> events, long lastRevision) {
      producer.beginTransaction();
      try {
        // The Position's offset is a lower bound known without waiting for acks: where the previous transaction's
        // records ended. A subscriber starting there skips what it already has by revision.
        Position pos = Position.newBuilder().setRevision(lastRevision).setNextChangesOffset(nextOffset).build();
        Future<RecordMetadata> last = null;
        for (ChangeEvent ev : events) {
          byte[] bytes = ev.toByteArray();
          last = producer.send(new ProducerRecord<>(ChangeLog.CHANGES, 0, ev.getObservedTimeMs(), ev.getKey(), bytes));
          byte[] latest = ev.getOperation() == Operation.DELETE ? null : ev.toBuilder().clearPrevValue().build().toByteArray();
          RecordHeaders headers = new RecordHeaders(List.of(new RecordHeader(ChangeLog.REVISION_HEADER,
              Long.toString(ev.getRevision()).getBytes(StandardCharsets.UTF_8))));
          producer.send(new ProducerRecord<>(ChangeLog.STATE, 0, ev.getObservedTimeMs(), ev.getKey(), latest, headers));
        }
        producer.send(new ProducerRecord<>(ChangeLog.STATE, 0, System.currentTimeMillis(), ChangeLog.POSITION_KEY,
            pos.toByteArray()));
        producer.commitTransaction();
        if (last != null) {
          nextOffset = last.get().offset() + 1; // acknowledged by now: commit waits for every send
        }
      } catch (ProducerFencedException | InvalidProducerEpochException e) {
        throw new FencedException(e);
      } catch (KafkaException | ExecutionException e) {
        try {
          producer.abortTransaction();
        } catch (KafkaException ignored) {
          // the session ends either way; the next one fences and re-reads what was committed
        }
        throw new IllegalStateException("publishing up to revision " + lastRevision + " failed: " + e.getMessage(), e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        producer.abortTransaction();
        throw new IllegalStateException("interrupted while publishing", e);
      }
    }

    /** Publishes the differences between etcd's current state and calico.state; returns etcd's revision S. */
    private long resync() {
      Store.Range range = store.range(Keys.ROOT);
      long s = range.revision();
      ChangeLogReader.State state;
      try (ChangeLogReader reader = new ChangeLogReader(kafka)) {
        state = reader.readState();
      }
      Map<String, ChangeEvent> live = state.live();
      List<WatchEvent> diffs = new ArrayList<>();
      Set<String> seen = new HashSet<>();
      for (KeyValue kv : range.kvs()) {
        if (EventBuilder.isInternal(kv.key())) {
          continue;
        }
        seen.add(kv.key());
        ChangeEvent had = live.get(kv.key());
        byte[] before = had == null || !had.hasValue() ? null : had.getValue().toByteArray();
        if (before == null || !Arrays.equals(before, kv.value())) {
          diffs.add(new WatchEvent(WatchEvent.Type.PUT, kv.key(), kv.value(), before, s));
        }
      }
      for (Map.Entry<String, ChangeEvent> e : live.entrySet()) {
        if (!seen.contains(e.getKey())) {
          byte[] before = e.getValue().hasValue() ? e.getValue().getValue().toByteArray() : null;
          diffs.add(new WatchEvent(WatchEvent.Type.DELETE, e.getKey(), null, before, s));
        }
      }
      LOG.log(System.Logger.Level.WARNING, "etcd compacted past the resume point; resynced at revision " + s + " with "
          + diffs.size() + " difference(s), published flagged resync");
      commit(EventBuilder.revision(diffs, System.currentTimeMillis(), true), s);
      return s;
    }
  }
}
