package org.calicoledger.felix.dataplane.iptables;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.calicoledger.felix.FelixContext;
import org.calicoledger.felix.FelixSettings;
import org.calicoledger.felix.calc.IptablesResolver;
import org.calicoledger.felix.calc.PoolSetsResolver;
import org.calicoledger.felix.kernel.HostCommands;
import org.calicoledger.felix.testing.ImageBuilder;
import org.calicoledger.store.Keys;
import org.junit.jupiter.api.Test;

/**
 * The iptables part against an in-memory kernel ({@link FakeIptables}: applies restore input line by line, prints
 * iptables-save): an incremental apply writes only the chains one endpoint touches, the kept model always equals a
 * whole render, and a full resync still finds and repairs what was changed by hand.
 */
class IptablesPartTest {
  private static final FelixContext CTX = new FelixContext("n1", Map.of(), Path.of("/nonexistent"), null, "t");

  /** A kernel of two tables in memory; records every command and restore input. */
  static final class FakeIptables extends HostCommands {
    final Map<String, Map<String, List<String>>> tables = new LinkedHashMap<>();
    final List<String> restores = new ArrayList<>();
    final List<String> commands = new ArrayList<>();

    FakeIptables() {
      super(List.of());
      table("filter").put("FORWARD", new ArrayList<>());
      table("nat").put("POSTROUTING", new ArrayList<>());
    }

    Map<String, List<String>> table(String name) {
      return tables.computeIfAbsent(name, k -> new LinkedHashMap<>());
    }

    @Override
    public Result run(String stdin, String... args) {
      commands.add(String.join(" ", args));
      if (args[0].equals("iptables-save")) {
        StringBuilder sb = new StringBuilder("*" + args[2] + "\n");
        table(args[2]).keySet().forEach(c -> sb.append(':').append(c).append(" - [0:0]\n"));
        table(args[2]).forEach((c, rules) -> rules.forEach(r -> sb.append("-A ").append(c).append(' ').append(r)
            .append('\n')));
        return new Result(0, sb.append("COMMIT\n").toString(), "");
      }
      if (args[0].equals("iptables-restore")) {
        restores.add(stdin);
        Map<String, List<String>> t = null;
        for (String line : stdin.split("\n")) {
          String[] w = line.split(" ", 3);
          switch (w[0].charAt(0) == ':' ? ":" : w[0]) {
            case "COMMIT" -> t = null;
            case ":" -> t.putIfAbsent(w[0].substring(1), new ArrayList<>());
            case "-F" -> t.get(w[1]).clear();
            case "-X" -> t.remove(w[1]);
            case "-A" -> t.get(w[1]).add(w[2]);
            case "-D" -> {
              if (w[2].matches("[0-9]+")) {
                t.get(w[1]).remove(Integer.parseInt(w[2]) - 1);
              } else {
                t.get(w[1]).remove(w[2]);
              }
            }
            case "-I" -> {
              String[] nr = w[2].split(" ", 2);
              t.get(w[1]).add(Integer.parseInt(nr[0]) - 1, nr[1]);
            }
            default -> {
              if (!line.startsWith("*")) {
                throw new IllegalArgumentException("fake iptables-restore: " + line);
              }
              t = table(line.substring(1));
            }
          }
        }
        return new Result(0, "", "");
      }
      throw new IllegalArgumentException("fake kernel: " + String.join(" ", args));
    }
  }

