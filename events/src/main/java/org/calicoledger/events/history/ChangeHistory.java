package org.calicoledger.events.history;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.calicoledger.events.ChangeLog;
import org.calicoledger.events.KafkaSettings;
import org.calicoledger.events.image.ClusterImage;
import org.calicoledger.events.proto.ChangeEvent;
import org.calicoledger.events.subscriber.ChangeLogConsumer;
import org.calicoledger.events.subscriber.ChangeLogUnavailableException;
import org.calicoledger.events.subscriber.ChangeRecords;

/**
 * Reads calico.changes as history: the state at a point ({@link #imageAt}), the events between two points
 * ({@link #events}), and the difference between two points ({@link #diff}).
 *
 * <p>A reader sees the log as it was when it was opened (committed records up to the end offset of that moment), so
 * several questions to one reader get consistent answers. Points resolve to revisions: a revision is itself; a time
 * becomes "every revision before the first event observed after it", found with Kafka's time index
 * ({@code offsetsForTimes}) instead of a scan. A lower revision bound is found by bisecting offsets (revisions grow
 * with offsets on the single partition). Folding into an image always starts at the beginning of the log: the log is
 * the only record of past states. Every wait on Kafka is bounded by the reader's timeout: a broker that stops answering
 * is a {@link ChangeLogUnavailableException}, never a hang. Folding runs on a thread of its own ({@link HistoryFold})
 * while this one reads. Not thread-safe.
 */
public final class ChangeHistory implements AutoCloseable {
  private final KafkaConsumer<String, byte[]> consumer;
  private final TopicPartition tp = new TopicPartition(ChangeLog.CHANGES, 0);
  private final String bootstrap;
  private final Duration timeout;
  private final long begin;
  private final long end;

  private ChangeHistory(KafkaConsumer<String, byte[]> consumer, String bootstrap, Duration timeout) {
    this.consumer = consumer;
    this.bootstrap = bootstrap;
    this.timeout = timeout;
    consumer.assign(List.of(tp));
    this.begin = consumer.beginningOffsets(List.of(tp), timeout).get(tp);
    this.end = consumer.endOffsets(List.of(tp), timeout).get(tp);
  }

