package org.calicoledger.felix.dataplane.iptables;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.calicoledger.felix.FelixContext;
import org.calicoledger.felix.FelixSettings;
import org.calicoledger.felix.calc.IptablesResolver;
import org.calicoledger.felix.calc.PoolSetsResolver;
import org.calicoledger.felix.testing.ImageBuilder;
import org.junit.jupiter.api.Test;

class IptablesScriptTest {
  private static final FelixContext CTX = new FelixContext("n1", Map.of(), java.nio.file.Path.of("/tmp"), null, "t");

  private static TableModel nat(ImageBuilder b) {
    return IptablesResolver.nat(inputs(b, new TreeSet<>()));
  }

  private static IptablesResolver.Inputs inputs(ImageBuilder b, TreeSet<String> ifaces) {
    return IptablesResolver.inputs(FelixSettings.of(b.image(), CTX), b.image().pools(),
        PoolSetsResolver.resolve(b.image().pools()), ifaces);
  }

  /** What the kernel would hold after {@code script} ran on an empty table (enough of iptables-save for the diff). */
  private static String saved(TableModel m) {
    StringBuilder sb = new StringBuilder("*" + m.table() + "\n:POSTROUTING ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n");
    m.chains().forEach(c -> sb.append(':').append(c.name()).append(" - [0:0]\n"));
    m.hooks().forEach(h -> sb.append(h.savedLine()).append('\n'));
    for (Chain c : m.chains()) {
      List<String> h = c.hashes();
      for (int i = 0; i < h.size(); i++) {
        sb.append("-A ").append(c.name()).append(' ').append(c.rules().get(i).match()).append(' ')
            .append(RuleHash.comment(h.get(i))).append(' ').append(c.rules().get(i).action()).append('\n');
      }
    }
    return sb.append("COMMIT\n").toString();
  }

  @Test
  void natOutgoingRuleFollowsPools() {
    ImageBuilder b = new ImageBuilder();
    b.pool("p", "10.0.0.0/16", true, "Never", "Never");
    TableModel m = nat(b);
    String script = IptablesScript.diff(m, ActualTable.parse(""));
    assertThat(script).startsWith("*nat\n:cali-POSTROUTING - [0:0]\n:cali-nat-outgoing - [0:0]\n");
    assertThat(script).contains("-m set --match-set cali40masq-ipam-pools src -m set ! --match-set "
        + "cali40all-ipam-pools dst -j MASQUERADE\n");
    assertThat(script).contains("-I POSTROUTING 1 -m comment --comment \"cali:");
    assertThat(script).endsWith("COMMIT\n");
    b.pool("p", "10.0.0.0/16", false, "Never", "Never");
    TableModel off = nat(b);
    String change = IptablesScript.diff(off, ActualTable.parse(saved(m)));
    assertThat(change).isEqualTo("*nat\n-F cali-nat-outgoing\nCOMMIT\n");
  }

  @Test
  void tunnelMasqueradeOnlyForTunnelsInUse() {
    ImageBuilder b = new ImageBuilder();
    b.pool("p", "10.0.0.0/16", false, "Always", "Never");
    b.felixConfig("default", "\"wireguardEnabled\":true");
    List<Rule> post = nat(b).chainsByName().get("cali-POSTROUTING").rules();
    assertThat(post).extracting(Rule::body).containsExactly("-j cali-nat-outgoing",
        "-o tunl0 " + IptablesResolver.TUNNEL_MASQ_MATCH + " -j MASQUERADE",
        "-o wireguard.cali " + IptablesResolver.TUNNEL_MASQ_MATCH + " -j MASQUERADE");
  }

  @Test
  void inSyncTableGivesNoScriptAndForeignRulesAreKept() {
    ImageBuilder b = new ImageBuilder();
    b.pool("p", "10.0.0.0/16", true, "Never", "Always");
    TableModel m = nat(b);
    String kernel = saved(m).replace("COMMIT\n", "-A POSTROUTING -o eth9 -j MASQUERADE\nCOMMIT\n");
    assertThat(IptablesScript.diff(m, ActualTable.parse(kernel))).isEmpty();
  }

