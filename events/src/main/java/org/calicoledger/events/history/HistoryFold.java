package org.calicoledger.events.history;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.calicoledger.events.image.ClusterDelta;
import org.calicoledger.events.image.ClusterImage;
import org.calicoledger.events.subscriber.ChangeRecords;

/**
 * Folds batches of calico.changes records into the images at several revision bounds, on its own thread, so that
 * reading (the consumer's fetching and record decoding, on the caller's thread) and folding overlap.
 *
 * <p>The caller {@link #offer}s batches in offset order and then calls {@link #finish}; the fold thread alone touches
 * the deltas and images. The handoff queue is short, so a fold that falls behind slows the reader instead of filling the
 * heap. Once the last bound is passed the fold is {@link #done()} and the caller stops reading; a failure on the fold
 * thread (a corrupt record) also ends it and is rethrown by {@link #finish}.
 */
final class HistoryFold {
  /** Events folded into one delta before it is applied: bounds the delta's memory (distinct keys), not the result. */
  private static final int FOLD_BATCH = 500_000;
  private static final List<ConsumerRecord<String, byte[]>> END = List.of();

  private final long[] sorted;
  private final ClusterImage[] atSorted;
  private final BlockingQueue<List<ConsumerRecord<String, byte[]>>> queue = new ArrayBlockingQueue<>(4);
  private final Thread thread;
  private volatile boolean done;
  private volatile RuntimeException failure;
  private ClusterImage image = ClusterImage.EMPTY;
  private ClusterDelta delta = new ClusterDelta(ClusterImage.EMPTY);
  private int next;
  private int inDelta;

  /** Starts folding toward {@code sorted} (inclusive revision bounds, ascending). */
  HistoryFold(long[] sorted) {
    this.sorted = sorted;
    this.atSorted = new ClusterImage[sorted.length];
    this.thread = new Thread(this::run, "calico-history-fold");
    this.thread.setDaemon(true);
    this.thread.start();
  }

  /** Whether every bound has been passed (or the fold failed): reading on is pointless. */
  boolean done() {
    return done;
  }

  /** Hands a batch to the fold thread, waiting while the queue is full. */
  void offer(List<ConsumerRecord<String, byte[]>> batch) {
    try {
      while (!done && !queue.offer(batch, 100, TimeUnit.MILLISECONDS)) {
        // the fold is behind: wait for it (or for it to finish)
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reading history", e);
    }
  }

  /** Ends the input, waits for the fold, and returns the image at each bound, in {@code sorted} order. */
  ClusterImage[] finish() {
    try {
      while (thread.isAlive() && !queue.offer(END, 100, TimeUnit.MILLISECONDS)) {
        // the fold drains the queue until END, even once done
      }
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while folding history", e);
    }
    if (failure != null) {
      throw failure;
    }
    return atSorted;
  }

  /** Stops the fold thread without a result (the reader failed). */
  void abandon() {
    done = true;
    thread.interrupt();
  }

  private void run() {
    try {
      while (true) {
        List<ConsumerRecord<String, byte[]>> batch = queue.take();
        if (batch == END) {
          break;
        }
        if (!done) {
          fold(batch);
        }
      }
      image = delta.apply();
      while (next < sorted.length) {
        atSorted[next++] = image;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      failure = e;
    } finally {
      done = true;
    }
  }

  private void fold(List<ConsumerRecord<String, byte[]>> batch) {
    for (ConsumerRecord<String, byte[]> r : batch) {
      ChangeRecords.Essentials e = ChangeRecords.essentials(r);
      while (next < sorted.length && e.revision() > sorted[next]) {
        image = delta.apply();
        delta = new ClusterDelta(image);
        inDelta = 0;
        atSorted[next++] = image;
      }
      if (next == sorted.length) {
        done = true;
        return;
      }
      delta.replay(e.revision(), e.position(), e.count(), r.key(), e.operation(), e.value());
      if (++inDelta >= FOLD_BATCH) {
        image = delta.apply();
        delta = new ClusterDelta(image);
        inDelta = 0;
      }
    }
  }

  @Override
  public String toString() {
    return "fold to " + Arrays.toString(sorted) + " at bound " + next;
  }
}