  /** {@code cali} and 11 hex digits of a hash, as Calico names host interfaces (their common prefix: cali). */
  private static String iface(int i) {
    try {
      byte[] h = java.security.MessageDigest.getInstance("SHA-1")
          .digest(("default.pod" + i).getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return "cali" + java.util.HexFormat.of().formatHex(h).substring(0, 11);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void add(ImageBuilder b, int i) {
    b.endpoint("default", "n1-k8s-pod" + i + "-eth0", "n1", iface(i), "10.0." + (i / 250) + "." + (1 + i % 250));
  }

  private static void remove(ImageBuilder b, int i) {
    b.delete(Keys.RESOURCES + "workloadendpoints/default/n1-k8s-pod" + i + "-eth0");
  }

  /** Names of the chains a restore input declares, flushes, deletes or appends to. */
  private static Set<String> chainsIn(String restore) {
    Set<String> out = new TreeSet<>();
    for (String line : restore.split("\n")) {
      if (line.startsWith(":")) {
        out.add(line.substring(1).split(" ")[0]);
      } else if (line.startsWith("-")) {
        out.add(line.split(" ")[1]);
      }
    }
    return out;
  }

  private static TableModel wholeRender(ImageBuilder b, IptablesPart part) {
    TreeSet<String> ifaces = new TreeSet<>();
    b.image().workloadEndpoints().values().forEach(w -> ifaces.add(w.spec().interfaceName()));
    return IptablesResolver.filter(IptablesResolver.inputs(FelixSettings.of(b.image(), CTX), b.image().pools(),
        PoolSetsResolver.resolve(b.image().pools()), ifaces));
  }

  @Test
  void oneEndpointAmongHundredsWritesOnlyItsChainsAndItsDispatchGroups() {
    ImageBuilder b = new ImageBuilder();
    b.pool("p", "10.0.0.0/16", true, "Never", "Never");
    for (int i = 0; i < 300; i++) {
      add(b, i);
    }
    FakeIptables k = new FakeIptables();
    IptablesPart part = new IptablesPart(CTX, k);
    part.onImage(b.image());
    assertThat(part.apply(true)).isTrue();
    String first = String.join("", k.restores);
    assertThat(first.lines().filter(l -> l.startsWith(":cali-fw-"))).hasSize(300);
    k.restores.clear();
    k.commands.clear();

    add(b, 300);
    part.onImage(b.image());
    assertThat(part.apply(false)).isTrue();
    assertThat(k.commands).as("no read back, one restore, filter only").containsExactly("iptables-restore --noflush");
    String restore = k.restores.get(0);
    String key = iface(300).substring(4, 6);
    Set<String> expected = new TreeSet<>(Set.of("cali-fw-" + iface(300), "cali-tw-" + iface(300),
        "cali-from-wl-dispatch-" + key, "cali-to-wl-dispatch-" + key));
    boolean newGroup = first.lines().noneMatch(l -> l.equals(":cali-from-wl-dispatch-" + key + " - [0:0]"));
    if (newGroup) {
      expected.addAll(Set.of("cali-from-wl-dispatch", "cali-to-wl-dispatch"));
    }
    assertThat(chainsIn(restore)).containsExactlyInAnyOrderElementsOf(expected);
    // its two chains whole, and one goto inserted into each dispatch chain it needs (not the groups rewritten)
    assertThat(restore.lines().filter(l -> l.startsWith("-A ") || l.startsWith("-I "))).as(restore)
        .hasSize(3 + 3 + 2 + (newGroup ? 2 : 0));
    assertThat(restore).doesNotContain("-F ");
    assertThat(restore).startsWith("*filter\n:cali-fw-" + iface(300) + " - [0:0]\n");

    k.restores.clear();
    k.commands.clear();
    remove(b, 17);
    part.onImage(b.image());
    assertThat(part.apply(false)).isTrue();
    String gone = k.restores.get(0);
    assertThat(gone).contains("-X cali-fw-" + iface(17) + "\n", "-X cali-tw-" + iface(17) + "\n");
    assertThat(chainsIn(gone)).allMatch(c -> c.endsWith(iface(17)) || c.startsWith("cali-from-wl-dispatch")
        || c.startsWith("cali-to-wl-dispatch"));
    assertThat(chainsIn(gone).size()).isLessThanOrEqualTo(6);

    k.commands.clear();
    part.onImage(b.image());
    assertThat(part.apply(false)).as("nothing changed: no process").isFalse();
    assertThat(k.commands).isEmpty();
    assertThat(part.desired().get(0)).isEqualTo(wholeRender(b, part));
  }

  @Test
  void theKeptModelAlwaysEqualsAWholeRender() {
    Random r = new Random(6);
    ImageBuilder b = new ImageBuilder();
    b.pool("p", "10.0.0.0/16", false, "Never", "Never");
    FakeIptables k = new FakeIptables();
    IptablesPart part = new IptablesPart(CTX, k);
    Set<Integer> present = new TreeSet<>();
    for (int step = 0; step < 400; step++) {
      int n = r.nextInt(step < 200 ? 3 : 1) + 1; // grow past the flat limit, then churn
      for (int j = 0; j < n; j++) {
        int i = r.nextInt(160);
        if (present.remove(i)) {
          remove(b, i);
        } else {
          present.add(i);
          add(b, i);
        }
      }
      if (step == 300) {
        b.felixConfig("default", "\"interfacePrefix\":\"cali,tap\"");
      }
      part.onImage(b.image());
      part.apply(false);
      assertThat(part.desired().get(0)).as("step " + step).isEqualTo(wholeRender(b, part));
      Set<String> inKernel = k.table("filter").keySet().stream().filter(c -> c.startsWith("cali-"))
          .collect(Collectors.toCollection(TreeSet::new));
      assertThat(inKernel).as("step " + step).isEqualTo(new TreeSet<>(part.desired().get(0).chainsByName().keySet()));
      for (Chain c : part.desired().get(0).chains()) { // rule by rule, after in-place inserts and deletes by number
        List<String> want = new ArrayList<>();
        for (int i = 0; i < c.rules().size(); i++) {
          want.add(RuleHash.comment(c.hashes().get(i)) + " " + c.rules().get(i).body());
        }
        assertThat(k.table("filter").get(c.name())).as("step " + step + " " + c.name()).isEqualTo(want);
      }
    }
  }

  @Test
  void aFullResyncRepairsChainsClobberedByHandAfterIncrementalApplies() {
    ImageBuilder b = new ImageBuilder();
    b.pool("p", "10.0.0.0/16", true, "Never", "Never");
    for (int i = 0; i < 100; i++) {
      add(b, i);
    }
    FakeIptables k = new FakeIptables();
    IptablesPart part = new IptablesPart(CTX, k);
    part.onImage(b.image());
    part.apply(true);
    add(b, 100);
    part.onImage(b.image());
    part.apply(false);
    Map<String, List<String>> filter = k.table("filter");
    String fw = "cali-fw-" + iface(100);
    List<String> good = List.copyOf(filter.get(fw));
    filter.get(fw).clear(); // iptables -F by hand
    filter.get("cali-FORWARD").clear();
    filter.remove("cali-tw-" + iface(5)); // and a chain deleted
    filter.get("FORWARD").clear(); // the hook jump gone

    k.restores.clear();
    part.onImage(b.image());
    assertThat(part.apply(false)).as("between resyncs the record is trusted").isFalse();
    assertThat(k.restores).isEmpty();
    assertThat(part.apply(true)).isTrue();
    assertThat(chainsIn(k.restores.get(0))).containsExactlyInAnyOrder(fw, "cali-FORWARD", "cali-tw-" + iface(5),
        "FORWARD");
    assertThat(filter.get(fw)).isEqualTo(good);
    assertThat(filter.get("FORWARD")).hasSize(1);
    k.restores.clear();
    assertThat(part.apply(true)).as("repaired: the next resync writes nothing").isFalse();
    assertThat(k.restores).isEmpty();
  }
}
