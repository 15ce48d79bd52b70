package org.calicoledger.hooks;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.calicoledger.hooks.testing.DeadLetterTopic;
import org.calicoledger.hooks.testing.HookStack;
import org.calicoledger.hooks.testing.WebhookReceiver;
import org.calicoledger.model.IPPool;
import org.calicoledger.model.Kind;
import org.calicoledger.model.ResourceCodec;
import org.calicoledger.store.Audit;
import org.calicoledger.store.ResourceKey;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hooks end to end with real etcd, a real broker, the real journal and the runner in this JVM: webhooks to a real
 * HTTP server (signature checked by the receiver), commands as real scripts, matching by kind, name, operation and
 * changed field, retries into the dead-letter topic, definitions changed live, startFrom and replay.
 */
class HookDeliveryIT {
  static final byte[] SECRET = "s3cret-for-tests".getBytes(StandardCharsets.UTF_8);
  static final Duration WAIT = Duration.ofSeconds(60);
  static HookStack stack;
  static WebhookReceiver receiver;
  static Path secretFile;

  @TempDir
  static Path dir;

  @BeforeAll
  static void start() throws Exception {
    secretFile = dir.resolve("hook.secret");
    Files.writeString(secretFile, new String(SECRET, StandardCharsets.UTF_8) + "\n"); // the newline is not part of it
    stack = HookStack.start();
    receiver = WebhookReceiver.start(SECRET);
    stack.startRunner();
  }

  @AfterAll
  static void stop() {
    if (receiver != null) {
      receiver.close();
    }
    if (stack != null) {
      stack.close();
    }
  }

  static String webhook(String name, String match, String path, String extra) {
    return "apiVersion: projectcalico.org/v3\nkind: Hook\nmetadata:\n  name: " + name + "\nspec:\n  match:\n" + match
        + "  webhook:\n    url: " + receiver.url(path) + "\n    secretFile: " + secretFile + "\n" + extra;
  }

  static String exec(String name, String match, Path script, String args, String extra) {
    return "apiVersion: projectcalico.org/v3\nkind: Hook\nmetadata:\n  name: " + name + "\nspec:\n  match:\n" + match
        + "  exec:\n    command: " + script + "\n    args: [" + args + "]\n" + extra;
  }

  static Path script(String name, String body) throws Exception {
    Path p = dir.resolve(name);
    Files.writeString(p, "#!/bin/sh\n" + body);
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    return p;
  }

  /** Waits until the hook has handled everything up to {@code revision} (matching or not). */
  static HookStatus handled(String hook, long revision) throws InterruptedException {
    return stack.awaitStatus(hook, s -> s.revision() >= revision, WAIT);
  }

  @Test
  void webhookGetsOnlyMatchingChangesSignedAndInOrder() throws Exception {
    stack.apply(webhook("nat-flips", "    kinds: [IPPool]\n    name: nat-*\n    operations: [update]\n"
        + "    changedField: spec.natOutgoing\n", "/nat", ""));
    long created = stack.pool("nat-a", "10.10.0.0/16", true);
    long off = stack.pool("nat-a", "10.10.0.0/16", false);
    IPPool p = (IPPool) stack.store.get(ResourceKey.of(Kind.IP_POOL, "nat-a")).orElseThrow();
    long disabled = stack.store.apply(p.withSpec(p.spec().withDisabled(true)), Audit.of("other field")).metadata().revision();
    long on = stack.pool("nat-a", "10.10.0.0/16", true);
    stack.pool("other-a", "10.11.0.0/16", true);
    stack.pool("other-a", "10.11.0.0/16", false);
    stack.store.delete(ResourceKey.of(Kind.IP_POOL, "nat-a"), 0, Audit.of("gone"));
    handled("nat-flips", stack.marker());

    List<WebhookReceiver.Request> got = receiver.requests("/nat");
    assertThat(got).extracting(WebhookReceiver.Request::revision).containsExactly(off, on);
    assertThat(created).isLessThan(off);
    assertThat(disabled).isBetween(off, on);
    assertThat(got).allSatisfy(r -> {
      assertThat(r.signed()).isTrue();
      assertThat(r.header("Content-Type")).isEqualTo("application/json");
      assertThat(r.hook()).isEqualTo("nat-flips");
      assertThat(r.attempt()).isEqualTo(1);
    });
    assertThat(receiver.badSignatures()).isZero();
    JsonNode first = got.get(0).json();
    assertThat(first.path("hook").asText()).isEqualTo("nat-flips");
    assertThat(first.path("operation").asText()).isEqualTo("update");
    assertThat(first.path("kind").asText()).isEqualTo("IPPool");
    assertThat(first.path("name").asText()).isEqualTo("nat-a");
    assertThat(first.path("key").asText()).isEqualTo("/calico/resources/v3/projectcalico.org/ippools/nat-a");
    assertThat(first.path("actor").asText()).isEqualTo("tester@test");
    assertThat(first.path("reason").asText()).isEqualTo("pool nat-a");
    assertThat(first.path("changes").toString()).isEqualTo("[{\"path\":\"spec.natOutgoing\",\"from\":true,\"to\":false}]");
    assertThat(first.path("previous").path("spec").path("natOutgoing").asBoolean()).isTrue();
    assertThat(first.path("value").path("spec").has("natOutgoing")).isFalse();
    assertThat(got.get(0).header("X-Hook-Delivery")).isEqualTo("nat-flips/" + off + "/0");
    HookStatus s = stack.awaitStatus("nat-flips", x -> x.delivered() == 2, WAIT);
    assertThat(s.lastSuccess().revision()).isEqualTo(on);
    assertThat(s.lastError()).isNull();
    assertThat(s.deadLettered()).isZero();
  }

