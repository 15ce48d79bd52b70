package org.calicoledger.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.calicoledger.events.image.TestEvents.Op.delete;
import static org.calicoledger.events.image.TestEvents.Op.put;
import static org.calicoledger.events.image.TestEvents.pool;
import static org.calicoledger.events.image.TestEvents.poolKey;
import static org.calicoledger.events.image.TestEvents.wep;
import static org.calicoledger.events.image.TestEvents.wepKey;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.calicoledger.events.subscriber.TestBroker;
import org.calicoledger.events.subscriber.TestJournal;
import org.calicoledger.model.IPPool;
import org.calicoledger.model.ResourceCodec;
import org.calicoledger.store.testing.EtcdProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** calicoctl history, replay and diff in-process against a real broker holding a known change log. */
class ChangeLogCommandsIT {
  static final long T0 = Instant.parse("2026-11-26T09:00:00Z").toEpochMilli();
  static TestBroker broker;
  static long created;
  static long natOff;
  static long wepAdded;
  static long deleted;
  static long resynced;

  @BeforeAll
  static void writeHistory() {
    broker = TestBroker.start();
    broker.createTopics();
    try (TestJournal j = new TestJournal(broker.settings())) {
      j.at(T0).skip(10);
      created = j.by("alice@laptop", "first pools").write(put(poolKey("pool-a"), pool("pool-a", "10.1.0.0/16", true)),
          put(poolKey("pool-b"), pool("pool-b", "10.2.0.0/16", true)));
      natOff = j.by("bob@ci", "no NAT").write(put(poolKey("pool-a"), pool("pool-a", "10.1.0.0/16", false)));
      wepAdded = j.by("cni", "").write(put(wepKey("ns1", "pod-1"), wep("ns1", "pod-1", "10.1.0.5")));
      deleted = j.by("alice@laptop", "retire b").write(delete(poolKey("pool-b")));
      resynced = j.resync(true).by("", "").write(put(poolKey("pool-c"), pool("pool-c", "10.3.0.0/16", false)));
    }
  }

  @AfterAll
  static void stop() {
    if (broker != null) {
      broker.close();
    }
  }


  static CalicoctlRun run(Map<String, String> env, String... args) {
    return CalicoctlRun.of(env, args);
  }

  static CalicoctlRun run(String... args) {
    return run(Map.of("KAFKA_BOOTSTRAP_SERVERS", broker.bootstrap()), args);
  }

  @Test
  void historyShowsWhoWhatWhenWhyAndMarksResync() {
    CalicoctlRun r = run("history");
    assertThat(r.err()).isEmpty();
    assertThat(r.code()).isZero();
    List<String> lines = r.out().lines().toList();
    assertThat(lines.get(0)).startsWith("REVISION").contains("TIME", "ACTOR", "REASON", "OPERATION", "RESOURCE", "CHANGES");
    assertThat(lines).hasSize(7);
    assertThat(lines.get(1)).matches(created + " +2026-11-26T09:00:01Z +alice@laptop +first pools +create +IPPool\\(pool-a\\) +created");
    assertThat(lines.get(3)).matches(natOff + " +2026-11-26T09:00:02Z +bob@ci +no NAT +update +IPPool\\(pool-a\\) "
        + "+spec.natOutgoing: true -> false");
    assertThat(lines.get(4)).contains("WorkloadEndpoint(ns1/pod-1)", "create");
    assertThat(lines.get(5)).contains("delete", "IPPool(pool-b)", "deleted", "retire b");
    assertThat(lines.get(6)).contains("create (resync)", "IPPool(pool-c)");
  }