  @Test
  void flushedChainIsRewrittenWhole() {
    ImageBuilder b = new ImageBuilder();
    b.pool("p", "10.0.0.0/16", true, "Never", "Never");
    TableModel f = IptablesResolver.filter(inputs(b, new TreeSet<>()));
    String kernel = saved(f).replaceAll("(?m)^-A cali-FORWARD .*\n", "");
    String script = IptablesScript.diff(f, ActualTable.parse(kernel));
    assertThat(script).isEqualTo("*filter\n-F cali-FORWARD\n"
        + "-A cali-FORWARD " + RuleHash.comment(f.chain("cali-FORWARD").hashes().get(0)) + " -i cali+ -j ACCEPT\n"
        + "-A cali-FORWARD " + RuleHash.comment(f.chain("cali-FORWARD").hashes().get(1)) + " -o cali+ -j ACCEPT\n"
        + "COMMIT\n");
  }

  @Test
  void hookJumpPushedDownOrDuplicatedIsMovedToTop() {
    ImageBuilder b = new ImageBuilder();
    TableModel f = IptablesResolver.filter(inputs(b, new TreeSet<>()));
    HookJump h = f.hooks().get(0);
    String kernel = saved(f).replace(h.savedLine() + "\n", "-A FORWARD -j DROP\n" + h.savedLine() + "\n");
    String script = IptablesScript.diff(f, ActualTable.parse(kernel));
    assertThat(script).isEqualTo("*filter\n-D FORWARD " + RuleHash.comment(h.hash()) + " -j cali-FORWARD\n"
        + "-I FORWARD 1 " + RuleHash.comment(h.hash()) + " -j cali-FORWARD\nCOMMIT\n");
  }

  @Test
  void staleOwnedChainsAreFlushedThenDeletedLast() {
    ImageBuilder b = new ImageBuilder();
    b.endpoint("ns", "w1", "n1", "cali0123456789a", "10.0.0.5");
    TableModel with = IptablesResolver.filter(inputs(b, new TreeSet<>(List.of("cali0123456789a"))));
    TableModel without = IptablesResolver.filter(inputs(b, new TreeSet<>()));
    String script = IptablesScript.diff(without, ActualTable.parse(saved(with)));
    List<String> lines = List.of(script.split("\n"));
    assertThat(lines).contains("-F cali-fw-cali0123456789a", "-X cali-fw-cali0123456789a",
        "-X cali-from-wl-dispatch", "-X cali-to-wl-dispatch", "-F cali-FORWARD");
    assertThat(lines.indexOf("-X cali-from-wl-dispatch")).isGreaterThan(
        lines.lastIndexOf(lines.stream().filter(l -> l.startsWith("-A cali-FORWARD")).reduce((x, y) -> y).get()));
  }

  @Test
  void endpointChainsAreDispatchedFromForward() {
    TableModel f = IptablesResolver.filter(inputs(new ImageBuilder(), new TreeSet<>(List.of("caliA", "caliB"))));
    Map<String, Chain> c = f.chainsByName();
    assertThat(c).containsKeys("cali-fw-caliA", "cali-tw-caliB", "cali-from-wl-dispatch", "cali-to-wl-dispatch");
    assertThat(c.get("cali-from-wl-dispatch").rules()).extracting(Rule::body)
        .containsExactly("-i caliA -g cali-fw-caliA", "-i caliB -g cali-fw-caliB");
    assertThat(c.get("cali-FORWARD").rules()).extracting(Rule::body).containsExactly(
        "-i cali+ -j cali-from-wl-dispatch", "-o cali+ -j cali-to-wl-dispatch", "-i cali+ -j ACCEPT",
        "-o cali+ -j ACCEPT");
  }

