package org.calicoledger.hooks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.calicoledger.events.ChangeLog;
import org.calicoledger.events.KafkaSettings;
import org.calicoledger.events.subscriber.ChangeLogConsumer;
import org.calicoledger.events.subscriber.ChangeRecords;

/**
 * One reader of calico.changes shared by every worker of a runner: it follows the head of the log, parses each event
 * once, and keeps the last {@code capacity} of them in a ring that workers read from their own positions. Ten hooks
 * then cost one consumer, one fetch stream and one parse per event instead of ten.
 *
 * <p>Invariants: the ring holds every committed event whose offset lies in {@code [coverFrom, next)}, in offset order
 * ({@code next} is the feed's consumer position, so it also steps over transaction markers). The feed never waits for
 * a worker: when the ring is full the oldest event goes and {@code coverFrom} moves past it. A worker whose position
 * fell behind {@code coverFrom} (a hook retrying for long, replaying, or starting from the beginning) gets null from
 * {@link #read} and reads with a consumer of its own until it is back inside the window; so a slow hook delays nobody.
 *
 * <p>Threads: one feed thread appends; workers read; both under this object's monitor, which also wakes readers
 * waiting at the head. Events are immutable and shared.
 */
final class ChangeFeed implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger("org.calicoledger.hooks");
  private static final TopicPartition CHANGES = new TopicPartition(ChangeLog.CHANGES, 0);

  private final KafkaSettings kafka;
  private final Duration timeout;
  private final HookEvent[] ring;
  private final Thread thread;
  private volatile boolean running = true;
  // guarded by this
  private int head;
  private int size;
  private long coverFrom;
  private long next;

  /** What {@link #read} found: events in offset order, and the offset to read from next. */
  record Batch(List<HookEvent> events, long next) {}

  private ChangeFeed(KafkaSettings kafka, Duration timeout, int capacity, long start) {
    this.kafka = kafka;
    this.timeout = timeout;
    this.ring = new HookEvent[capacity];
    this.coverFrom = start;
    this.next = start;
    this.thread = new Thread(this::run, "hook-feed");
    this.thread.setDaemon(true);
  }

  /** Starts following the log from its current end. */
  static ChangeFeed start(KafkaSettings kafka, Duration timeout, int capacity) {
    long end;
    try (KafkaConsumer<String, byte[]> c = ChangeLogConsumer.open(kafka, timeout, "calico-hooks-feed", true)) {
      end = c.endOffsets(List.of(CHANGES), timeout).get(CHANGES);
    }
    ChangeFeed f = new ChangeFeed(kafka, timeout, capacity, end);
    f.thread.start();
    return f;
  }

  /**
   * Up to {@code max} events from offset {@code from} on, waiting up to {@code waitMs} when there are none yet (then
   * the batch is empty). Null when {@code from} is older than the ring: read it from Kafka instead.
   */
  synchronized Batch read(long from, int max, long waitMs) throws InterruptedException {
    if (from < coverFrom) {
      return null;
    }
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMs);
    long left;
    while (from >= next && running && (left = deadline - System.nanoTime()) > 0) {
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    if (from < coverFrom) {
      return null; // overtaken while waiting
    }
    if (from >= next) {
      return new Batch(List.of(), from);
    }
    int lo = 0;
    int hi = size;
    while (lo < hi) { // the first event at or after `from`
      int mid = (lo + hi) >>> 1;
      if (at(mid).offset() < from) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    List<HookEvent> out = new ArrayList<>(Math.min(max, size - lo));
    for (int i = lo; i < size && out.size() < max; i++) {
      out.add(at(i));
    }
    long after = lo + out.size() == size ? next : at(lo + out.size()).offset();
    return new Batch(out, after);
  }

  private HookEvent at(int i) {
    return ring[(head + i) % ring.length];
  }

  private synchronized void append(List<HookEvent> events, long position) {
    for (HookEvent e : events) {
      if (size == ring.length) {
        coverFrom = ring[head].offset() + 1;
        ring[head] = null;
        head = (head + 1) % ring.length;
        size--;
      }
      ring[(head + size) % ring.length] = e;
      size++;
    }
    next = Math.max(next, position);
    notifyAll();
  }

  private synchronized long next() {
    return next;
  }

  private void run() {
    while (running) {
      try (KafkaConsumer<String, byte[]> c = ChangeLogConsumer.open(kafka, timeout, "calico-hooks-feed", true)) {
        c.assign(List.of(CHANGES));
        c.seek(CHANGES, next());
        while (running) {
          List<HookEvent> parsed = new ArrayList<>();
          for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(100)).records(CHANGES)) {
            parsed.add(HookEvent.of(ChangeRecords.event(r), r.offset()));
          }
          append(parsed, c.position(CHANGES));
        }
      } catch (InterruptException e) {
        return;
      } catch (RuntimeException e) {
        if (running) {
          LOG.log(System.Logger.Level.WARNING, "the hooks' change feed stopped: " + e.getMessage()
              + "; reconnecting in 1s (hooks wait meanwhile)");
          try {
            Thread.sleep(1000);
          } catch (InterruptedException stopped) {
            return;
          }
        }
      }
    }
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    synchronized (this) {
      notifyAll();
    }
    thread.join(TimeUnit.SECONDS.toMillis(10));
  }
}
