package org.calicoledger.lab;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The high-availability infra under failure: 3 etcd members, 3 Kafka nodes and 2 journals ({@link HaInfra}) in a
 * namespace this test creates ({@code ha-<pid>-infra}). While {@code calicoctl apply} keeps writing (each write a new
 * Profile, so each is one etcd revision), one etcd member, one Kafka broker and the leading journal are killed with
 * SIGKILL, one after another. Afterwards the change log ({@code calicoctl history -o json}) holds exactly etcd's
 * writes: every Profile key at its etcd revision, once; none missing, none duplicated, revisions in order.
 * The processes' logs are kept in {@code lab/target/ha-logs/}.
 */
class HaIT {
  private static final String PREFIX = "ha-" + ProcessHandle.current().pid() + "-";
  private static final String KIND_PREFIX = "/calico/resources/v3/projectcalico.org/profiles/";
  private static final ObjectMapper JSON = new ObjectMapper();

  private Host host;
  private HaInfra infra;
  private String ns;
  private Path dir;

  @BeforeEach
  void start() {
    host = new Host();
    ns = PREFIX + "infra";
    Host.deleteNamespace(ns); // a leftover of a crashed run of this JVM id
    host.addNamespace(ns);
    dir = host.tempDir(PREFIX);
    infra = HaInfra.start(host, ns, dir);
  }

  @AfterEach
  void stop() throws Exception {
    try {
      if (infra != null) {
        Path logs = Path.of("target/ha-logs");
        Files.createDirectories(logs);
        for (Host.Proc p : infra.processes()) {
          Files.writeString(logs.resolve(p.name + ".log"), p.logText());
        }
        infra.close();
      }
    } finally {
      host.close();
    }
  }

  @Test
  void noChangeIsLostOrRepeatedWhenAnEtcdMemberABrokerAndTheLeadingJournalDie() throws Exception {
    List<String> acknowledged = Collections.synchronizedList(new ArrayList<>());
    List<String> failed = Collections.synchronizedList(new ArrayList<>());
    AtomicBoolean writing = new AtomicBoolean(true);
    AtomicInteger seq = new AtomicInteger();
    Thread writer = new Thread(() -> {
      while (writing.get()) {
        String name = "ha-" + seq.incrementAndGet();
        Host.Result r = calicoctl("apiVersion: projectcalico.org/v3\nkind: Profile\nmetadata:\n  name: " + name
            + "\n  labels:\n    seq: \"" + seq.get() + "\"\nspec: {}\n", "apply", "-f", "-");
        (r.ok() ? acknowledged : failed).add(name + (r.ok() ? "" : ": " + r.text()));
      }
    }, "ha-writer");
    writer.start();
    String dead;
    try {
      awaitWrites(acknowledged, 5);
      // the journal created both topics once all three brokers served: a replica of each on every node
      for (int i = 1; i <= 3; i++) {
        for (String topic : List.of("calico.changes-0", "calico.state-0")) {
          assertThat(dir.resolve("kafka-" + i + "/logs/" + topic)).as("replica on Kafka node %d", i).isDirectory();
        }
      }
      // each failure on its own: the change log catches up with every acknowledged write before the next one
      infra.killEtcdMember(1);
      assertThat(infra.processes().get(0).alive()).as("etcd member 1 killed").isFalse();
      awaitWrites(acknowledged, acknowledged.size() + 5);
      awaitLogged(acknowledged, "after etcd member 1 died");
      infra.killBroker(2);
      assertThat(infra.processes().get(4).alive()).as("Kafka node 2 killed").isFalse();
      awaitWrites(acknowledged, acknowledged.size() + 5);
      String before = infra.leader();
      awaitLogged(acknowledged, "after Kafka node 2 died");
      assertThat(infra.leader()).as("the same journal published through the broker's death").isEqualTo(before);
      dead = infra.killLeadingJournal();
      assertThat(infra.journals().get(dead).alive()).as("%s killed", dead).isFalse();
      awaitWrites(acknowledged, acknowledged.size() + 5);
      Host.await(Duration.ofSeconds(60), "the other journal leading after " + dead + " died",
          () -> infra.leader() != null && !infra.leader().equals(dead));
      awaitWrites(acknowledged, acknowledged.size() + 3);
    } finally {
      writing.set(false);
      writer.join(180_000);
    }
    System.out.println("HaIT: " + acknowledged.size() + " writes acknowledged, " + failed.size() + " failed " + failed
        + "; " + dead + " killed while leading, " + infra.leader() + " leads now");

    Map<String, Long> etcd = etcdRevisions();
    for (String name : acknowledged) {
      assertThat(etcd).as("acknowledged write %s is in etcd", name).containsKey(KIND_PREFIX + name);
    }
    List<JsonNode> history = new ArrayList<>();
    boolean complete = Host.poll(Duration.ofSeconds(90), () -> {
      history.clear();
      history.addAll(history());
      return logged(history).keySet().containsAll(etcd.keySet());
    });
    Map<String, Long> logged = logged(history);
    assertThat(complete).as("the change log caught up with etcd; missing: %s", missing(etcd, logged)).isTrue();
    assertThat(logged).as("every write at its etcd revision").isEqualTo(etcd);
    List<String> pairs = history.stream().map(h -> h.path("revision").asLong() + " " + h.path("key").asText()).toList();
    assertThat(pairs).as("no change logged twice").doesNotHaveDuplicates();
    List<Long> revisions = history.stream().map(h -> h.path("revision").asLong()).toList();
    assertThat(revisions).as("change log in etcd order").isSorted();
    assertThat(history).as("no resync: nothing was compacted").noneMatch(h -> h.path("resync").asBoolean());
    System.out.println("HaIT: " + logged.size() + " profile writes in the change log at their etcd revisions, "
        + history.size() + " history entries in all");
  }

