package org.calicoledger.hooks;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.calicoledger.hooks.testing.DeadLetterTopic;
import org.calicoledger.hooks.testing.HookStack;
import org.calicoledger.hooks.testing.WebhookReceiver;
import org.junit.jupiter.api.Test;

/**
 * A hook that always fails ends each event in calico.hooks.dead after its attempts (with exponential backoff between
 * them), while a healthy hook on the same events keeps up, and so does it next to a slow one: one worker per hook.
 */
class DeadLetterIT {
  static final Duration WAIT = Duration.ofSeconds(60);

  static String hook(String name, String url, String retry) {
    return "apiVersion: projectcalico.org/v3\nkind: Hook\nmetadata:\n  name: " + name + "\nspec:\n  match:\n"
        + "    kinds: [IPPool]\n    name: dl-*\n  webhook:\n    url: " + url + "\n" + retry;
  }

  @Test
  void aFailingHookIsDeadLetteredAfterItsAttemptsWhileTheOthersKeepUp() throws Exception {
    try (HookStack stack = HookStack.start(); WebhookReceiver receiver = WebhookReceiver.start(null)) {
      receiver.respond("/fail", 500);
      receiver.delay("/slow", Duration.ofMillis(700));
      stack.apply(hook("always-fails", receiver.url("/fail"),
          "  retry:\n    attempts: 3\n    backoff: 200ms\n    maxBackoff: 10s\n"));
      stack.apply(hook("slow", receiver.url("/slow"), ""));
      stack.apply(hook("keeps-up", receiver.url("/ok"), ""));
      stack.startRunner();
      List<Long> revisions = new ArrayList<>();
      for (int i = 1; i <= 5; i++) {
        revisions.add(stack.pool("dl-" + i, "10.9" + i + ".0.0/16", false));
      }

      List<WebhookReceiver.Request> ok = receiver.await("/ok", l -> l.size() == 5, WAIT);
      assertThat(ok).extracting(WebhookReceiver.Request::revision).containsExactlyElementsOf(revisions);
      long okDone = ok.get(4).receivedNanos();

      List<JsonNode> dead = DeadLetterTopic.await(stack.kafka, "always-fails", l -> l.size() == 5, WAIT);
      assertThat(dead).extracting(d -> d.path("event").path("revision").asLong()).containsExactlyElementsOf(revisions);
      assertThat(dead).allSatisfy(d -> {
        assertThat(d.path("attempts").asInt()).isEqualTo(3);
        assertThat(d.path("error").asText()).startsWith("HTTP 500 from " + receiver.url("/fail"))
            .endsWith(": refused with 500");
        assertThat(d.path("event").path("kind").asText()).isEqualTo("IPPool");
      });

      List<WebhookReceiver.Request> fails = receiver.requests("/fail");
      assertThat(fails).hasSize(15);
      for (int e = 0; e < 5; e++) {
        List<WebhookReceiver.Request> tries = fails.subList(3 * e, 3 * e + 3);
        assertThat(tries).extracting(WebhookReceiver.Request::revision).containsOnly(revisions.get(e));
        assertThat(tries).extracting(WebhookReceiver.Request::attempt).containsExactly(1, 2, 3);
        long gap1 = TimeUnit.NANOSECONDS.toMillis(tries.get(1).receivedNanos() - tries.get(0).receivedNanos());
        long gap2 = TimeUnit.NANOSECONDS.toMillis(tries.get(2).receivedNanos() - tries.get(1).receivedNanos());
        assertThat(gap1).as("backoff after the first failure").isGreaterThanOrEqualTo(190);
        assertThat(gap2).as("backoff doubled after the second").isGreaterThanOrEqualTo(390);
      }
      // the healthy hook was done before the failing one got past its second event, or the slow one its second
      assertThat(okDone).isLessThan(fails.get(6).receivedNanos());
      List<WebhookReceiver.Request> slow = receiver.await("/slow", l -> l.size() == 5, WAIT);
      assertThat(okDone).isLessThan(slow.get(2).receivedNanos());
      assertThat(slow).extracting(WebhookReceiver.Request::revision).containsExactlyElementsOf(revisions);

      HookStatus failing = stack.awaitStatus("always-fails", s -> s.deadLettered() == 5, WAIT);
      assertThat(failing.delivered()).isZero();
      assertThat(failing.lastError().message()).startsWith("HTTP 500");
      assertThat(failing.lastError().revision()).isEqualTo(revisions.get(4));
      assertThat(failing.lastError().attempt()).isEqualTo(3);
      HookStatus healthy = stack.awaitStatus("keeps-up", s -> s.delivered() == 5, WAIT);
      assertThat(healthy.deadLettered()).isZero();
      assertThat(healthy.lastError()).isNull();
    }
  }
}
