package org.calicoledger.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.calicoledger.hooks.testing.HookStack;
import org.calicoledger.hooks.testing.WebhookReceiver;
import org.calicoledger.model.ResourceCodec;
import org.calicoledger.store.Keys;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * calicoctl and hooks, in-process, against real etcd, a real broker, the real journal and a runner: apply, get and
 * delete of Hook resources (stored under the ledger's keys), bad definitions refused with nothing stored, and
 * {@code hook status} and {@code hook replay} over a running runner.
 */
class HookCommandsIT {
  static final byte[] SECRET = "cli-secret".getBytes(StandardCharsets.UTF_8);
  static final Duration WAIT = Duration.ofSeconds(60);
  static HookStack stack;
  static WebhookReceiver receiver;
  static Path secretFile;

  @TempDir
  static Path dir;

  @BeforeAll
  static void start() throws IOException {
    secretFile = Files.write(dir.resolve("secret"), SECRET);
    stack = HookStack.start();
    receiver = WebhookReceiver.start(SECRET);
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


  static CalicoctlRun run(Map<String, String> extraEnv, String... args) {
    Map<String, String> env = new HashMap<>(stack.env());
    env.put("CALICO_ACTOR", "alice@laptop");
    env.putAll(extraEnv);
    return CalicoctlRun.of(env, args);
  }

  static CalicoctlRun run(String... args) {
    return run(Map.of(), args);
  }

  static Path file(String name, String text) throws IOException {
    return Files.writeString(dir.resolve(name), text);
  }

  static String hook(String name, String spec) {
    return "apiVersion: projectcalico.org/v3\nkind: Hook\nmetadata:\n  name: " + name + "\nspec:\n" + spec;
  }

  static String webhook(String name, String match, String path, String extra) {
    return hook(name, "  match:\n" + match + "  webhook:\n    url: " + receiver.url(path) + "\n    secretFile: "
        + secretFile + "\n" + extra);
  }

  @Test
  void hooksAreAppliedListedAndDeletedUnderTheLedgersKeys() throws Exception {
    Path f = file("nat.yaml", webhook("nat-watch", "    kinds: [IPPool]\n    operations: [update]\n"
        + "    changedField: spec.natOutgoing\n", "/nat", ""));
    CalicoctlRun applied = run("apply", "-f", f.toString(), "--reason", "page on NAT flips");
    assertThat(applied.err()).isEmpty();
    assertThat(applied.out()).isEqualTo("Successfully applied 1 'Hook' resource(s)\n");
    assertThat(stack.store.getKey(Keys.HOOKS + "nat-watch")).isPresent();
    assertThat(stack.store.range("/calico/resources/").kvs()).noneMatch(kv -> kv.key().contains("hook"));

    CalicoctlRun table = run("get", "hooks");
    assertThat(table.out().lines().toList()).hasSize(3);
    assertThat(table.out().lines().findFirst().orElseThrow().split(" +"))
        .containsExactly("NAME", "KINDS", "OPERATIONS", "CHANGEDFIELD", "ACTION");
    assertThat(table.out()).contains("nat-watch", "IPPool", "update", "spec.natOutgoing", "webhook " + receiver.url("/nat"));
    CalicoctlRun wide = run("get", "hook", "nat-watch", "-o", "wide");
    assertThat(wide.out()).contains("5 (backoff 1s to 1m)", "now");

    CalicoctlRun yaml = run("get", "hook", "nat-watch", "-o", "yaml");
    var back = ResourceCodec.decodeAll(yaml.out(), "get");
    assertThat(back).singleElement().matches(ResourceCodec.Document::ok);
    assertThat(yaml.out()).contains("kind: Hook", "attempts: 5", "startFrom: now", "timeout: 10s");

    long written = stack.store.getKey(Keys.HOOKS + "nat-watch").orElseThrow().modRevision();
    stack.awaitPublished(written, WAIT);
    CalicoctlRun history = run("history", "hook", "nat-watch");
    assertThat(history.out().lines().skip(1)).singleElement().asString()
        .contains("alice@laptop", "page on NAT flips", "create", "Hook(nat-watch)");
    assertThat(run("replay", "--at", Long.toString(written), "hooks").err()).isEqualTo("Failed to replay: hooks are not"
        + " part of the network's state that replay rebuilds; their changes are in calicoctl history hook\n");

    CalicoctlRun deleted = run("delete", "hook", "nat-watch");
    assertThat(deleted.out()).isEqualTo("Successfully deleted 1 'Hook' resource(s)\n");
    assertThat(stack.store.getKey(Keys.HOOKS + "nat-watch")).isEmpty();
  }

  @Test
  void badDefinitionsAreRefusedWithAClearMessageAndNeverStored() throws Exception {
    Map<String, String> cases = Map.of(
        hook("bad-field", "  webhook:\n    url: https://cmdb.example.com/\n    retries: 3\n"),
        "spec.webhook.retries: unknown field for Hook; allowed here: caCertFile, insecureSkipTLSVerify, secretFile,"
            + " timeout, url",
        hook("bad-url", "  webhook:\n    url: cmdb.example.com/hook\n"),
        "spec.webhook.url: 'cmdb.example.com/hook': has scheme '', not http or https; give an http:// or https://"
            + " URL with a host",
        hook("no-command", "  exec:\n    args: [--page]\n"),
        "spec.exec.command: must be set to the program to run",
        hook("no-secret", "  webhook:\n    url: https://cmdb.example.com/\n    secretFile: " + dir.resolve("missing")
            + "\n"),
        "spec.webhook.secretFile: '" + dir.resolve("missing") + "': no such file (the secret for X-Hook-Signature is"
            + " read from it)",
        hook("dir-secret", "  webhook:\n    url: https://cmdb.example.com/\n    secretFile: " + dir + "\n"),
        "spec.webhook.secretFile: '" + dir + "': a directory; give the file holding the secret",
        hook("bad-ca", "  webhook:\n    url: https://cmdb.example.com/\n    caCertFile: " + secretFile + "\n"),
        "spec.webhook.caCertFile: '" + secretFile + "': ",
        hook("bad-start", "  exec:\n    command: /bin/true\n  startFrom: yesterday\n"),
        "spec.startFrom: 'yesterday': must be now, beginning or a revision");
    for (var c : cases.entrySet()) {
      Path f = file("bad.yaml", c.getKey());
      CalicoctlRun r = run("apply", "-f", f.toString());
      assertThat(r.code()).as(c.getKey()).isEqualTo(1);
      assertThat(r.err()).as(c.getKey()).startsWith("Failed to apply ").contains(c.getValue())
          .contains("Nothing was written: 1 of 1 document(s) were refused");
    }
    // one bad document in a file refuses the good one with it
    Path mixed = file("mixed.yaml", hook("good", "  exec:\n    command: /bin/true\n") + "---\n"
        + hook("bad", "  exec:\n    timeout: 5s\n"));
    assertThat(run("create", "-f", mixed.toString()).err()).contains("Nothing was written: 1 of 2 document(s)");
    assertThat(stack.store.range(Keys.HOOKS).kvs()).as("nothing stored")
        .noneMatch(kv -> kv.key().matches(".*/(bad-field|bad-url|no-command|no-secret|dir-secret|bad-ca|bad-start|good|bad)"));

    assertThat(run("apply", "-f", file("ok.yaml", webhook("patched", "    name: x\n", "/p", "")).toString()).code())
        .isZero();
    CalicoctlRun patch = run("patch", "hook", "patched", "-p", "{\"spec\":{\"webhook\":{\"secretFile\":\"/nope\"}}}");
    assertThat(patch.code()).isEqualTo(1);
    assertThat(patch.err()).contains("Hit error: patched Hook(patched): spec.webhook.secretFile: '/nope': no such file");
    assertThat(stack.store.getKey(Keys.HOOKS + "patched").orElseThrow().text()).contains(secretFile.toString());
    assertThat(run("delete", "hook", "patched").code()).isZero();
  }

  @Test
  void statusShowsPositionLagSuccessErrorAndDeadLettersAndReplayDeliversAgain() throws Exception {
    assertThat(run("apply", "-f", file("two.yaml", webhook("st-ok", "    name: st-*\n", "/st", "") + "---\n"
        + webhook("st-fail", "    name: st-*\n", "/st-fail", "  retry:\n    attempts: 2\n    backoff: 50ms\n"))
        .toString()).code()).isZero();
    receiver.respond("/st-fail", 503);
    stack.startRunner();
    try {
      long a = stack.pool("st-1", "10.70.0.0/16", false);
      long b = stack.pool("st-1", "10.70.0.0/16", true);
      receiver.await("/st", l -> l.size() == 2, WAIT);
      stack.awaitStatus("st-ok", s -> s.delivered() == 2 && s.revision() >= b, WAIT);
      stack.awaitStatus("st-fail", s -> s.deadLettered() == 2, WAIT);
      long end = stack.marker();
      stack.awaitStatus("st-ok", s -> s.revision() >= end, WAIT);
      stack.awaitStatus("st-fail", s -> s.revision() >= end, WAIT);

      CalicoctlRun status = run("hook", "status");
      assertThat(status.err()).isEmpty();
      List<String> lines = status.out().lines().toList();
      assertThat(lines.get(0).split("  +")).containsExactly("NAME", "ACTION", "POSITION", "LAG", "DELIVERED",
          "LAST SUCCESS", "LAST ERROR", "DEAD-LETTERED");
      String ok = lines.stream().filter(l -> l.startsWith("st-ok")).findFirst().orElseThrow();
      assertThat(ok.split("  +")).startsWith("st-ok", "webhook " + receiver.url("/st"), "revision " + end, "0", "2");
      assertThat(ok).contains("(revision " + b + ")").endsWith("0");
      String fail = run("hook", "status", "-o", "wide").out().lines().filter(l -> l.startsWith("st-fail")).findFirst()
          .orElseThrow();
      assertThat(fail).contains("(revision " + b + ", attempt 2): HTTP 503 from " + receiver.url("/st-fail"));
      assertThat(fail.split("  +")).endsWith("2");

      JsonNode json = ResourceCodec.parseJson(run("hook", "status", "st-fail", "-o", "json").out());
      assertThat(json).hasSize(1);
      assertThat(json.get(0).path("deadLettered").asLong()).isEqualTo(2);
      assertThat(json.get(0).path("lag").asLong()).isZero();
      assertThat(json.get(0).path("lastError").path("message").asText()).startsWith("HTTP 503");
      assertThat(json.get(0).has("lastSuccess")).isFalse();

      CalicoctlRun replay = run("hook", "replay", "st-ok", "--from", Long.toString(a), "--wait", "30s", "--reason", "CMDB lost");
      assertThat(replay.err()).isEmpty();
      assertThat(replay.out()).contains("Replay of hook 'st-ok' from revision " + a + " requested",
          "calico-hooks took the request");
      receiver.await("/st", l -> l.size() == 4, WAIT);
      assertThat(receiver.acceptedRevisions("/st")).containsExactly(a, b, a, b);
      stack.awaitStatus("st-ok", s -> s.replayedFrom() == a && s.delivered() == 4, WAIT);
    } finally {
      stack.stopRunner();
    }
    // with the runner stopped, new changes are lag
    stack.pool("st-2", "10.71.0.0/16", false);
    stack.pool("st-2", "10.71.0.0/16", true);
    long last = stack.pool("st-3", "10.72.0.0/16", false);
    stack.awaitPublished(last, WAIT);
    JsonNode lagging = ResourceCodec.parseJson(run("hook", "status", "st-ok", "-o", "json").out());
    assertThat(lagging.get(0).path("lag").asLong()).isEqualTo(3);
    CalicoctlRun pending = run("hook", "replay", "st-ok", "--from", Long.toString(last), "--wait", "300ms");
    assertThat(pending.code()).isEqualTo(1);
    assertThat(pending.err()).contains("calico-hooks did not take the request within 300ms: is it running?");
    assertThat(run("hook", "status", "st-ok").out()).contains("(replay from " + last + " pending)");

    CalicoctlRun noKafka = run(Map.of("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:1", "KAFKA_TIMEOUT", "2s"), "hook", "status");
    assertThat(noKafka.code()).isZero();
    assertThat(noKafka.err()).startsWith("Warning: lag unknown: cannot reach Kafka at 127.0.0.1:1 within 2s");
    assertThat(noKafka.out()).contains("st-ok");

    assertThat(run("hook", "replay", "ghost", "--from", "3").err())
        .isEqualTo("Failed to replay hook: resource does not exist: Hook(ghost)\n");
    assertThat(run("hook", "replay", "st-ok", "--from", "ten").err())
        .isEqualTo("Failed to replay hook: --from 'ten' must be a revision: a number from 1 (calicoctl history shows"
            + " revisions)\n");
    assertThat(run("hook", "status", "ghost").err())
        .isEqualTo("Failed to show hook status: resource does not exist: Hook(ghost)\n");
    assertThat(run("delete", "hook", "st-ok", "st-fail").code()).isZero();
  }
}
