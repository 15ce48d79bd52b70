package org.calicoledger.bench;

import com.google.protobuf.ByteString;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.calicoledger.events.ChangeLog;
import org.calicoledger.events.KafkaSettings;
import org.calicoledger.events.history.ChangeHistory;
import org.calicoledger.events.image.ClusterImage;
import org.calicoledger.events.kafka.EmbeddedKafka;
import org.calicoledger.events.proto.ChangeEvent;
import org.calicoledger.events.proto.Operation;
import org.calicoledger.store.Keys;
import org.calicoledger.store.testing.EtcdProcess;

/**
 * Replay: events per second folded into a {@link ClusterImage} from a 1,000,000-event calico.changes (what
 * {@code calicoctl replay} and a subscriber's catch-up do: read, parse, fold, apply), against a raw Kafka consumer
 * reading the same records with the same client settings and doing nothing with them. Rounds alternate; medians.
 *
 * <p>The topic is written as the journal writes it (transactions of whole revisions, 10,000 events each), with a
 * cluster's mix of keys: workload endpoints, IPAM blocks and handles, nodes, affinities, pools; updates carry their
 * previous value. The folded image is checked against the live keys the generator expects.
 */
final class ReplayBench implements Benchmark {
  private static final int EVENTS = 1_000_000;
  private static final int ROUNDS = 3;

  @Override
  public String name() {
    return "replay";
  }

  @Override
  public List<Row> run() throws Exception {
    Path dir = Files.createTempDirectory("bench-replay-kafka");
    try (EmbeddedKafka broker = EmbeddedKafka.start(dir, "127.0.0.1", EtcdProcess.freePort(), EtcdProcess.freePort())) {
      KafkaSettings kafka = KafkaSettings.of(broker.bootstrapServers());
      try (Admin admin = Admin.create(kafka.admin())) {
        ChangeLog.ensureTopics(admin);
      }
      long t0 = System.nanoTime();
      int live = write(kafka);
      System.err.printf("  wrote %,d events in %.1f s (%,d live keys)%n", EVENTS, (System.nanoTime() - t0) / 1e9, live);
      fold(kafka, live);
      raw(kafka); // warm both paths
      List<Double> ours = new ArrayList<>();
      List<Double> anchor = new ArrayList<>();
      for (int r = 0; r < ROUNDS; r++) {
        anchor.add(raw(kafka));
        ours.add(fold(kafka, live));
        System.err.printf("  round %d: fold %,.0f events/s, raw %,.0f records/s%n", r + 1, ours.get(r), anchor.get(r));
      }
      return List.of(Row.of("replay: events folded into a ClusterImage from a 1M-event topic vs raw consumer, events/s",
          Stats.median(ours), Stats.median(anchor), "events/s", Row.Goal.ratioAtLeast(0.5)));
    } finally {
      try (var walk = Files.walk(dir)) {
        walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /** Everything up to the end, through the history reader; returns events/s. */
  private static double fold(KafkaSettings kafka, int live) {
    long t0 = System.nanoTime();
    ClusterImage img;
    try (ChangeHistory h = ChangeHistory.open(kafka, Duration.ofSeconds(30))) {
      img = h.imageAt(null);
    }
    double secs = (System.nanoTime() - t0) / 1e9;
    if (img.size() != live) {
      throw new IllegalStateException("the folded image holds " + img.size() + " keys, the generator left " + live);
    }
    return EVENTS / secs;
  }

  /** A consumer with the reader's settings that only counts records and bytes; returns records/s. */
  private static double raw(KafkaSettings kafka) {
    long t0 = System.nanoTime();
    long records = 0;
    long bytes = 0;
    TopicPartition tp = new TopicPartition(ChangeLog.CHANGES, 0);
    try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(kafka.reader())) {
      c.assign(List.of(tp));
      c.seekToBeginning(List.of(tp));
      long end = c.endOffsets(List.of(tp)).get(tp);
      while (c.position(tp) < end) {
        for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(25))) {
          records++;
          bytes += r.value().length + r.key().length();
        }
      }
    }
    double secs = (System.nanoTime() - t0) / 1e9;
    if (records != EVENTS || bytes == 0) {
      throw new IllegalStateException("the raw consumer read " + records + " records, expected " + EVENTS);
    }
    return records / secs;
  }

