package org.calicoledger.cni;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class JsonTextTest {
  @Test
  void readsANetworkConfiguration() {
    Object doc = JsonText.parse("{\"cniVersion\": \"1.0.0\", \"name\": \"k8s-pod-network\", \"mtu\": 1440,"
        + " \"ipam\": {\"type\": \"calico-ipam\", \"ipv4_pools\": [\"10.0.0.0/16\"]}, \"ok\": true, \"none\": null}");
    assertThat(JsonText.field(doc, "cniVersion")).isEqualTo("1.0.0");
    assertThat(JsonText.field(doc, "mtu")).isNull(); // a number, not a string
    Map<?, ?> m = (Map<?, ?>) doc;
    assertThat(m.get("mtu")).isEqualTo(1440.0);
    assertThat(m.get("ok")).isEqualTo(true);
    assertThat(m.containsKey("none")).isTrue();
    assertThat(((Map<?, ?>) m.get("ipam")).get("ipv4_pools")).isEqualTo(List.of("10.0.0.0/16"));
  }

  @Test
  void decodesEscapes() {
    assertThat(JsonText.parse("\"a\\\"b\\\\c\\/d\\n\\t\\u00e9\"")).isEqualTo("a\"b\\c/d\n\té");
    assertThat(JsonText.parse(" [ ] ")).isEqualTo(List.of());
    assertThat(JsonText.parse("-1.5e3")).isEqualTo(-1500.0);
  }

  @Test
  void errorsSayWhereAndWhatWasExpected() {
    assertThatThrownBy(() -> JsonText.parse("{\"a\": }")).hasMessage("expected a value at offset 6, found '}'");
    assertThatThrownBy(() -> JsonText.parse("{\"a\": 1")).hasMessage("expected '}' at offset 7, found end of input");
    assertThatThrownBy(() -> JsonText.parse("{a: 1}")).hasMessageStartingWith("expected a field name in double quotes");
    assertThatThrownBy(() -> JsonText.parse("[1] x")).hasMessage("expected end of input at offset 4, found 'x'");
    assertThatThrownBy(() -> JsonText.parse("01")).hasMessage("expected a number at offset 0, found '0'");
    assertThatThrownBy(() -> JsonText.parse("\"\\x\"")).hasMessageContaining("an escape");
    assertThatThrownBy(() -> JsonText.parse("\"abc")).hasMessageContaining("a closing double quote");
    assertThatThrownBy(() -> JsonText.parse("")).hasMessage("expected a value at offset 0, found end of input");
  }

  @Property
  void quoteThenParseGivesTheStringBack(@ForAll String s) {
    assertThat(JsonText.parse(JsonText.quote(s))).isEqualTo(s);
  }
}
