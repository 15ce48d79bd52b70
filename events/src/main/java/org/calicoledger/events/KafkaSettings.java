package org.calicoledger.events;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.calicoledger.model.GoDuration;

/**
 * How to reach Kafka: {@code KAFKA_BOOTSTRAP_SERVERS}, plus any client property passed through for TLS or SASL, either
 * from a properties file ({@code KAFKA_CLIENT_PROPERTIES=/path}) or one variable per property
 * ({@code KAFKA_CLIENT_SECURITY_PROTOCOL=SSL} becomes {@code security.protocol=SSL}).
 */
public record KafkaSettings(String bootstrapServers, Properties passthrough) {
  public static final String DEFAULT_BOOTSTRAP = "127.0.0.1:9092";

  public static KafkaSettings of(String bootstrapServers) {
    return new KafkaSettings(bootstrapServers, new Properties());
  }

  public static KafkaSettings fromEnvironment(Map<String, String> env) {
    String bootstrap = env.getOrDefault("KAFKA_BOOTSTRAP_SERVERS", "");
    if (bootstrap.isBlank()) {
      bootstrap = DEFAULT_BOOTSTRAP;
    }
    Properties extra = new Properties();
    String file = env.get("KAFKA_CLIENT_PROPERTIES");
    if (file != null && !file.isBlank()) {
      try (Reader r = Files.newBufferedReader(Path.of(file))) {
        extra.load(r);
      } catch (IOException e) {
        throw new IllegalArgumentException("cannot read KAFKA_CLIENT_PROPERTIES file " + file + ": " + e.getMessage(), e);
      }
    }
    env.forEach((k, v) -> {
      if (k.startsWith("KAFKA_CLIENT_") && !k.equals("KAFKA_CLIENT_PROPERTIES")) {
        extra.put(k.substring("KAFKA_CLIENT_".length()).toLowerCase(Locale.ROOT).replace('_', '.'), v);
      }
    });
    return new KafkaSettings(bootstrap.trim(), extra);
  }

  /**
   * How long a client of the change log waits for Kafka before it reports an error: {@code CALICO_KAFKA_TIMEOUT}, else
   * {@code KAFKA_TIMEOUT} (a Go duration such as {@code 10s} or {@code 1m30s}), else {@code dflt}.
   *
   * @throws IllegalArgumentException naming the variable and its value when it is not a positive duration
   */
  public static Duration timeout(Map<String, String> env, Duration dflt) {
    String t = env.getOrDefault("CALICO_KAFKA_TIMEOUT", env.get("KAFKA_TIMEOUT"));
    if (t == null || t.isBlank()) {
      return dflt;
    }
    try {
      Duration d = GoDuration.parse(t.trim());
      if (d.isZero() || d.isNegative()) {
        throw new IllegalArgumentException("must be positive");
      }
      return d;
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("KAFKA_TIMEOUT '" + t + "' is not a duration such as 10s or 1m30s", e);
    }
  }

  private Properties base() {
    Properties p = new Properties();
    p.putAll(passthrough);
    p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    return p;
  }

  public Properties admin() {
    Properties p = base();
    p.put(CommonClientConfigs.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
    p.put(CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, "10000");
    return p;
  }

  /** The journal's transactional producer: idempotent, acks from all replicas, fenced by the fixed id. */
  public Properties transactionalProducer() {
    Properties p = base();
    p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, ChangeLog.TRANSACTIONAL_ID);
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024));
    p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, "30000");
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "30000");
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    return p;
  }

  /** A consumer of committed records only, without a group (positions are managed by the reader). */
  public Properties reader() {
    Properties p = base();
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "10000");
    // Committed records of a transaction become visible when its marker lands, which need not wake a waiting fetch:
    // bound the wait, so a subscriber sees a commit within milliseconds rather than up to the default half second.
    p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "10");
    p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, Integer.toString(64 * 1024 * 1024));
    p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(16 * 1024 * 1024));
    p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
    p.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    return p;
  }
}
