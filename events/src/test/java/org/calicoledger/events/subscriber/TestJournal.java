package org.calicoledger.events.subscriber;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.calicoledger.events.ChangeLog;
import org.calicoledger.events.KafkaSettings;
import org.calicoledger.events.image.TestEvents;
import org.calicoledger.events.image.TestEvents.Op;
import org.calicoledger.events.proto.ChangeEvent;
import org.calicoledger.events.proto.Operation;
import org.calicoledger.events.proto.Position;

/**
 * Writes ChangeEvents into the change-log topics the way the journal does: each call is one Kafka transaction holding
 * whole revisions on calico.changes, each key's latest form on calico.state (a tombstone with a revision header for a
 * delete), and the Position record last. It tracks every key's value so events carry {@code prev_value} as etcd's
 * watch gives it. A write returns once its transaction is visible to read_committed readers of calico.state (Kafka
 * writes a commit's markers after {@code commitTransaction} returns), so a subscriber started next bootstraps from it.
 */
public final class TestJournal implements AutoCloseable {
  private final KafkaProducer<String, byte[]> producer;
  private final Admin admin;
  private final Map<String, String> state = new HashMap<>();
  private long revision;
  private long nextOffset;
  private long timeMs = System.currentTimeMillis() - 3_600_000;
  private String actor = "tester@host";
  private String reason = "";
  private boolean resync;

  public TestJournal(KafkaSettings kafka) {
    producer = new KafkaProducer<>(kafka.transactionalProducer());
    producer.initTransactions();
    admin = Admin.create(kafka.admin());
  }

  public long revision() {
    return revision;
  }

  /** The current value of every key written. */
  public Map<String, String> state() {
    return Map.copyOf(state);
  }

  /** Sets the observed time of the following revisions (each write advances it by one second). */
  public TestJournal at(long epochMs) {
    timeMs = epochMs;
    return this;
  }

  public long timeMs() {
    return timeMs;
  }

  public TestJournal by(String actor, String reason) {
    this.actor = actor;
    this.reason = reason;
    return this;
  }

  public TestJournal resync(boolean r) {
    this.resync = r;
    return this;
  }

  /** Leaves revisions out (etcd revisions of keys outside /calico/). */
  public TestJournal skip(long n) {
    revision += n;
    return this;
  }

  /** One revision in its own transaction; returns its revision. */
  public long write(Op... ops) {
    commit(List.of(List.of(ops)), false);
    return revision;
  }

  /** Several revisions in one transaction; returns the last revision. */
  public long writeBatch(List<List<Op>> revisions) {
    commit(revisions, false);
    return revision;
  }

  /** A transaction that is aborted: readers must never see it (the revision number is not used). */
  public void writeAborted(Op... ops) {
    commit(List.of(List.of(ops)), true);
  }

  private void commit(List<List<Op>> revisions, boolean abort) {
    long rev = revision;
    long t = timeMs;
    Map<String, String> after = new HashMap<>(state);
    List<ChangeEvent> events = new ArrayList<>();
    for (List<Op> ops : revisions) {
      rev++;
      t += 1000;
      for (int i = 0; i < ops.size(); i++) {
        Op op = ops.get(i);
        String prev = after.get(op.key());
        events.add(TestEvents.event(rev, i, ops.size(), new Op(op.key(), op.value(), prev), t, actor, reason, resync));
        if (op.value() == null) {
          after.remove(op.key());
        } else {
          after.put(op.key(), op.value());
        }
      }
    }
    producer.beginTransaction();
    try {
      Future<RecordMetadata> last = null;
      for (ChangeEvent ev : events) {
        last = producer.send(new ProducerRecord<>(ChangeLog.CHANGES, 0, ev.getObservedTimeMs(), ev.getKey(),
            ev.toByteArray()));
        byte[] latest = ev.getOperation() == Operation.DELETE ? null : ev.toBuilder().clearPrevValue().build().toByteArray();
        RecordHeaders headers = new RecordHeaders(List.of(new RecordHeader(ChangeLog.REVISION_HEADER,
            Long.toString(ev.getRevision()).getBytes(StandardCharsets.UTF_8))));
        producer.send(new ProducerRecord<>(ChangeLog.STATE, 0, ev.getObservedTimeMs(), ev.getKey(), latest, headers));
      }
      long next = last == null ? nextOffset : last.get().offset() + 1;
      Position pos = Position.newBuilder().setRevision(rev).setNextChangesOffset(next).build();
      Future<RecordMetadata> position = producer.send(new ProducerRecord<>(ChangeLog.STATE, 0, t,
          ChangeLog.POSITION_KEY, pos.toByteArray()));
      if (abort) {
        producer.flush();
        producer.abortTransaction();
        return;
      }
      producer.commitTransaction();
      awaitCommitted(position.get().offset());
      revision = rev;
      timeMs = t;
      nextOffset = next;
      state.clear();
      state.putAll(after);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    }
  }

  /** Waits until read_committed readers of calico.state see past {@code offset} (the commit's markers are written). */
  private void awaitCommitted(long offset) throws InterruptedException, ExecutionException {
    TopicPartition tp = new TopicPartition(ChangeLog.STATE, 0);
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (admin.listOffsets(Map.of(tp, OffsetSpec.latest()), new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
        .partitionResult(tp).get().offset() <= offset) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("calico.state offset " + offset + " not visible to read_committed in 30 s");
      }
      Thread.sleep(5);
    }
  }

  @Override
  public void close() {
    producer.close();
    admin.close();
  }
}
