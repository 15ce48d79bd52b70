package org.calicoledger.felix.calc.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedSet;
import org.calicoledger.felix.dataplane.iptables.Rule;
import org.calicoledger.model.selector.Selector;
import org.junit.jupiter.api.Test;

/** {@link RuleRenderer}: Calico rules as iptables matches and mark-bit actions. */
class RuleRendererTest {
  final List<Object> named = new ArrayList<>();
  final RuleRenderer.SetNamer sets = new RuleRenderer.SetNamer() {
    @Override
    public String selectorSet(SetKey key) {
      named.add(key);
      return "S(" + (key.namespace() == null ? "" : key.namespace() + ":") + key.selector() + ")";
    }

    @Override
    public String netsSet(SortedSet<String> cidrs) {
      named.add(cidrs);
      return "N" + cidrs;
    }
  };

  static org.calicoledger.model.Rule rule(String json) {
    try {
      return new ObjectMapper().readValue(json, org.calicoledger.model.Rule.class);
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  List<String> render(String json) {
    return RuleRenderer.render(rule(json), null, sets).stream().map(Rule::body).toList();
  }

  @Test
  void allowSetsTheAcceptMarkAndReturns() {
    assertThat(render("{\"action\":\"Allow\"}")).containsExactly("-j MARK --set-xmark 0x10000/0x10000",
        "-m mark --mark 0x10000/0x10000 -j RETURN");
  }

  @Test
  void denyDropsPassMarksAndReturnsLogLogs() {
    assertThat(render("{\"action\":\"Deny\",\"protocol\":\"UDP\",\"destination\":{\"ports\":[53]}}"))
        .containsExactly("-p udp -m multiport --dports 53 -j DROP");
    assertThat(render("{\"action\":\"Pass\",\"source\":{\"nets\":[\"10.0.0.0/8\"]}}")).containsExactly(
        "-s 10.0.0.0/8 -j MARK --set-xmark 0x20000/0x20000", "-m mark --mark 0x20000/0x20000 -j RETURN");
    assertThat(render("{\"action\":\"Log\"}")).containsExactly("-j LOG --log-prefix \"calico-packet: \" --log-level 5");
  }

  @Test
  void everyMatchInOrder() {
    assertThat(render("{\"action\":\"Allow\",\"protocol\":\"TCP\",\"source\":{\"nets\":[\"10.0.0.1\"],"
        + "\"notNets\":[\"10.0.0.0/24\",\"10.0.1.0/24\"],\"selector\":\"a == 'b'\",\"notSelector\":\"has(c)\","
        + "\"notPorts\":[1000]},\"destination\":{\"notNets\":[\"192.0.2.0/24\"],\"ports\":[80,\"8000:8080\"]}}"))
        .containsExactly("-p tcp -s 10.0.0.1/32 -m set ! --match-set N[10.0.0.0/24, 10.0.1.0/24] src"
            + " -m set --match-set S(a == \"b\") src -m set ! --match-set S(has(c)) src -m multiport ! --sports 1000"
            + " ! -d 192.0.2.0/24 -m multiport --dports 80,8000:8080 -j MARK --set-xmark 0x10000/0x10000",
            "-m mark --mark 0x10000/0x10000 -j RETURN");
  }

  @Test
  void icmpTypeAndCodeAndNegatedProtocol() {
    assertThat(render("{\"action\":\"Deny\",\"protocol\":\"ICMP\",\"icmp\":{\"type\":8,\"code\":0}}"))
        .containsExactly("-p icmp -m icmp --icmp-type 8/0 -j DROP");
    assertThat(render("{\"action\":\"Deny\",\"protocol\":\"ICMP\",\"notICMP\":{\"type\":0}}"))
        .containsExactly("-p icmp -m icmp ! --icmp-type 0 -j DROP");
    assertThat(render("{\"action\":\"Deny\",\"notProtocol\":\"UDP\"}")).containsExactly("! -p udp -j DROP");
    assertThat(render("{\"action\":\"Deny\",\"protocol\":47}")).containsExactly("-p 47 -j DROP");
  }

  @Test
  void moreThanFifteenPortSlotsMakeOneRulePerGroup() {
    StringBuilder ports = new StringBuilder();
    for (int p = 1; p <= 14; p++) {
      ports.append(p).append(',');
    }
    ports.append("\"100:200\"");
    List<String> out = render("{\"action\":\"Deny\",\"protocol\":\"TCP\",\"destination\":{\"ports\":[" + ports
        + "]}}");
    assertThat(out).containsExactly("-p tcp -m multiport --dports 1,2,3,4,5,6,7,8,9,10,11,12,13,14 -j DROP",
        "-p tcp -m multiport --dports 100:200 -j DROP");
  }

  @Test
  void rulesThatCannotMatchIpv4RenderNothingAndSlashZeroMatchesEverything() {
    assertThat(render("{\"action\":\"Allow\",\"ipVersion\":6}")).isEmpty();
    assertThat(render("{\"action\":\"Allow\",\"protocol\":\"ICMPv6\"}")).isEmpty();
    assertThat(render("{\"action\":\"Allow\",\"source\":{\"nets\":[\"fd00::/64\"]}}")).isEmpty();
    assertThat(render("{\"action\":\"Allow\",\"source\":{\"notNets\":[\"0.0.0.0/0\"]}}")).isEmpty();
    assertThat(render("{\"action\":\"Deny\",\"source\":{\"nets\":[\"0.0.0.0/0\",\"fd00::/64\"]}}"))
        .containsExactly("-j DROP");
  }

  @Test
  void aNamespaceSelectorAloneSelectsEveryEndpointOfThoseNamespaces() {
    List<Rule> out = RuleRenderer.render(rule("{\"action\":\"Deny\",\"source\":{\"namespaceSelector\":"
        + "\"env == 'x'\"}}"), "prod", sets);
    assertThat(out).hasSize(1);
    SetKey k = (SetKey) named.get(0);
    assertThat(k.namespace()).as("namespaceSelector replaces the policy's own namespace").isNull();
    assertThat(k.namespaceSelector()).isEqualTo(Selector.parse("env == 'x'"));
    assertThat(k.selector()).isEqualTo(Selector.parse("all()"));
    RuleRenderer.render(rule("{\"action\":\"Deny\",\"source\":{\"selector\":\"a == 'b'\"}}"), "prod", sets);
    assertThat(((SetKey) named.get(1)).namespace()).isEqualTo("prod");
  }
}