  /**
   * Connects within {@code timeout}.
   *
   * @throws ChangeLogUnavailableException when Kafka does not answer in time or has no change log
   */
  public static ChangeHistory open(KafkaSettings kafka, Duration timeout) {
    // a reader seeks often (bisection, several points); a prefetch parked at the end of the log would hold each seek
    // for the broker's fetch wait, so the wait is short
    Properties p = new Properties();
    p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "5");
    KafkaConsumer<String, byte[]> c = ChangeLogConsumer.open(kafka, timeout, "calico-history", true, p);
    try {
      return new ChangeHistory(c, kafka.bootstrapServers(), timeout);
    } catch (org.apache.kafka.common.errors.TimeoutException e) {
      c.close(Duration.ZERO);
      throw ChangeLogUnavailableException.unreachable(kafka.bootstrapServers(), timeout, e);
    } catch (RuntimeException e) {
      c.close(Duration.ZERO);
      throw e;
    }
  }

  /** The offset after the last committed record when this reader was opened. */
  public long endOffset() {
    return end;
  }

  /** The last revision at or before {@code point} (inclusive upper bound); {@code Long.MAX_VALUE} for "everything". */
  public long upTo(Bound point) {
    if (point == null) {
      return Long.MAX_VALUE;
    }
    if (point instanceof Bound.Revision r) {
      return r.revision();
    }
    long[] first = firstAtOrAfter(((Bound.Time) point).time().toEpochMilli() + 1);
    return first == null ? Long.MAX_VALUE : first[1] - 1;
  }

  /** The offset to start reading at for events at or after {@code point} (the end offset when there are none yet). */
  public long startOffset(Bound point) {
    if (point == null) {
      return begin;
    }
    if (point instanceof Bound.Time t) {
      long[] first = firstAtOrAfter(t.time().toEpochMilli());
      return first == null ? end : first[0];
    }
    long revision = ((Bound.Revision) point).revision();
    long lo = begin;
    long hi = end;
    while (lo < hi) {
      long mid = lo + (hi - lo) / 2;
      long[] p = probe(mid);
      if (p == null || p[1] >= revision) {
        hi = mid; // nothing before p's offset but control or aborted records: starting at mid is starting at p
      } else {
        lo = p[0] + 1;
      }
    }
    return lo;
  }

  /**
   * {offset, revision} of the first event observed at or after {@code epochMs}, or null. The time index gives where to
   * look: every batch before its answer is older. The answer itself may be a transaction marker, whose timestamp is
   * the commit time (later than the events it commits), so events are checked from there on.
   */
  private long[] firstAtOrAfter(long epochMs) {
    Map<TopicPartition, OffsetAndTimestamp> m = call(() -> consumer.offsetsForTimes(Map.of(tp, epochMs), timeout));
    OffsetAndTimestamp o = m.get(tp);
    if (o == null) {
      return null;
    }
    long[] found = new long[2];
    boolean[] any = {false};
    scan(o.offset(), (r, e) -> {
      if (r.timestamp() < epochMs) {
        return true;
      }
      found[0] = r.offset();
      found[1] = e.revision();
      any[0] = true;
      return false;
    });
    return any[0] ? found : null;
  }

  /** {offset, revision} of the first committed event at or after {@code offset} and before the end, or null. */
  private long[] probe(long offset) {
    long[] found = new long[2];
    boolean[] any = {false};
    scan(offset, (r, e) -> {
      found[0] = r.offset();
      found[1] = e.revision();
      any[0] = true;
      return false;
    });
    return any[0] ? found : null;
  }

  /** The image after every revision up to {@code point} (the latest image for null). */
  public ClusterImage imageAt(Bound point) {
    return imagesAt(upTo(point))[0];
  }

  /** Images at several inclusive revision bounds, folded in one pass; in the order given. */
  public ClusterImage[] imagesAt(long... revisions) {
    long[] sorted = revisions.clone();
    Arrays.sort(sorted);
    HistoryFold fold = new HistoryFold(sorted);
    ClusterImage[] atSorted;
    try {
      scanBatches(begin, batch -> {
        fold.offer(batch);
        return !fold.done();
      });
      atSorted = fold.finish();
    } catch (RuntimeException e) {
      fold.abandon();
      throw e;
    }
    ClusterImage[] out = new ClusterImage[revisions.length];
    for (int i = 0; i < revisions.length; i++) {
      out[i] = atSorted[Arrays.binarySearch(sorted, revisions[i])];
    }
    return out;
  }

  /** Events from {@code since} (inclusive; null = the beginning) to {@code until} (inclusive; null = the end). */
  public List<HistoryEntry> events(Bound since, Bound until, Predicate<ChangeEvent> filter) {
    long from = since instanceof Bound.Revision r ? r.revision() : Long.MIN_VALUE;
    long to = upTo(until);
    List<HistoryEntry> out = new ArrayList<>();
    scan(startOffset(since), (r, head) -> {
      if (head.revision() > to) {
        return false;
      }
      if (head.revision() >= from) {
        ChangeEvent e = ChangeRecords.event(r);
        if (filter.test(e)) {
          out.add(HistoryEntry.of(e, r.offset()));
        }
      }
      return true;
    });
    return out;
  }

  /** What differs between the state at {@code from} and the state at {@code to}. */
  public ImageDiff diff(Bound from, Bound to) {
    ClusterImage[] images = imagesAt(upTo(from), upTo(to));
    return ImageDiff.between(images[0], images[1]);
  }

  interface Visitor {
    /** Returns false to stop. */
    boolean visit(ConsumerRecord<String, byte[]> r, ChangeRecords.Essentials head);
  }

  /** Visits committed events from {@code offset} until the reader's end or until the visitor stops. */
  private void scan(long offset, Visitor v) {
    scanBatches(offset, batch -> {
      for (ConsumerRecord<String, byte[]> r : batch) {
        if (!v.visit(r, ChangeRecords.essentials(r))) {
          return false;
        }
      }
      return true;
    });
  }

  /**
   * Hands each poll's committed records from {@code offset} up to the reader's end to {@code sink}, until the end or
   * until it returns false. A broker that makes no progress for the timeout is an error.
   */
  private void scanBatches(long offset, Predicate<List<ConsumerRecord<String, byte[]>>> sink) {
    if (offset >= end) {
      return;
    }
    consumer.seek(tp, offset);
    long lastProgress = System.nanoTime();
    long position = offset;
    while (position < end) {
      List<ConsumerRecord<String, byte[]>> batch = call(() -> consumer.poll(Duration.ofMillis(25))).records(tp);
      int n = batch.size();
      while (n > 0 && batch.get(n - 1).offset() >= end) {
        n--;
      }
      if (n > 0 && !sink.test(n == batch.size() ? batch : batch.subList(0, n))) {
        return;
      }
      if (n < batch.size()) {
        return;
      }
      long now = call(() -> consumer.position(tp, timeout));
      if (now != position) {
        position = now;
        lastProgress = System.nanoTime();
      } else if (System.nanoTime() - lastProgress > timeout.toNanos()) {
        throw ChangeLogUnavailableException.unreachable(bootstrap, timeout,
            new IllegalStateException("no progress reading " + ChangeLog.CHANGES + " at offset " + position));
      }
    }
  }

  private <T> T call(java.util.function.Supplier<T> s) {
    try {
      return s.get();
    } catch (org.apache.kafka.common.errors.TimeoutException e) {
      throw ChangeLogUnavailableException.unreachable(bootstrap, timeout, e);
    }
  }

  @Override
  public void close() {
    consumer.close(Duration.ofSeconds(2));
  }
}
