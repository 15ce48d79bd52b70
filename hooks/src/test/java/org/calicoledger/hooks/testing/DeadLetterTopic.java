package org.calicoledger.hooks.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.calicoledger.events.KafkaSettings;
import org.calicoledger.model.ResourceCodec;

/** Reads calico.hooks.dead from its beginning, for tests: every dead letter's JSON value, in order. */
public final class DeadLetterTopic {
  public static final String TOPIC = "calico.hooks.dead";

  private DeadLetterTopic() {}

  public static List<JsonNode> read(KafkaSettings kafka) {
    Properties p = kafka.reader();
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    TopicPartition tp = new TopicPartition(TOPIC, 0);
    List<JsonNode> out = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p)) {
      if (!c.listTopics(Duration.ofSeconds(10)).containsKey(TOPIC)) {
        return out;
      }
      c.assign(List.of(tp));
      c.seekToBeginning(List.of(tp));
      long end = c.endOffsets(List.of(tp)).get(tp);
      while (c.position(tp) < end) {
        c.poll(Duration.ofMillis(100)).forEach(r -> out.add(ResourceCodec.readTree(r.value())));
      }
    }
    return out;
  }

  /** The dead letters of {@code hook}, waiting until {@code done} holds for them or failing after {@code timeout}. */
  public static List<JsonNode> await(KafkaSettings kafka, String hook, Predicate<List<JsonNode>> done,
      Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      List<JsonNode> mine = read(kafka).stream().filter(j -> j.path("hook").asText().equals(hook)).toList();
      if (done.test(mine)) {
        return mine;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("dead letters of " + hook + " after " + timeout + ": " + mine);
      }
      Thread.sleep(100);
    }
  }
}