  @Test
  void manyEndpointsAreDispatchedThroughGroupsAndOneMoreIsOneRulePerDispatchChain() {
    TreeSet<String> ifaces = new TreeSet<>();
    for (int i = 0; i < 1000; i++) {
      ifaces.add(String.format("cali%011x", 0x10000000000L * (i % 16) + i));
    }
    TableModel before = IptablesResolver.filter(inputs(new ImageBuilder(), ifaces));
    Map<String, Chain> c = before.chainsByName();
    assertThat(c.get("cali-from-wl-dispatch").rules()).hasSize(16);
    assertThat(c.get("cali-from-wl-dispatch").rules().get(0).body())
        .isEqualTo("-i cali00+ -g cali-from-wl-dispatch-00");
    assertThat(c.get("cali-to-wl-dispatch-00").rules()).hasSize(63)
        .allSatisfy(r -> assertThat(r.body()).startsWith("-o cali00").contains(" -g cali-tw-cali00"));
    TreeSet<String> more = new TreeSet<>(ifaces);
    more.add("cali00fffffffff"); // sorts last in its group: appended
    TableModel after = IptablesResolver.filter(inputs(new ImageBuilder(), more));
    String script = IptablesScript.diff(after, ActualTable.of(before));
    Chain to = after.chain("cali-to-wl-dispatch-00");
    assertThat(script).doesNotContain("-F ").contains(":cali-fw-cali00fffffffff - [0:0]",
        "\n-A cali-to-wl-dispatch-00 " + RuleHash.comment(to.hashes().get(63)) + " -o cali00fffffffff -g "
            + "cali-tw-cali00fffffffff\n");
    assertThat(script.lines().filter(l -> l.startsWith("-A ") || l.startsWith("-I "))).hasSize(2 + 2 * 3);

    TreeSet<String> middle = new TreeSet<>(ifaces);
    String second = c.get("cali-to-wl-dispatch-00").rules().get(1).body().split(" ")[1];
    middle.add(second + "0"); // sorts right after the second: inserted as rule 3
    middle.remove(c.get("cali-to-wl-dispatch-00").rules().get(10).body().split(" ")[1]);
    TableModel edited = IptablesResolver.filter(inputs(new ImageBuilder(), middle));
    List<String> lines = IptablesScript.diff(edited, ActualTable.of(before)).lines().toList();
    assertThat(lines).filteredOn(l -> l.startsWith("-D cali-to-wl-dispatch-00") || l.startsWith("-I cali-to-wl"))
        .hasSize(9 + 8 + 1).startsWith("-D cali-to-wl-dispatch-00 3");
    assertThat(lines).filteredOn(l -> l.startsWith("-I cali-to-wl-dispatch-00")).hasSize(9)
        .first().asString().startsWith("-I cali-to-wl-dispatch-00 3 ").contains("-o " + second + "0 ");
  }

  @Test
  void inPlaceEditsOnlyWhenShorterThanTheChain() {
    Chain three = new Chain("cali-x", List.of(Rule.of("", "-j A"), Rule.of("", "-j B"), Rule.of("", "-j C")));
    Chain oneChanged = new Chain("cali-x", List.of(Rule.of("", "-j A"), Rule.of("", "-j X"), Rule.of("", "-j C")));
    Chain reversed = new Chain("cali-x", List.of(Rule.of("", "-j C"), Rule.of("", "-j B"), Rule.of("", "-j A")));
    ActualTable have = ActualTable.of(TableModel.of("filter", List.of(three), List.of()));
    assertThat(IptablesScript.diff(TableModel.of("filter", List.of(oneChanged), List.of()), have)).isEqualTo(
        "*filter\n-D cali-x 2\n-I cali-x 2 " + RuleHash.comment(oneChanged.hashes().get(1)) + " -j X\nCOMMIT\n");
    assertThat(IptablesScript.diff(TableModel.of("filter", List.of(reversed), List.of()), have))
        .startsWith("*filter\n-F cali-x\n-A cali-x ");
  }