  @Test
  void historyFiltersByKindNameAndBounds() {
    CalicoctlRun byName = run("history", "ippool", "pool-a");
    assertThat(byName.out().lines().skip(1)).hasSize(2).allMatch(l -> l.contains("IPPool(pool-a)"));
    CalicoctlRun weps = run("history", "wep", "-n", "ns1");
    assertThat(weps.out().lines().skip(1)).singleElement().asString().contains("WorkloadEndpoint(ns1/pod-1)");
    CalicoctlRun revs = run("history", "--since", Long.toString(natOff), "--until", Long.toString(deleted));
    assertThat(revs.out().lines().skip(1).map(l -> l.split(" +")[0])).containsExactly(
        Long.toString(natOff), Long.toString(wepAdded), Long.toString(deleted));
    CalicoctlRun times = run("history", "--since", "2026-11-26T09:00:02Z", "--until", "2026-11-26T09:00:03.500Z");
    assertThat(times.out().lines().skip(1).map(l -> l.split(" +")[0])).containsExactly(
        Long.toString(natOff), Long.toString(wepAdded));
    CalicoctlRun recent = run("history", "--since", "10m");
    assertThat(recent.code()).isZero();
    assertThat(recent.out().lines()).hasSize(1); // the history was written in the past
  }

  @Test
  void historyAsJsonCarriesFieldChanges() {
    CalicoctlRun r = run("history", "ippools", "pool-a", "-o", "json");
    assertThat(r.code()).isZero();
    JsonNode arr = ResourceCodec.parseJson(r.out());
    assertThat(arr).hasSize(2);
    JsonNode update = arr.get(1);
    assertThat(update.path("revision").asLong()).isEqualTo(natOff);
    assertThat(update.path("actor").asText()).isEqualTo("bob@ci");
    assertThat(update.path("reason").asText()).isEqualTo("no NAT");
    assertThat(update.path("operation").asText()).isEqualTo("update");
    assertThat(update.path("resync").asBoolean()).isFalse();
    assertThat(update.path("time").asText()).isEqualTo("2026-11-26T09:00:02Z");
    assertThat(update.path("changes").toString())
        .isEqualTo("[{\"path\":\"spec.natOutgoing\",\"from\":true,\"to\":false}]");
    assertThat(run("history", "-o", "yaml").out()).contains("resync: true", "operation: delete");
  }

  @Test
  void replayPrintsTheStateAtARevisionOrTimeInGetForm() {
    CalicoctlRun before = run("replay", "--at", Long.toString(created), "ippools", "-o", "yaml");
    assertThat(before.code()).isZero();
    assertThat(before.out()).startsWith("apiVersion: projectcalico.org/v3\nitems:\n").contains("kind: IPPoolList",
        "resourceVersion: \"" + created + "\"", "name: pool-a", "name: pool-b", "natOutgoing: true");
    List<ResourceCodec.Document> docs = ResourceCodec.decodeAll(before.out(), "replay");
    assertThat(docs).extracting(d -> d.resource().name()).containsExactly("pool-a", "pool-b");
    assertThat(((IPPool) docs.get(0).resource()).metadata().resourceVersion()).isEqualTo(Long.toString(created));

    CalicoctlRun later = run("replay", "--at", "2026-11-26T09:00:04Z", "ippools", "-o", "json");
    JsonNode list = ResourceCodec.parseJson(later.out());
    assertThat(list.path("kind").asText()).isEqualTo("IPPoolList");
    assertThat(list.path("metadata").path("resourceVersion").asText()).isEqualTo(Long.toString(deleted));
    assertThat(list.path("items")).singleElement().satisfies(p -> {
      assertThat(p.path("metadata").path("name").asText()).isEqualTo("pool-a");
      assertThat(p.path("spec").has("natOutgoing")).isFalse(); // false is left out, as calicoctl does
      assertThat(p.path("metadata").path("resourceVersion").asText()).isEqualTo(Long.toString(natOff));
    });

    CalicoctlRun table = run("replay", "--at", Long.toString(created), "ippools", "-o", "ps");
    assertThat(table.out()).startsWith("NAME").contains("pool-a", "10.1.0.0/16", "pool-b");

    CalicoctlRun all = run("replay", "--at", Long.toString(resynced), "-o", "json");
    JsonNode everything = ResourceCodec.parseJson(all.out());
    assertThat(everything.path("kind").asText()).isEqualTo("List");
    assertThat(everything.path("items").findValuesAsText("kind")).containsExactly("IPPool", "IPPool", "WorkloadEndpoint");
    assertThat(ResourceCodec.decodeAll(all.out(), "replay")).allMatch(ResourceCodec.Document::ok).hasSize(3);

    CalicoctlRun beforeAll = run("replay", "--at", "5", "-o", "yaml");
    assertThat(beforeAll.out()).contains("items: []", "kind: List");
  }

