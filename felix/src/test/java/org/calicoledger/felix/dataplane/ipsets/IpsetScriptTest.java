package org.calicoledger.felix.dataplane.ipsets;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.calicoledger.felix.calc.PoolSetsResolver;
import org.calicoledger.felix.testing.ImageBuilder;
import org.junit.jupiter.api.Test;

class IpsetScriptTest {
  private static IpSet set(String name, String... members) {
    return new IpSet(name, "hash:net", "inet", Set.of(members));
  }

  @Test
  void missingSetIsCreatedWithMembers() {
    IpsetScript s = IpsetScript.diff(Map.of("cali40all-ipam-pools", set("cali40all-ipam-pools", "10.0.0.0/16")),
        Map.of());
    assertThat(s.restore()).isEqualTo("create cali40all-ipam-pools hash:net family inet\n"
        + "add cali40all-ipam-pools 10.0.0.0/16\n");
    assertThat(s.stale()).isEmpty();
  }

  @Test
  void equalSetsGiveNothingAndHostNetsCompareAsSaved() {
    IpsetScript s = IpsetScript.diff(Map.of("cali40x", set("cali40x", "10.1.2.3/32", "10.0.0.0/16")),
        Map.of("cali40x", set("cali40x", "10.1.2.3", "10.0.0.0/16")));
    assertThat(s.isEmpty()).isTrue();
  }

  @Test
  void smallChangeIsIncremental() {
    IpsetScript s = IpsetScript.diff(Map.of("cali40x", set("cali40x", "10.0.0.0/16", "10.2.0.0/16")),
        Map.of("cali40x", set("cali40x", "10.0.0.0/16", "10.1.0.0/16")));
    assertThat(s.restore()).isEqualTo("del cali40x 10.1.0.0/16\nadd cali40x 10.2.0.0/16\n");
  }

  @Test
  void largeChangeIsBuiltAsideAndSwapped() {
    Set<String> many = new HashSet<>();
    for (int i = 0; i <= IpsetScript.INCREMENTAL_LIMIT; i++) {
      many.add("10.9." + (i / 250) + "." + (i % 250));
    }
    IpsetScript s = IpsetScript.diff(Map.of("cali40x", new IpSet("cali40x", "hash:net", "inet", many)),
        Map.of("cali40x", set("cali40x", "10.0.0.0/16")));
    List<String> lines = List.of(s.restore().split("\n"));
    assertThat(lines.get(0)).isEqualTo("create cali4tx hash:net family inet -exist");
    assertThat(lines.get(1)).isEqualTo("flush cali4tx");
    assertThat(lines).contains("swap cali4tx cali40x", "destroy cali4tx");
    assertThat(lines.stream().filter(l -> l.startsWith("add cali4tx"))).hasSize(many.size());
    assertThat(lines.indexOf("swap cali4tx cali40x")).isEqualTo(lines.size() - 2);
  }

  @Test
  void changedKindIsSwappedAndStaleOwnedSetsAreListed() {
    IpsetScript s = IpsetScript.diff(Map.of("cali40x", set("cali40x", "10.0.0.0/16")),
        Map.of("cali40x", new IpSet("cali40x", "hash:ip", "inet", Set.of()), "cali40old", set("cali40old")));
    assertThat(s.restore()).contains("swap cali4tx cali40x");
    assertThat(s.stale()).containsExactly("cali40old");
  }

  @Test
  void saveParserKeepsOnlyOwnedSets() {
    String save = """
        create KUBE-X hash:ip family inet hashsize 1024 maxelem 65536
        add KUBE-X 1.2.3.4
        create cali40all-ipam-pools hash:net family inet hashsize 1024 maxelem 65536 bucketsize 12 initval 0x1
        add cali40all-ipam-pools 10.0.0.0/16
        create cali60all-ipam-pools hash:net family inet6 hashsize 1024 maxelem 65536
        add cali60all-ipam-pools fd00::/64
        """;
    Map<String, IpSet> m = IpsetSaveParser.parse(save);
    assertThat(m).containsOnlyKeys("cali40all-ipam-pools", "cali60all-ipam-pools");
    assertThat(m.get("cali40all-ipam-pools").members()).containsExactly("10.0.0.0/16");
    assertThat(m.get("cali60all-ipam-pools").family()).isEqualTo("inet6");
  }

  @Test
  void poolsResolveToAllAndMasqSets() {
    ImageBuilder b = new ImageBuilder();
    b.pool("a", "10.0.0.0/16", true, "Never", "Never");
    b.pool("b", "10.1.0.0/16", false, "Never", "Never");
    Map<String, IpSet> sets = PoolSetsResolver.resolve(b.image().pools());
    assertThat(sets).containsOnlyKeys("cali40all-ipam-pools", "cali40masq-ipam-pools");
    assertThat(sets.get("cali40all-ipam-pools").members()).containsExactly("10.0.0.0/16", "10.1.0.0/16");
    assertThat(sets.get("cali40masq-ipam-pools").members()).containsExactly("10.0.0.0/16");
    b.pool("c", "fd00:1::/64", true, "Never", "Never");
    sets = PoolSetsResolver.resolve(b.image().pools());
    assertThat(sets.get("cali60masq-ipam-pools").members()).containsExactly("fd00:1::/64");
    assertThat(sets.get("cali60all-ipam-pools").family()).isEqualTo("inet6");
  }

  @Test
  void temporaryNameStaysOwnedAndShort() {
    assertThat(IpSet.temporaryName("cali40masq-ipam-pools")).isEqualTo("cali4tmasq-ipam-pools");
    assertThat(IpSet.owned(IpSet.temporaryName("cali60all-ipam-pools"))).isTrue();
  }
}
