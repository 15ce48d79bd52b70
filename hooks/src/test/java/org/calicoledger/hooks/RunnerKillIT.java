package org.calicoledger.hooks;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.calicoledger.hooks.testing.DeadLetterTopic;
import org.calicoledger.hooks.testing.HookStack;
import org.calicoledger.hooks.testing.WebhookReceiver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * calico-hooks as a separate process, killed with SIGKILL while it delivers to a webhook and runs a script, again and
 * again while changes are written: afterwards every matching event has arrived at least once, in order (each restart
 * may go back to its last persisted position and deliver again from there, never skip ahead).
 */
class RunnerKillIT {
  static final int WRITES = 600;
  static final int RATE = 60;
  static final int KILLS = 4;

  @TempDir
  Path dir;

  /**
   * {@code got} is {@code expected} delivered at least once in order: every step forward is to the next expected
   * event, and a step back (a re-delivery after a restart) never goes past the furthest event delivered + 1.
   * Returns how many times it stepped back.
   */
  static int assertAtLeastOnceInOrder(String what, List<Long> got, List<Long> expected) {
    Map<Long, Integer> index = new HashMap<>();
    for (int i = 0; i < expected.size(); i++) {
      index.put(expected.get(i), i);
    }
    int prev = -1;
    int furthest = -1;
    int rewinds = 0;
    for (int n = 0; n < got.size(); n++) {
      Integer i = index.get(got.get(n));
      assertThat(i).as("%s: delivery %d is revision %d, which is not a matching event", what, n, got.get(n)).isNotNull();
      assertThat(i).as("%s: delivery %d (revision %d) skips ahead of the furthest delivered", what, n, got.get(n))
          .isLessThanOrEqualTo(furthest + 1);
      if (i > prev) {
        assertThat(i).as("%s: delivery %d (revision %d) is not the event after the previous one", what, n, got.get(n))
            .isEqualTo(prev + 1);
      } else {
        rewinds++;
      }
      prev = i;
      furthest = Math.max(furthest, i);
    }
    assertThat(furthest).as("%s: every matching event delivered", what).isEqualTo(expected.size() - 1);
    return rewinds;
  }

  @Test
  void killedWithSigkillMidDeliveryEveryEventArrivesAtLeastOnceAndInOrder() throws Exception {
    byte[] secret = "kill-test-secret".getBytes(StandardCharsets.UTF_8);
    Path secretFile = Files.write(dir.resolve("secret"), secret);
    Path lines = dir.resolve("exec.revisions");
    Path script = dir.resolve("record.sh");
    Files.writeString(script, "#!/bin/sh\necho \"$EVENT_REVISION\" >> " + lines + "\ncat > /dev/null\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    try (HookStack stack = HookStack.start(); WebhookReceiver receiver = WebhookReceiver.start(secret);
        RunnerProcess runner = new RunnerProcess(stack.env(), "--name", "kill-it", "--election-ttl", "3s",
            "--status-interval", "300ms")) {
      stack.apply("apiVersion: projectcalico.org/v3\nkind: Hook\nmetadata:\n  name: k-web\nspec:\n  match:\n"
          + "    kinds: [IPPool]\n    name: k-*\n  webhook:\n    url: " + receiver.url("/k") + "\n    secretFile: "
          + secretFile + "\n");
      stack.apply("apiVersion: projectcalico.org/v3\nkind: Hook\nmetadata:\n  name: k-exec\nspec:\n  match:\n"
          + "    kinds: [IPPool]\n    name: k-*\n  exec:\n    command: " + script + "\n");
      runner.start();

      List<Long> revisions = Collections.synchronizedList(new ArrayList<>());
      AtomicReference<Throwable> writerFailed = new AtomicReference<>();
      AtomicBoolean killing = new AtomicBoolean(true);
      Thread writer = new Thread(() -> {
        try {
          long next = System.nanoTime();
          for (int i = 0; i < WRITES || killing.get(); i++) { // at least WRITES, and on until the last kill
            int p = i % 20;
            revisions.add(stack.pool("k-" + p, "10." + (100 + p) + ".0.0/16", (i / 20) % 2 == 0));
            next += 1_000_000_000L / RATE;
            long wait = next - System.nanoTime();
            if (wait > 0) {
              Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
          }
        } catch (Throwable t) {
          writerFailed.set(t);
        }
      }, "writer");
      writer.start();

      Random random = new Random(10);
      int kills = 0;
      int midDelivery = 0;
      while (kills < KILLS) {
        int before = receiver.requests("/k").size();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (receiver.requests("/k").size() == before && System.nanoTime() < deadline) {
          Thread.sleep(10); // this run of the runner is delivering
        }
        Thread.sleep(100 + random.nextInt(600));
        boolean writing = writer.isAlive();
        int deliveredAtKill = receiver.requests("/k").size();
        runner.kill();
        kills++;
        if (writing && deliveredAtKill > before) {
          midDelivery++;
        }
        runner.start();
      }
      killing.set(false);
      writer.join();
      assertThat(writerFailed.get()).isNull();
      assertThat(midDelivery).as("kills while the runner was delivering and changes were being written").isEqualTo(KILLS);

      List<Long> expected = List.copyOf(revisions);
      assertThat(expected).hasSizeGreaterThanOrEqualTo(WRITES);
      receiver.await("/k", l -> new HashSet<>(l.stream().map(WebhookReceiver.Request::revision).toList())
          .containsAll(expected), Duration.ofMinutes(3));
      long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
      while (execRevisions(lines).stream().distinct().count() < expected.size() && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      runner.stop();

      int webRewinds = assertAtLeastOnceInOrder("webhook", receiver.acceptedRevisions("/k"), expected);
      int execRewinds = assertAtLeastOnceInOrder("exec", execRevisions(lines), expected);
      System.out.printf("RunnerKillIT: %d events, %d kills; webhook %d deliveries (%d steps back), exec %d runs (%d steps"
          + " back)%n", expected.size(), kills, receiver.acceptedRevisions("/k").size(), webRewinds, execRevisions(lines).size(),
          execRewinds);
      assertThat(webRewinds).isLessThanOrEqualTo(KILLS);
      assertThat(execRewinds).isLessThanOrEqualTo(KILLS);
      assertThat(receiver.badSignatures()).isZero();
      assertThat(receiver.requests("/k")).allMatch(WebhookReceiver.Request::signed);
      assertThat(DeadLetterTopic.read(stack.kafka)).isEmpty();
      assertThat(runner.log()).contains("calico-hooks kill-it leads");
    }
  }

  private static List<Long> execRevisions(Path lines) throws java.io.IOException {
    if (!Files.exists(lines)) {
      return List.of();
    }
    return Files.readAllLines(lines).stream().filter(l -> !l.isBlank()).map(l -> Long.parseLong(l.trim())).toList();
  }
}
