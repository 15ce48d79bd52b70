package org.calicoledger.hooks;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.calicoledger.events.proto.ChangeEvent;
import org.calicoledger.events.proto.Operation;
import org.calicoledger.model.ResourceCodec;
import org.junit.jupiter.api.Test;

class HookEventTest {
  static HookEvent update() {
    ChangeEvent e = ChangeEvent.newBuilder().setRevision(42).setPosition(1).setCount(2)
        .setKey("/calico/resources/v3/projectcalico.org/workloadendpoints/ns1/pod-1").setKind("WorkloadEndpoint")
        .setNamespace("ns1").setName("pod-1").setOperation(Operation.PUT)
        .setPrevValue(ByteString.copyFromUtf8("{\"spec\":{\"node\":\"a\"}}"))
        .setValue(ByteString.copyFromUtf8("{\"spec\":{\"node\":\"b\"}}"))
        .setObservedTimeMs(1_795_000_000_000L).setActor("cni@node-b").setReason("moved").build();
    return HookEvent.of(e, 99);
  }

  @Test
  void theJsonCarriesIdentityFactsChangesAndBothValues() {
    JsonNode j = update().json("h1");
    assertThat(ResourceCodec.compact(j)).isEqualTo("{\"hook\":\"h1\",\"revision\":42,\"position\":1,\"count\":2,"
        + "\"offset\":99,\"operation\":\"update\",\"kind\":\"WorkloadEndpoint\",\"namespace\":\"ns1\",\"name\":\"pod-1\","
        + "\"key\":\"/calico/resources/v3/projectcalico.org/workloadendpoints/ns1/pod-1\","
        + "\"time\":\"2026-11-18T11:06:40Z\",\"actor\":\"cni@node-b\",\"reason\":\"moved\",\"resync\":false,"
        + "\"changes\":[{\"path\":\"spec.node\",\"from\":\"a\",\"to\":\"b\"}],"
        + "\"previous\":{\"spec\":{\"node\":\"a\"}},\"value\":{\"spec\":{\"node\":\"b\"}}}");
    assertThat(new String(update().body("h1"), StandardCharsets.UTF_8)).isEqualTo(ResourceCodec.compact(j));
  }

  @Test
  void aValueThatIsNotJsonTravelsAsText() {
    ChangeEvent e = ChangeEvent.newBuilder().setRevision(5).setCount(1).setKey("/calico/resources/v3/projectcalico.org/ippools/x")
        .setKind("IPPool").setName("x").setOperation(Operation.PUT).setValue(ByteString.copyFromUtf8("not json"))
        .setDecodeError("value is not JSON").build();
    JsonNode j = HookEvent.of(e, 0).json("h");
    assertThat(j.path("value").asText()).isEqualTo("not json");
    assertThat(j.path("operation").asText()).isEqualTo("create");
    assertThat(j.path("decodeError").asText()).isEqualTo("value is not JSON");
    assertThat(j.has("previous")).isFalse();
    assertThat(j.has("namespace")).isFalse();
  }

  @Test
  void commandsFindTheKeyFactsInTheirEnvironment() {
    Map<String, String> env = update().environment("h1", 3);
    assertThat(env).containsEntry("HOOK_NAME", "h1").containsEntry("HOOK_ATTEMPT", "3")
        .containsEntry("EVENT_REVISION", "42").containsEntry("EVENT_POSITION", "1")
        .containsEntry("EVENT_OPERATION", "update").containsEntry("EVENT_KIND", "WorkloadEndpoint")
        .containsEntry("EVENT_NAMESPACE", "ns1").containsEntry("EVENT_NAME", "pod-1")
        .containsEntry("EVENT_ACTOR", "cni@node-b").containsEntry("EVENT_REASON", "moved")
        .containsEntry("EVENT_CHANGED_FIELDS", "spec.node").containsEntry("EVENT_TIME", "2026-11-18T11:06:40Z");
  }

  @Test
  void theSignatureIsHmacSha256OfTheBody() {
    // RFC 4231, test case 2
    assertThat(WebhookAction.signature("Jefe".getBytes(StandardCharsets.UTF_8),
        "what do ya want for nothing?".getBytes(StandardCharsets.UTF_8)))
        .isEqualTo("sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  }
}
