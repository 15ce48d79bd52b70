package org.calicoledger.events.subscriber;

import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.errors.InterruptException;
import org.calicoledger.events.ChangeLog;
import org.calicoledger.events.KafkaSettings;

/**
 * Opens a read-committed, group-less consumer of the change log and proves within a bounded time that Kafka answers,
 * so that an unreachable broker is a clear {@link ChangeLogUnavailableException} instead of a client that retries
 * silently forever.
 */
public final class ChangeLogConsumer {
  private ChangeLogConsumer() {}

  /**
   * A connected consumer. With {@code requireTopics}, both change-log topics must exist.
   *
   * @throws ChangeLogUnavailableException when Kafka does not answer within {@code timeout} or a topic is missing
   */
  public static KafkaConsumer<String, byte[]> open(KafkaSettings kafka, Duration timeout, String clientId,
      boolean requireTopics) {
    return open(kafka, timeout, clientId, requireTopics, new Properties());
  }

  /** As {@link #open(KafkaSettings, Duration, String, boolean)}, with client properties that override the reader's. */
  public static KafkaConsumer<String, byte[]> open(KafkaSettings kafka, Duration timeout, String clientId,
      boolean requireTopics, Properties overrides) {
    Properties p = kafka.reader();
    p.putAll(overrides);
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
    p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Long.toString(Math.max(1, timeout.toMillis())));
    p.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(Math.max(1, Math.min(10_000, timeout.toMillis()))));
    KafkaConsumer<String, byte[]> consumer;
    try {
      consumer = new KafkaConsumer<>(p);
    } catch (KafkaException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw ChangeLogUnavailableException.unreachable(kafka.bootstrapServers(), timeout, cause);
    }
    try {
      Set<String> missing = missingTopics(consumer, timeout);
      if (requireTopics && !missing.isEmpty()) {
        throw ChangeLogUnavailableException.missingTopic(kafka.bootstrapServers(), missing.iterator().next());
      }
      return consumer;
    } catch (InterruptException e) {
      consumer.close(Duration.ZERO);
      throw e;
    } catch (KafkaException e) {
      consumer.close(Duration.ZERO);
      throw ChangeLogUnavailableException.unreachable(kafka.bootstrapServers(), timeout, e);
    } catch (RuntimeException e) {
      consumer.close(Duration.ZERO);
      throw e;
    }
  }

  /** The change-log topics Kafka does not have (empty when both exist). */
  static Set<String> missingTopics(KafkaConsumer<String, byte[]> consumer, Duration timeout) {
    Map<String, java.util.List<PartitionInfo>> topics = consumer.listTopics(timeout);
    java.util.Set<String> missing = new java.util.TreeSet<>(Set.of(ChangeLog.CHANGES, ChangeLog.STATE));
    missing.removeAll(topics.keySet());
    return missing;
  }
}