  /** Writes the history; returns how many keys are live at its end. */
  private static int write(KafkaSettings kafka) {
    Random rnd = new Random(42);
    Map<String, ByteString> state = new HashMap<>();
    try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(kafka.transactionalProducer())) {
      p.initTransactions();
      long revision = 1;
      long time = System.currentTimeMillis() - 3_600_000;
      int written = 0;
      int inTxn = 0;
      p.beginTransaction();
      while (written < EVENTS) {
        revision++;
        int count = Math.min(1 + rnd.nextInt(3), EVENTS - written);
        List<String> keys = new ArrayList<>();
        while (keys.size() < count) {
          String k = key(rnd);
          if (!keys.contains(k)) {
            keys.add(k);
          }
        }
        for (int pos = 0; pos < count; pos++) {
          String key = keys.get(pos);
          ByteString prev = state.get(key);
          boolean delete = prev != null && rnd.nextInt(20) == 0;
          ChangeEvent.Builder b = ChangeEvent.newBuilder().setRevision(revision).setPosition(pos).setCount(count)
              .setKey(key).setOperation(delete ? Operation.DELETE : Operation.PUT).setObservedTimeMs(time)
              .setActor("bench@host").setReason("bench");
          Keys.parse(key).ifPresent(rk -> b.setKind(rk.kind().kindName()).setName(rk.name())
              .setNamespace(rk.namespace() == null ? "" : rk.namespace()));
          if (prev != null) {
            b.setPrevValue(prev);
          }
          if (delete) {
            state.remove(key);
          } else {
            ByteString value = ByteString.copyFromUtf8(value(key, revision));
            b.setValue(value);
            state.put(key, value);
          }
          p.send(new ProducerRecord<>(ChangeLog.CHANGES, 0, time, key, b.build().toByteArray()));
        }
        written += count;
        inTxn += count;
        time += 1;
        if (inTxn >= 10_000) {
          p.commitTransaction();
          p.beginTransaction();
          inTxn = 0;
        }
      }
      p.commitTransaction();
    }
    return state.size();
  }

  private static String key(Random rnd) {
    int f = rnd.nextInt(100);
    if (f < 40) {
      int i = rnd.nextInt(20_000);
      return Keys.RESOURCES + "workloadendpoints/ns-" + (i % 50) + "/node--" + (i % 500) + "-k8s-pod--" + i + "-eth0";
    }
    if (f < 65) {
      int i = rnd.nextInt(2_000);
      return "/calico/ipam/v2/assignment/ipv4/block/10." + (i / 4) + "." + (i % 4 * 64) + ".0-26";
    }
    if (f < 80) {
      return "/calico/ipam/v2/handle/k8s-pod-network." + Integer.toHexString(rnd.nextInt(20_000) * 7919);
    }
    if (f < 90) {
      return Keys.RESOURCES + "nodes/node-" + rnd.nextInt(500);
    }
    if (f < 95) {
      int i = rnd.nextInt(2_000);
      return "/calico/ipam/v2/host/node-" + (i % 500) + "/ipv4/block/10." + (i / 4) + "." + (i % 4 * 64) + ".0-26";
    }
    return Keys.RESOURCES + "ippools/pool-" + rnd.nextInt(10);
  }

  private static String value(String key, long revision) {
    if (key.contains("/workloadendpoints/")) {
      String name = key.substring(key.lastIndexOf('/') + 1);
      return "{\"kind\":\"WorkloadEndpoint\",\"apiVersion\":\"projectcalico.org/v3\",\"metadata\":{\"name\":\"" + name
          + "\",\"namespace\":\"ns\",\"uid\":\"" + revision + "\"},\"spec\":{\"orchestrator\":\"k8s\",\"node\":\"node\","
          + "\"pod\":\"pod\",\"endpoint\":\"eth0\",\"ipNetworks\":[\"10.0." + (revision % 250) + ".1/32\"],"
          + "\"profiles\":[\"kns.ns\"],\"interfaceName\":\"cali0123456789a\"}}";
    }
    if (key.contains("/assignment/")) {
      StringBuilder a = new StringBuilder();
      for (int i = 0; i < 64; i++) {
        a.append(i > 0 ? "," : "").append(i < revision % 64 ? "0" : "null");
      }
      return "{\"cidr\":\"10.0.0.0/26\",\"affinity\":\"host:node\",\"allocations\":[" + a + "],\"unallocated\":[],"
          + "\"attributes\":[{\"handle_id\":\"h\",\"secondary\":null}],\"sequenceNumber\":" + revision + ",\"deleted\":false}";
    }
    if (key.contains("/handle/")) {
      return "{\"block\":{\"10.0.0.0/26\":" + (revision % 5 + 1) + "},\"deleted\":false}";
    }
    if (key.contains("/nodes/")) {
      return "{\"kind\":\"Node\",\"apiVersion\":\"projectcalico.org/v3\",\"metadata\":{\"name\":\"n\"},\"spec\":{\"bgp\":"
          + "{\"ipv4Address\":\"192.168.0." + (revision % 250) + "/24\"}}}";
    }
    if (key.contains("/host/")) {
      return "{\"state\":\"confirmed\",\"deleted\":false}";
    }
    return "{\"kind\":\"IPPool\",\"apiVersion\":\"projectcalico.org/v3\",\"metadata\":{\"name\":\"p\"},\"spec\":{\"cidr\":"
        + "\"10." + (revision % 200) + ".0.0/16\",\"natOutgoing\":true,\"blockSize\":26}}";
  }
}