  @Test
  void diffListsAddedRemovedAndChangedWithFields() {
    CalicoctlRun d = run("diff", "--from", Long.toString(created), "--to", Long.toString(resynced));
    assertThat(d.code()).isZero();
    assertThat(d.out()).isEqualTo("Differences from revision " + created + " to revision " + resynced + ":\n"
        + "~ IPPool(pool-a)\n"
        + "    spec.natOutgoing: true -> false\n"
        + "- IPPool(pool-b)\n"
        + "+ IPPool(pool-c)\n"
        + "+ WorkloadEndpoint(ns1/pod-1)\n"
        + "4 difference(s): 2 added, 1 removed, 1 changed\n");
    CalicoctlRun pools = run("diff", "--from", "2026-11-26T09:00:01Z", "--to", "2026-11-26T09:00:04Z", "ippools", "-o", "json");
    JsonNode j = ResourceCodec.parseJson(pools.out());
    assertThat(j.path("fromRevision").asLong()).isEqualTo(created);
    assertThat(j.path("toRevision").asLong()).isEqualTo(deleted);
    assertThat(j.path("removed").findValuesAsText("resource")).containsExactly("IPPool(pool-b)");
    assertThat(j.path("added")).isEmpty();
    assertThat(j.path("changed").get(0).path("fields").toString())
        .isEqualTo("[{\"path\":\"spec.natOutgoing\",\"from\":true,\"to\":false}]");
    assertThat(run("diff", "--from", "3", "--to", "3").out()).endsWith("No differences.\n");
  }

  @Test
  void badArgumentsAreClearErrors() {
    CalicoctlRun since = run("history", "--since", "yesterday");
    assertThat(since.code()).isEqualTo(1);
    assertThat(since.err()).isEqualTo("Failed to show history: --since: 'yesterday' is neither a revision nor a time: "
        + "use a revision number (1234), an RFC 3339 time (2026-11-26T10:00:00Z) or an age (90s, 10m, 2h, 3d)\n");
    assertThat(run("replay", "--at", "7", "-o", "ps").err()).contains("-o ps needs a KIND");
    assertThat(run("replay", "ippools").err()).contains("Missing required option: '--at=TIME|REV'");
    assertThat(run("diff", "--from", "1", "--to", "2", "widgets").err()).contains("resource type 'widgets' is not supported");
    assertThat(run("history", "-o", "wide").err()).contains("unrecognized output format 'wide'");
  }

  @Test
  void anUnreachableKafkaFailsWithinTheTimeout() throws Exception {
    String nowhere = "127.0.0.1:" + EtcdProcess.freePort();
    for (String[] args : List.of(new String[] {"history"}, new String[] {"replay", "--at", "1"},
        new String[] {"diff", "--from", "1", "--to", "2"})) {
      long t0 = System.nanoTime();
      CalicoctlRun r = run(Map.of("KAFKA_BOOTSTRAP_SERVERS", nowhere, "KAFKA_TIMEOUT", "2s"), args);
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(8));
      assertThat(r.code()).isEqualTo(1);
      assertThat(r.err()).startsWith("Failed to read the change log: cannot reach Kafka at " + nowhere + " within 2s");
      assertThat(r.out()).isEmpty();
    }
    CalicoctlRun bad = run(Map.of("KAFKA_BOOTSTRAP_SERVERS", nowhere, "KAFKA_TIMEOUT", "soon"), "history");
    assertThat(bad.code()).isEqualTo(1);
    assertThat(bad.err()).contains("KAFKA_TIMEOUT 'soon' is not a duration");
  }
}
