package org.calicoledger.events.history;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.calicoledger.model.ResourceCodec;
import org.junit.jupiter.api.Test;

class FieldChangeTest {
  static List<String> diff(String a, String b) {
    return FieldChange.diff(a == null ? null : ResourceCodec.parseJson(a), b == null ? null : ResourceCodec.parseJson(b))
        .stream().map(FieldChange::toString).toList();
  }

  @Test
  void changedLeavesAreNamedByTheirPath() {
    assertThat(diff("{\"spec\":{\"cidr\":\"10.0.0.0/16\",\"natOutgoing\":true}}",
        "{\"spec\":{\"cidr\":\"10.0.0.0/16\",\"natOutgoing\":false}}"))
        .containsExactly("spec.natOutgoing: true -> false");
  }

  @Test
  void aMissingBooleanIsFalseAsGoOmitsIt() {
    assertThat(diff("{\"spec\":{\"natOutgoing\":true}}", "{\"spec\":{}}"))
        .containsExactly("spec.natOutgoing: true -> false");
    assertThat(diff("{\"spec\":{}}", "{\"spec\":{\"disabled\":true}}")).containsExactly("spec.disabled: false -> true");
    assertThat(diff("{\"spec\":{\"disabled\":false}}", "{\"spec\":{}}")).isEmpty();
  }

  @Test
  void addedAndRemovedFieldsShowNone() {
    assertThat(diff("{\"metadata\":{\"labels\":{\"a\":\"1\"}},\"spec\":{}}",
        "{\"metadata\":{\"labels\":{\"b\":\"2\"}},\"spec\":{\"ipipMode\":\"Always\"}}"))
        .containsExactly("metadata.labels.a: 1 -> (none)", "metadata.labels.b: (none) -> 2",
            "spec.ipipMode: (none) -> Always");
  }

  @Test
  void arraysOfEqualLengthDiffByElementOtherwiseWhole() {
    assertThat(diff("{\"allocations\":[0,null,1]}", "{\"allocations\":[0,2,null]}"))
        .containsExactly("allocations[1]: null -> 2", "allocations[2]: 1 -> null");
    assertThat(diff("{\"ipNetworks\":[\"10.0.0.1/32\"]}", "{\"ipNetworks\":[\"10.0.0.1/32\",\"10.0.0.2/32\"]}"))
        .containsExactly("ipNetworks: [\"10.0.0.1/32\"] -> [\"10.0.0.1/32\",\"10.0.0.2/32\"]");
  }

  @Test
  void creationAndDeletionListEveryLeaf() {
    assertThat(diff(null, "{\"spec\":{\"cidr\":\"10.0.0.0/16\",\"blockSize\":26}}"))
        .containsExactly("spec.cidr: (none) -> 10.0.0.0/16", "spec.blockSize: (none) -> 26");
    assertThat(diff("{\"a\":\"\"}", null)).containsExactly("a: \"\" -> (none)");
    assertThat(diff("{\"a\":1}", "{\"a\":1}")).isEmpty();
    assertThat(diff("{\"a\":{\"b\":1}}", "{\"a\":\"x\"}")).containsExactly("a: {\"b\":1} -> x");
    assertThat(diff("1", "2")).containsExactly("value: 1 -> 2");
  }
}
