package org.calicoledger.hooks;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.calicoledger.events.ChangeLog;
import org.calicoledger.events.KafkaSettings;
import org.calicoledger.events.subscriber.ChangeLogConsumer;
import org.calicoledger.events.subscriber.ChangeLogUnavailableException;

/**
 * How many events of calico.changes each hook has yet to handle: the committed events from its position to the end
 * of the log, counted (Kafka offsets also number transaction markers, so their difference would overstate it).
 * Counting stops at {@value #CAP} per hook, reported as {@code -(CAP)}: "more than". Bounded by the timeout.
 */
public final class HookLag {
  public static final long CAP = 100_000;

  private HookLag() {}

  /**
   * Events after each position ({@code hook -> offset}); a negative offset (not started) is left out.
   *
   * @throws ChangeLogUnavailableException when Kafka does not answer within {@code timeout}
   */
  public static Map<String, Long> count(KafkaSettings kafka, Duration timeout, Map<String, Long> positions) {
    TopicPartition tp = new TopicPartition(ChangeLog.CHANGES, 0);
    Map<String, Long> out = new HashMap<>();
    try (KafkaConsumer<String, byte[]> c = ChangeLogConsumer.open(kafka, timeout, "calicoctl-hook-lag", true)) {
      c.assign(List.of(tp));
      long end = c.endOffsets(List.of(tp), timeout).get(tp);
      for (var e : positions.entrySet()) {
        if (e.getValue() < 0) {
          continue;
        }
        out.put(e.getKey(), events(c, tp, e.getValue(), end, timeout, kafka.bootstrapServers()));
      }
    } catch (org.apache.kafka.common.errors.TimeoutException e) {
      throw ChangeLogUnavailableException.unreachable(kafka.bootstrapServers(), timeout, e);
    }
    return out;
  }

  private static long events(KafkaConsumer<String, byte[]> c, TopicPartition tp, long from, long end,
      Duration timeout, String bootstrap) {
    if (from >= end) {
      return 0;
    }
    c.seek(tp, from);
    long n = 0;
    long deadline = System.nanoTime() + timeout.toNanos();
    while (c.position(tp, timeout) < end) {
      for (var r : c.poll(Duration.ofMillis(50)).records(tp)) {
        if (r.offset() < end) {
          n++;
        }
      }
      if (n >= CAP) {
        return -CAP;
      }
      if (System.nanoTime() > deadline) {
        throw ChangeLogUnavailableException.unreachable(bootstrap, timeout,
            new IllegalStateException("no progress counting events after offset " + from));
      }
    }
    return n;
  }
}
