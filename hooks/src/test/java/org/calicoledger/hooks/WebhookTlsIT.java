package org.calicoledger.hooks;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import org.calicoledger.hooks.testing.DeadLetterTopic;
import org.calicoledger.hooks.testing.HookStack;
import org.calicoledger.hooks.testing.WebhookReceiver;
import org.calicoledger.store.testing.TestCa;
import org.junit.jupiter.api.Test;

/**
 * Webhooks over HTTPS to a real TLS server whose certificate a test CA (made with openssl) issued: verification is on
 * by default (the JVM's trust store does not know the CA, so delivery fails and is dead-lettered), succeeds with
 * {@code caCertFile}, and is skipped only with {@code insecureSkipTLSVerify}.
 */
class WebhookTlsIT {
  static final Duration WAIT = Duration.ofSeconds(60);

  static String hook(String name, String url, String tls) {
    return "apiVersion: projectcalico.org/v3\nkind: Hook\nmetadata:\n  name: " + name + "\nspec:\n  match:\n"
        + "    name: tls-*\n  webhook:\n    url: " + url + "\n" + tls + "  retry:\n    attempts: 1\n";
  }

  @Test
  void certificatesAreVerifiedUnlessToldOtherwise() throws Exception {
    try (TestCa ca = TestCa.create(); HookStack stack = HookStack.start();
        WebhookReceiver receiver = WebhookReceiver.startTls(ca, null)) {
      stack.apply(hook("tls-default", receiver.url("/default"), ""));
      stack.apply(hook("tls-ca", receiver.url("/ca"), "    caCertFile: " + ca.caCert() + "\n"));
      stack.apply(hook("tls-skip", receiver.url("/skip"), "    insecureSkipTLSVerify: true\n"));
      stack.startRunner();
      long rev = stack.pool("tls-1", "10.80.0.0/16", false);

      assertThat(receiver.await("/ca", l -> l.size() == 1, WAIT)).extracting(WebhookReceiver.Request::revision)
          .containsExactly(rev);
      assertThat(receiver.await("/skip", l -> l.size() == 1, WAIT)).extracting(WebhookReceiver.Request::revision)
          .containsExactly(rev);
      List<JsonNode> dead = DeadLetterTopic.await(stack.kafka, "tls-default", l -> l.size() == 1, WAIT);
      assertThat(dead.get(0).path("error").asText()).startsWith("TLS with " + receiver.url("/default") + " failed (")
          .contains("unable to find valid certification path").endsWith("; give the server's CA in spec.webhook.caCertFile");
      assertThat(receiver.requests("/default")).as("no request got through without a trusted certificate").isEmpty();
    }
  }
}
