package org.calicoledger.hooks;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import java.util.List;
import org.calicoledger.events.history.HistoryEntry;
import org.calicoledger.events.proto.ChangeEvent;
import org.calicoledger.events.proto.Operation;
import org.calicoledger.model.Hook;
import org.junit.jupiter.api.Test;

class HookMatcherTest {
  static final String POOL_ON = "{\"kind\":\"IPPool\",\"metadata\":{\"name\":\"prod-a\"},\"spec\":{\"cidr\":\"10.0.0.0/16\","
      + "\"natOutgoing\":true,\"allowedUses\":[\"Workload\"]}}";
  static final String POOL_OFF = "{\"kind\":\"IPPool\",\"metadata\":{\"name\":\"prod-a\"},\"spec\":{\"cidr\":\"10.0.0.0/16\","
      + "\"allowedUses\":[\"Workload\",\"Tunnel\"]}}";

  static HistoryEntry event(String kind, String ns, String name, String prev, String value) {
    ChangeEvent.Builder b = ChangeEvent.newBuilder().setRevision(7).setCount(1).setKind(kind).setNamespace(ns)
        .setName(name).setKey("/calico/x/" + name).setOperation(value == null ? Operation.DELETE : Operation.PUT);
    if (prev != null) {
      b.setPrevValue(ByteString.copyFromUtf8(prev));
    }
    if (value != null) {
      b.setValue(ByteString.copyFromUtf8(value));
    }
    return HistoryEntry.of(b.build(), 3);
  }

  static HookMatcher match(List<String> kinds, String name, String ns, List<String> ops, String field) {
    return HookMatcher.of(new Hook.Match(kinds, name, ns, ops, field));
  }

  @Test
  void anEmptyMatchTakesEveryResourceEventButNothingElse() {
    HookMatcher all = HookMatcher.of(null);
    assertThat(all.matches(event("IPPool", "", "p", null, POOL_ON))).isTrue();
    assertThat(all.matches(event("", "", "block", null, "{}"))).as("an IPAM block is not a resource").isFalse();
    assertThat(all.matches(event("Hook", "", "h", null, "{}"))).as("hooks only when asked for").isFalse();
    assertThat(match(List.of("Hook"), null, null, null, null).matches(event("Hook", "", "h", null, "{}"))).isTrue();
  }

  @Test
  void globsCoverTheWholeNameWithStarAndQuestionMark() {
    HookMatcher m = match(null, "prod-?", null, null, null);
    assertThat(m.matches(event("IPPool", "", "prod-a", null, POOL_ON))).isTrue();
    assertThat(m.matches(event("IPPool", "", "prod-ab", null, POOL_ON))).isFalse();
    assertThat(m.matches(event("IPPool", "", "xprod-a", null, POOL_ON))).isFalse();
    HookMatcher dots = match(null, "a.b*", "kube-*", null, null);
    assertThat(dots.matches(event("WorkloadEndpoint", "kube-system", "a.b-1", null, "{}"))).isTrue();
    assertThat(dots.matches(event("WorkloadEndpoint", "kube-system", "axb-1", null, "{}"))).as("'.' is literal").isFalse();
    assertThat(dots.matches(event("WorkloadEndpoint", "default", "a.b-1", null, "{}"))).isFalse();
    assertThat(dots.matches(event("IPPool", "", "a.b", null, "{}"))).as("cluster-scoped: namespace ''").isFalse();
    assertThat(HookMatcher.glob("*")).isNull();
  }

  @Test
  void kindsAndOperations() {
    HookMatcher m = match(List.of("IPPool", "Node"), null, null, List.of("create", "delete"), null);
    assertThat(m.matches(event("IPPool", "", "p", null, POOL_ON))).isTrue();
    assertThat(m.matches(event("Node", "", "n", "{}", null))).isTrue();
    assertThat(m.matches(event("IPPool", "", "p", POOL_ON, POOL_OFF))).as("an update").isFalse();
    assertThat(m.matches(event("BGPPeer", "", "p", null, "{}"))).isFalse();
  }

  @Test
  void aChangedFieldMatchesItselfWhatIsInsideAndWhatHoldsIt() {
    HistoryEntry flip = event("IPPool", "", "prod-a", POOL_ON, POOL_OFF);
    assertThat(match(null, null, null, null, "spec.natOutgoing").matches(flip)).isTrue();
    assertThat(match(null, null, null, null, "spec").matches(flip)).isTrue();
    assertThat(match(null, null, null, null, "spec.allowedUses").matches(flip)).isTrue();
    assertThat(match(null, null, null, null, "spec.allowedUses[0]").matches(flip)).as("inside a list that grew").isTrue();
    assertThat(match(null, null, null, null, "spec.cidr").matches(flip)).isFalse();
    assertThat(match(null, null, null, null, "spec.nat").matches(flip)).as("a prefix of a name is not a path").isFalse();
    HistoryEntry same = event("IPPool", "", "prod-a", POOL_ON, POOL_ON);
    assertThat(match(null, null, null, null, "spec.natOutgoing").matches(same)).isFalse();
    assertThat(match(null, null, null, null, "spec.natOutgoing").matches(event("IPPool", "", "p", null, POOL_ON)))
        .as("on create every field present changed").isTrue();
  }
}