  @Test
  void execRunsARealScriptWithTheEventOnStdinAndItsFactsInTheEnvironment() throws Exception {
    Path out = dir.resolve("exec.out");
    Path s = script("record.sh", "{ echo \"$HOOK_NAME|$HOOK_ATTEMPT|$EVENT_REVISION|$EVENT_OPERATION|$EVENT_KIND|"
        + "$EVENT_NAME|$EVENT_ACTOR|$EVENT_CHANGED_FIELDS\"; cat; echo; } >> \"$1\"\n");
    stack.apply(exec("record", "    kinds: [IPPool]\n    name: exec-?\n", s, out.toString(), ""));
    long created = stack.pool("exec-1", "10.20.0.0/16", false);
    long updated = stack.pool("exec-1", "10.20.0.0/16", true);
    stack.pool("exec-10", "10.21.0.0/16", false); // the glob's ? is one character
    stack.store.delete(ResourceKey.of(Kind.IP_POOL, "exec-1"), 0, Audit.of("x"));
    handled("record", stack.marker());

    List<String> lines = Files.readAllLines(out);
    assertThat(lines).hasSize(6);
    assertThat(lines.get(0)).startsWith("record|1|" + created + "|create|IPPool|exec-1|tester@test|")
        .contains(" spec.cidr ", " metadata.name ");
    assertThat(lines.get(2)).isEqualTo("record|1|" + updated + "|update|IPPool|exec-1|tester@test|spec.natOutgoing");
    assertThat(lines.get(4)).startsWith("record|1|").contains("|delete|IPPool|exec-1|");
    List<Long> stdinRevisions = List.of(1, 3, 5).stream()
        .map(i -> ResourceCodec.parseJson(lines.get(i)).path("revision").asLong()).toList();
    assertThat(stdinRevisions.subList(0, 2)).containsExactly(created, updated);
    assertThat(stdinRevisions.get(2)).isGreaterThan(updated)
        .isEqualTo(Long.parseLong(lines.get(4).split("\\|")[2]));
    assertThat(ResourceCodec.parseJson(lines.get(5)).has("value")).isFalse();
  }

  @Test
  void failingAndHangingCommandsAreRetriedThenDeadLetteredAndKilled() throws Exception {
    Path boom = script("boom.sh", "echo \"boom at $EVENT_REVISION try $HOOK_ATTEMPT\" >&2\nexit 3\n");
    Path pids = dir.resolve("hang.pids");
    Path hang = script("hang.sh", "echo $$ >> " + pids + "\nexec sleep 30\n");
    stack.apply(exec("boom", "    name: fail-*\n", boom, "", "  retry:\n    attempts: 2\n    backoff: 50ms\n"));
    stack.apply("apiVersion: projectcalico.org/v3\nkind: Hook\nmetadata:\n  name: hang\nspec:\n  match:\n"
        + "    name: fail-*\n  exec:\n    command: " + hang + "\n    timeout: 300ms\n  retry:\n    attempts: 1\n");
    long rev = stack.pool("fail-1", "10.30.0.0/16", false);

    List<JsonNode> boomLetters = DeadLetterTopic.await(stack.kafka, "boom", l -> l.size() == 1, WAIT);
    assertThat(boomLetters.get(0).path("error").asText()).isEqualTo("exit status 3: boom at " + rev + " try 2");
    assertThat(boomLetters.get(0).path("attempts").asInt()).isEqualTo(2);
    assertThat(boomLetters.get(0).path("event").path("revision").asLong()).isEqualTo(rev);
    assertThat(boomLetters.get(0).path("event").path("name").asText()).isEqualTo("fail-1");

    List<JsonNode> hangLetters = DeadLetterTopic.await(stack.kafka, "hang", l -> l.size() == 1, WAIT);
    assertThat(hangLetters.get(0).path("error").asText()).startsWith("timed out after 300ms");
    long pid = Long.parseLong(Files.readAllLines(pids).get(0).trim());
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("the hung command was killed").isFalse();

    HookStatus b = stack.awaitStatus("boom", x -> x.deadLettered() == 1 && x.revision() >= rev, WAIT);
    assertThat(b.lastError().message()).isEqualTo("exit status 3: boom at " + rev + " try 2");
    assertThat(b.lastError().attempt()).isEqualTo(2);
    assertThat(b.delivered()).isZero();
  }

