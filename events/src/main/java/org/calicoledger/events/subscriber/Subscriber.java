package org.calicoledger.events.subscriber;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.calicoledger.events.ChangeLog;
import org.calicoledger.events.KafkaSettings;
import org.calicoledger.events.image.ClusterDelta;
import org.calicoledger.events.image.ClusterImage;
import org.calicoledger.events.proto.ChangeEvent;
import org.calicoledger.events.proto.Position;

/**
 * Keeps a {@link ClusterImage} up to date from the change log and feeds an {@link ImagePublisher}.
 *
 * <pre>
 *  calico.state ──read to its end──► snapshot delta (EMPTY → image@S) ──► catch-up onUpdate (if S > lastApplied)
 *       └─ Position{S, next_changes_offset}
 *  calico.changes ──from next_changes_offset──► RevisionAssembler ──whole group──► delta ──► onUpdate (if rev > lastApplied)
 * </pre>
 *
 * <p>Guarantees: {@code onUpdate} is called on this subscriber's own thread, once per complete revision group, in
 * revision order, never for a revision at or below {@code lastAppliedRevision} nor twice for one revision (a re-read
 * after reconnecting is dropped by revision). A revision is never delivered in part. The image each call receives is
 * complete at its revision. Missing topics are waited for (a consumer may start before the journal); an unreachable
 * Kafka fails {@link #start} within the connect timeout. {@link #close()} stops the thread and closes the consumer;
 * a failure (a corrupt log, an exception from the publisher) stops it too and is kept in {@link #failure()}.
 */