  @Test
  void sequentialNamesAreGroupedAfterTheirCommonPrefixAndShortNamesMatchExactly() {
    TreeSet<String> ifaces = new TreeSet<>();
    for (int i = 0; i < 300; i++) {
      ifaces.add(String.format("calib%03x", i));
    }
    ifaces.add("calib");
    Map<String, Chain> c = IptablesResolver.filter(inputs(new ImageBuilder(), ifaces)).chainsByName();
    assertThat(c.get("cali-from-wl-dispatch").rules()).extracting(Rule::body).startsWith(
        "-i calib -g cali-from-wl-dispatch-_", "-i calib00+ -g cali-from-wl-dispatch-00");
    assertThat(c.get("cali-from-wl-dispatch-00").rules()).hasSize(16);
    assertThat(c.get("cali-from-wl-dispatch-_").rules()).extracting(Rule::body)
        .containsExactly("-i calib -g cali-fw-calib");
  }

  @Test
  void equalChainsAreReusedWithTheirHashes() {
    Chain a = new Chain("cali-x", List.of(Rule.of("", "-j A")));
    Chain b = new Chain("cali-x", List.of(Rule.of("", "-j A")));
    List<String> h = a.hashes();
    assertThat(b.reuse(a)).isSameAs(a);
    assertThat(b.reuse(a).hashes()).isSameAs(h);
    assertThat(new Chain("cali-x", List.of(Rule.of("", "-j B"))).reuse(a)).isNotSameAs(a);
  }

  @Test
  void interfacePrefixComesFromConfigWithEnvOnTop() {
    ImageBuilder b = new ImageBuilder();
    b.felixConfig("default", "\"interfacePrefix\":\"tap\"");
    assertThat(IptablesResolver.filter(inputs(b, new TreeSet<>())).chainsByName().get("cali-FORWARD").rules())
        .extracting(Rule::body).containsExactly("-i tap+ -j ACCEPT", "-o tap+ -j ACCEPT");
    FelixContext env = new FelixContext("n1", Map.of("interfaceprefix", "veth"), java.nio.file.Path.of("/tmp"),
        null, "t");
    assertThat(FelixSettings.of(b.image(), env).interfacePrefixes()).containsExactly("veth");
  }

  @Test
  void hashesCoverChainAndBodyNotPosition() {
    Chain a = new Chain("cali-x", List.of(Rule.of("", "-j A"), Rule.of("", "-j B")));
    Chain b = new Chain("cali-x", List.of(Rule.of("", "-j C"), Rule.of("", "-j B")));
    Chain c = new Chain("cali-y", List.of(Rule.of("", "-j A"), Rule.of("", "-j B")));
    assertThat(a.hashes().get(1)).isEqualTo(b.hashes().get(1));
    assertThat(a.hashes().get(0)).isNotEqualTo(b.hashes().get(0));
    assertThat(a.hashes().get(0)).isNotEqualTo(c.hashes().get(0));
    assertThat(a.hashes()).allSatisfy(h -> assertThat(h).hasSize(16).matches("[A-Za-z0-9_-]+"));
    assertThat(RuleHash.find("-A cali-x -m comment --comment cali:" + a.hashes().get(0) + " -j A"))
        .isEqualTo(a.hashes().get(0));
    // the same as the first rule's hash of earlier versions (previous hash empty): hook jumps in kernels stay Felix's
    assertThat(new HookJump("FORWARD", "cali-FORWARD").hash()).isEqualTo("5G0mHazkTaQuleQc");
  }

  @Test
  void badNamesAreRefused() {
    assertThatThrownBy(() -> new Chain("FORWARD", List.of())).hasMessageContaining("start with cali-");
    assertThatThrownBy(() -> Rule.of("-i x", " ")).hasMessageContaining("needs an action");
  }
}