  @Test
  void definitionsChangeWhileTheRunnerRuns() throws Exception {
    var v1 = stack.apply(webhook("live", "    name: live-1\n", "/live", ""));
    long first = stack.pool("live-1", "10.40.0.0/16", false);
    receiver.await("/live", l -> l.size() == 1, WAIT);

    var v2 = stack.apply(webhook("live", "    name: live-2\n", "/live", ""));
    stack.awaitStatus("live", s -> s.definition() == v2.metadata().revision(), WAIT);
    assertThat(v2.metadata().uid()).isEqualTo(v1.metadata().uid());
    stack.pool("live-1", "10.40.0.0/16", true);
    long second = stack.pool("live-2", "10.41.0.0/16", false);
    receiver.await("/live", l -> l.size() == 2, WAIT);

    stack.store.delete(ResourceKey.of(Kind.HOOK, "live"), 0, Audit.of("done"));
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (new HookLedger(stack.store).status("live").isPresent() && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(new HookLedger(stack.store).status("live")).as("a deleted hook's status is forgotten").isEmpty();
    long after = stack.pool("live-2", "10.41.0.0/16", true);
    stack.awaitPublished(after, WAIT);
    Thread.sleep(500); // a worker still running would deliver within this
    assertThat(receiver.acceptedRevisions("/live")).containsExactly(first, second);
  }

  @Test
  void startFromBeginningNowOrARevision() throws Exception {
    long r1 = stack.pool("sf-1", "10.50.0.0/16", false);
    long r2 = stack.pool("sf-2", "10.51.0.0/16", false);
    long r3 = stack.pool("sf-3", "10.52.0.0/16", false);
    stack.awaitPublished(r3, WAIT);
    stack.apply(webhook("from-beginning", "    name: sf-*\n", "/sf-beginning", "  startFrom: beginning\n"));
    stack.apply(webhook("from-now", "    name: sf-*\n", "/sf-now", ""));
    stack.apply(webhook("from-rev", "    name: sf-*\n", "/sf-rev", "  startFrom: " + r2 + "\n"));
    long r4 = stack.pool("sf-4", "10.53.0.0/16", false);
    long marker = stack.marker();
    for (String h : List.of("from-beginning", "from-now", "from-rev")) {
      handled(h, marker);
    }
    assertThat(receiver.acceptedRevisions("/sf-beginning")).containsExactly(r1, r2, r3, r4);
    assertThat(receiver.acceptedRevisions("/sf-now")).containsExactly(r4);
    assertThat(receiver.acceptedRevisions("/sf-rev")).containsExactly(r2, r3, r4);
    HookStatus s = stack.awaitStatus("from-rev", x -> true, WAIT);
    assertThat(s.fromRevision()).isEqualTo(r2);
  }

  @Test
  void replayDeliversAgainFromTheRevisionAsked() throws Exception {
    stack.apply(webhook("rp", "    name: rp-*\n", "/rp", ""));
    long a = stack.pool("rp-1", "10.60.0.0/16", false);
    long b = stack.pool("rp-2", "10.61.0.0/16", false);
    receiver.await("/rp", l -> l.size() == 2, WAIT);
    HookLedger.ReplayRequest req = new HookLedger(stack.store).requestReplay("rp", a, "tester@test", "again");
    receiver.await("/rp", l -> l.size() == 4, WAIT);
    assertThat(receiver.acceptedRevisions("/rp")).containsExactly(a, b, a, b);
    HookStatus s = stack.awaitStatus("rp", x -> x.replayedFrom() == a && x.revision() >= b, WAIT);
    assertThat(s.fromRevision()).isEqualTo(a);
    assertThat(new HookLedger(stack.store).pendingReplay("rp")).as("the request %s was taken", req).isEmpty();
    List<Long> deliveries = new ArrayList<>(receiver.acceptedRevisions("/rp"));
    assertThat(deliveries).hasSize(4);
  }
}