  private void awaitWrites(List<String> acknowledged, int n) {
    Host.await(Duration.ofSeconds(120), n + " acknowledged writes (have " + acknowledged.size() + ")",
        () -> acknowledged.size() >= n);
  }

  /** Waits until the change log holds every write acknowledged so far. */
  private void awaitLogged(List<String> acknowledged, String when) {
    List<String> names;
    synchronized (acknowledged) {
      names = List.copyOf(acknowledged);
    }
    long t0 = System.nanoTime();
    Host.await(Duration.ofSeconds(90), "the change log holding all " + names.size() + " acknowledged writes " + when,
        () -> logged(history()).keySet().containsAll(names.stream().map(n -> KIND_PREFIX + n).toList()));
    System.out.println("HaIT: change log complete " + when + " (" + (System.nanoTime() - t0) / 1_000_000 + " ms)");
  }

  private Host.Result calicoctl(String stdin, String... args) {
    List<String> cmd = new ArrayList<>(List.of(Cluster.ROOT.resolve("bin/calicoctl").toString()));
    cmd.addAll(List.of(args));
    return Host.inNs(ns, Map.of("CALICO_NO_SETUP", "1", "ETCD_ENDPOINTS", infra.etcdEndpoints(),
        "KAFKA_BOOTSTRAP_SERVERS", infra.kafkaBootstrap(), "CALICO_ACTOR", "ha-writer"), stdin,
        Duration.ofSeconds(90), cmd.toArray(String[]::new));
  }

  /** Every Profile key in etcd with its mod revision (each was written once), from the surviving members. */
  private Map<String, Long> etcdRevisions() throws Exception {
    String endpoints = "http://" + HaInfra.address(2) + ":2379,http://" + HaInfra.address(3) + ":2379";
    Host.Result r = Host.inNs(ns, Map.of("ETCDCTL_API", "3"), null, Duration.ofSeconds(30), "etcdctl", "--endpoints",
        endpoints, "get", "--prefix", KIND_PREFIX, "-w", "json").orThrow();
    Map<String, Long> out = new TreeMap<>();
    for (JsonNode kv : JSON.readTree(r.out()).path("kvs")) {
      String key = new String(Base64.getDecoder().decode(kv.path("key").asText()), StandardCharsets.UTF_8);
      out.put(key, kv.path("mod_revision").asLong());
    }
    assertThat(out).as("profiles in etcd").isNotEmpty();
    return out;
  }

  private List<JsonNode> history() {
    Host.Result r = calicoctl(null, "history", "-o", "json");
    if (!r.ok()) {
      return List.of();
    }
    try {
      List<JsonNode> out = new ArrayList<>();
      JSON.readTree(r.out()).forEach(out::add);
      return out;
    } catch (Exception e) {
      throw new IllegalStateException("calicoctl history -o json printed no JSON: " + r.text(), e);
    }
  }

  /** Profile keys in the history with their revision; a key logged twice keeps its first. */
  private static Map<String, Long> logged(List<JsonNode> history) {
    Map<String, Long> out = new TreeMap<>();
    for (JsonNode h : history) {
      String key = h.path("key").asText();
      if (key.startsWith(KIND_PREFIX)) {
        out.putIfAbsent(key, h.path("revision").asLong());
      }
    }
    return out;
  }

  private static List<String> missing(Map<String, Long> etcd, Map<String, Long> logged) {
    return etcd.keySet().stream().filter(k -> !logged.containsKey(k)).toList();
  }
}