public final class Subscriber implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(Subscriber.class.getName());

  /**
   * @param lastAppliedRevision the last revision the consumer applied and persisted (0 = none): nothing at or below it
   *     is delivered again
   * @param connectTimeout how long Kafka may take to answer at start
   * @param name the thread and Kafka client id
   */
  public record Options(long lastAppliedRevision, Duration connectTimeout, String name) {
    public static Options defaults() {
      return new Options(0, Duration.ofSeconds(10), "calico-subscriber");
    }

    public Options withLastAppliedRevision(long revision) {
      return new Options(revision, connectTimeout, name);
    }

    public Options withConnectTimeout(Duration d) {
      return new Options(lastAppliedRevision, d, name);
    }

    public Options withName(String n) {
      return new Options(lastAppliedRevision, connectTimeout, n);
    }
  }

  private static final Duration POLL = Duration.ofMillis(200);

  private final KafkaConsumer<String, byte[]> consumer;
  private final KafkaSettings kafka;
  private final Options options;
  private final ImagePublisher publisher;
  private final Thread thread;
  private final Object lock = new Object();
  private volatile ClusterImage image = ClusterImage.EMPTY;
  private volatile boolean synced;
  private volatile boolean closing;
  private volatile Throwable failure;

  private Subscriber(KafkaConsumer<String, byte[]> consumer, KafkaSettings kafka, Options options,
      ImagePublisher publisher) {
    this.consumer = consumer;
    this.kafka = kafka;
    this.options = options;
    this.publisher = publisher;
    this.thread = new Thread(this::run, options.name());
    this.thread.setDaemon(true);
  }

  /**
   * Connects and starts following on a new thread.
   *
   * @throws ChangeLogUnavailableException when Kafka does not answer within the connect timeout
   */
  public static Subscriber start(KafkaSettings kafka, Options options, ImagePublisher publisher) {
    KafkaConsumer<String, byte[]> c = ChangeLogConsumer.open(kafka, options.connectTimeout(), options.name(), false);
    Subscriber s = new Subscriber(c, kafka, options, publisher);
    s.thread.start();
    return s;
  }

  /** The latest complete image (EMPTY until {@code calico.state} is loaded). */
  public ClusterImage image() {
    return image;
  }

  /** Whether {@code calico.state} has been loaded. */
  public boolean synced() {
    return synced;
  }

  public Optional<Throwable> failure() {
    return Optional.ofNullable(failure);
  }

  /**
   * Waits until the image has reached {@code revision} (and is synced).
   *
   * @throws TimeoutException if it has not within {@code timeout}
   * @throws IllegalStateException if the subscriber failed or was closed meanwhile
   */
  public ClusterImage awaitRevision(long revision, Duration timeout) throws TimeoutException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (true) {
        ClusterImage img = image;
        if (synced && img.revision() >= revision) {
          return img;
        }
        if (failure != null) {
          throw new IllegalStateException("subscriber failed: " + failure.getMessage(), failure);
        }
        if (closing) {
          throw new IllegalStateException("subscriber closed");
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new TimeoutException("subscriber at revision " + img.revision() + (synced ? "" : " (not synced)")
              + " did not reach revision " + revision + " within " + timeout);
        }
        lock.wait(Math.max(1, left / 1_000_000));
      }
    }
  }

  private void run() {
    try {
      Position pos = bootstrap();
      follow(pos.getNextChangesOffset());
    } catch (WakeupException | InterruptException e) {
      if (!closing) {
        fail(e);
      }
    } catch (Throwable t) {
      if (!closing) {
        fail(t);
      }
    } finally {
      try {
        consumer.close(Duration.ofSeconds(5));
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.DEBUG, "closing the change-log consumer", e);
      }
      signal();
    }
  }

  private void fail(Throwable t) {
    failure = t;
    LOG.log(System.Logger.Level.ERROR, "subscriber " + options.name() + " stopped: " + t.getMessage(), t);
    try {
      publisher.onFailure(t);
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.ERROR, "onFailure threw", e);
    }
  }

  private void awaitTopics() {
    long waited = 0;
    while (!closing && !ChangeLogConsumer.missingTopics(consumer, options.connectTimeout()).isEmpty()) {
      if (waited % 30_000 == 0) {
        LOG.log(System.Logger.Level.WARNING, "waiting for the change-log topics on " + kafka.bootstrapServers()
            + " (has a journal published yet?)");
      }
      try {
        Thread.sleep(500);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptException(e);
      }
      waited += 500;
    }
  }

  /** Reads calico.state to its end into the first image; returns the journal's position. */
  private Position bootstrap() {
    awaitTopics();
    TopicPartition tp = new TopicPartition(ChangeLog.STATE, 0);
    consumer.assign(List.of(tp));
    consumer.seekToBeginning(List.of(tp));
    long end = consumer.endOffsets(List.of(tp)).get(tp);
    Position pos = Position.getDefaultInstance();
    List<ChangeEvent> state = new java.util.ArrayList<>();
    while (consumer.position(tp) < end) {
      for (ConsumerRecord<String, byte[]> r : consumer.poll(POLL)) {
        if (r.offset() >= end) {
          break;
        }
        if (ChangeRecords.isPosition(r)) {
          pos = ChangeRecords.position(r);
        } else {
          state.add(ChangeRecords.event(r));
        }
      }
    }
    ClusterDelta snap = ClusterDelta.snapshot(ClusterImage.EMPTY, pos.getRevision());
    snap.replayAll(state);
    ClusterImage first = snap.apply();
    if (first.revision() > options.lastAppliedRevision()) {
      publisher.onUpdate(snap, first);
    }
    publish(first);
    synced = true;
    publisher.onSynced(first);
    signal();
    LOG.log(System.Logger.Level.INFO, "subscriber " + options.name() + " loaded calico.state at revision "
        + pos.getRevision() + " (" + first.size() + " keys); following calico.changes from offset "
        + pos.getNextChangesOffset());
    return pos;
  }

  private void follow(long fromOffset) {
    TopicPartition tp = new TopicPartition(ChangeLog.CHANGES, 0);
    consumer.assign(List.of(tp));
    consumer.seek(tp, fromOffset);
    RevisionAssembler groups = new RevisionAssembler(image.revision());
    while (!closing) {
      ConsumerRecords<String, byte[]> records = consumer.poll(POLL);
      for (ConsumerRecord<String, byte[]> r : records) {
        List<ChangeEvent> group = groups.offer(ChangeRecords.event(r), r.offset());
        if (group != null) {
          deliver(group);
        }
      }
    }
  }

  private void deliver(List<ChangeEvent> group) {
    ClusterDelta delta = new ClusterDelta(image);
    delta.replayAll(group);
    ClusterImage next = delta.apply();
    if (next.revision() > options.lastAppliedRevision()) {
      publisher.onUpdate(delta, next);
    }
    publish(next);
  }

  private void publish(ClusterImage next) {
    image = next;
    signal();
  }

  private void signal() {
    synchronized (lock) {
      lock.notifyAll();
    }
  }

  /** Stops the thread (waiting for an {@code onUpdate} in progress) and closes the consumer. Idempotent. */
  @Override
  public void close() {
    closing = true;
    consumer.wakeup();
    if (Thread.currentThread() != thread) {
      try {
        thread.join(30_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    signal();
  }
}
