package org.calicoledger.hooks;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.calicoledger.events.KafkaSettings;
import org.calicoledger.model.ResourceCodec;

/**
 * The dead-letter topic {@value #TOPIC}: one record per event a hook gave up on after its last attempt, keyed by the
 * hook's name, with headers {@code hook} and {@code revision} and a JSON value {@code {hook, error, attempts, time,
 * event}} ({@code event} as the hook would have received it). Kept 30 days. {@link #send} returns only once Kafka
 * acknowledged the record, so a hook moves past an event only when its dead letter is safe. Thread-safe (one
 * idempotent producer shared by every worker).
 */
final class DeadLetters implements AutoCloseable {
  static final String TOPIC = "calico.hooks.dead";
  private static final long RETENTION_MS = 30L * 24 * 3600 * 1000;

  private final KafkaProducer<String, byte[]> producer;
  private final long timeoutMs;

  DeadLetters(KafkaSettings kafka, java.time.Duration timeout) {
    Properties p = kafka.admin();
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(timeout.toMillis()));
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Long.toString(Math.max(timeout.toMillis(), 10_000)));
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(Math.min(timeout.toMillis(), 10_000)));
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.remove("default.api.timeout.ms");
    this.producer = new KafkaProducer<>(p);
    this.timeoutMs = Math.max(timeout.toMillis(), 10_000) + 1000;
  }

  /** Creates the topic when missing. */
  static void ensureTopic(Admin admin) throws InterruptedException {
    try {
      if (!admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(TOPIC)) {
        admin.createTopics(List.of(new NewTopic(TOPIC, Optional.of(1), Optional.empty())
            .configs(Map.of("retention.ms", Long.toString(RETENTION_MS))))).all().get(30, TimeUnit.SECONDS);
      }
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw new IllegalStateException("cannot create " + TOPIC + ": " + e.getCause().getMessage(), e.getCause());
      }
    } catch (TimeoutException e) {
      throw new IllegalStateException("Kafka did not answer within 30s while creating " + TOPIC, e);
    }
  }

  static byte[] value(String hook, HookEvent event, String error, int attempts) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("hook", hook);
    o.put("error", error);
    o.put("attempts", attempts);
    o.put("time", Instant.now().toString());
    o.set("event", event.json(hook));
    return ResourceCodec.compact(o).getBytes(StandardCharsets.UTF_8);
  }

  /** Sends one dead letter and waits for Kafka's acknowledgement; throws if it is not acknowledged in time. */
  void send(String hook, HookEvent event, String error, int attempts) throws InterruptedException {
    ProducerRecord<String, byte[]> r = new ProducerRecord<>(TOPIC, hook, value(hook, event, error, attempts));
    r.headers().add(new RecordHeader("hook", hook.getBytes(StandardCharsets.UTF_8)));
    r.headers().add(new RecordHeader("revision", Long.toString(event.revision()).getBytes(StandardCharsets.UTF_8)));
    try {
      producer.send(r).get(timeoutMs, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot write the dead letter of " + hook + " revision " + event.revision()
          + " to " + TOPIC + ": " + e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("Kafka did not acknowledge the dead letter of " + hook + " revision "
          + event.revision() + " within " + timeoutMs + "ms", e);
    }
  }

  @Override
  public void close() {
    producer.close(java.time.Duration.ofSeconds(5));
  }
}
