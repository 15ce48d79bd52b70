package org.calicoledger.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.calicoledger.events.image.ClusterImage;
import org.calicoledger.felix.FelixContext;
import org.calicoledger.felix.Sequencer;
import org.calicoledger.felix.dataplane.ipsets.IpSet;
import org.calicoledger.felix.dataplane.ipsets.IpSetsPart;
import org.calicoledger.felix.dataplane.ipsets.IpsetScript;
import org.calicoledger.felix.dataplane.iptables.ActualTable;
import org.calicoledger.felix.dataplane.iptables.IptablesPart;
import org.calicoledger.felix.dataplane.iptables.IptablesScript;
import org.calicoledger.felix.dataplane.iptables.TableModel;
import org.calicoledger.felix.kernel.HostCommands;

/**
 * Felix's iptables and ipsets parts: a full sync (start of Felix, empty kernel) for 10,000 local workload endpoints,
 * against the raw tools applying the same content.
 *
 * <p>Ours: fresh ipsets and iptables parts in a fresh namespace; {@code onImage} of an image with one natOutgoing pool
 * and 10,000 WorkloadEndpoints on this node, then {@code apply(true)} of both: {@code ipset save} and
 * {@code iptables-save -t filter|nat} read back, diffed, one {@code ipset restore} and one
 * {@code iptables-restore --noflush} per table. Content: the pool ipsets plus one 10,000-member {@code hash:net} set of
 * the endpoint addresses (standing in for a policy selector's set; policy is a later issue), and 20,000 per-endpoint
 * chains {@code cali-fw-<iface>}/{@code cali-tw-<iface>} (3 rules each, default allow), 20,000 dispatch goto rules in
 * 2 x 256 dispatch groups, {@code cali-FORWARD}, the NAT chains and the hook jumps: about 20,500
 * chains and 80,500 rules. Interface names are hashes of the pod's name, as Calico's are. The cluster is
 * {@link FelixFixture}'s, shared with {@link FelixRoutesBench}.
 * Anchor: in another fresh namespace, {@code ipset restore} and one {@code iptables-restore --noflush} of exactly the
 * text ours writes (rendered once beforehand). Samples interleaved, medians. The goal (at most 1.3x) is on the whole
 * full sync, this row plus {@link FelixRoutesBench}'s ({@link Bench#derived}).
 */
final class FelixRulesBench implements Benchmark {
  static final int ENDPOINTS = 10_000;
  static final int SAMPLES = 3;
  static final int WARM = 30;
  static final int ADDS = 100;
  private FelixFixture fx;

  @Override
  public String name() {
    return "felix-rules";
  }

  @Override
  public List<Row> run() throws Exception {
    try (FelixFixture fixture = new FelixFixture("fxb-bench")) {
      fx = fixture;
      ClusterImage image = FelixFixture.image(ENDPOINTS, FelixFixture::hashedIface);
      Map<String, IpSet> extra = Map.of("cali40bench-wl-ips", endpointSet());
      String ipsetText;
      String iptablesText;
      {
        IpSetsPart ipsets = new IpSetsPart(HostCommands.LOCAL);
        ipsets.setExtra(extra);
        ipsets.onImage(image);
        ipsetText = IpsetScript.diff(ipsets.desired(), Map.of()).restore();
        IptablesPart iptables = new IptablesPart(ctx(), HostCommands.LOCAL);
        iptables.onImage(image);
        StringBuilder sb = new StringBuilder();
        for (TableModel t : iptables.desired()) {
          sb.append(IptablesScript.diff(t, ActualTable.parse("")));
        }
        iptablesText = sb.toString();
      }
      List<Double> ours = new ArrayList<>();
      List<Double> anchor = new ArrayList<>();
      for (int i = 0; i <= SAMPLES; i++) { // sample 0 warms up both sides
        String a = namespace("raw" + i);
        HostCommands raw = HostCommands.inNamespace(a);
        long t0 = System.nanoTime();
        raw.must(ipsetText, "ipset", "restore");
        raw.must(iptablesText, "iptables-restore", "--noflush");
        double rawMs = (System.nanoTime() - t0) / 1e6;
        delete(a);

        String o = namespace("ours" + i);
        HostCommands cmd = HostCommands.inNamespace(o);
        long t1 = System.nanoTime();
        IpSetsPart ipsets = new IpSetsPart(cmd);
        ipsets.setExtra(extra);
        IptablesPart iptables = new IptablesPart(ctx(), cmd);
        ipsets.onImage(image);
        iptables.onImage(image);
        ipsets.apply(true);
        iptables.apply(true);
        double oursMs = (System.nanoTime() - t1) / 1e6;
        if (i == 0) {
          check(cmd);
        }
        delete(o);
        if (i > 0) {
          ours.add(oursMs);
          anchor.add(rawMs);
        }
      }
      List<Row> rows = new ArrayList<>();
      rows.add(Row.of(Bench.FELIX_RULES_FULL, Stats.median(ours), Stats.median(anchor), "ms", Row.Goal.none()));
      rows.addAll(oneMore(image, extra));
      return rows;
    }
  }

  /**
   * One endpoint added among 10,000, {@value #ADDS} times (after {@value #WARM} unmeasured, so the JVM has compiled the
   * path, as in a calico-node that has seen a few dozen pods come and go): from the new image to
   * both parts' {@code apply(false)} returning (its chains, its dispatch group, its address in the set programmed),
   * against one rule through {@code iptables-restore --noflush} into the same table (the floor of any change). The
   * two parts apply through Felix's own {@link Sequencer} pass, which runs the ipsets part's {@code ipset restore}
   * (members only) at the same time as the iptables part's {@code iptables-restore}.
   */
  private List<Row> oneMore(ClusterImage image, Map<String, IpSet> extra) {
    String ns = namespace("inc");
    HostCommands cmd = HostCommands.inNamespace(ns);
    IpSetsPart ipsets = new IpSetsPart(cmd);
    IptablesPart iptables = new IptablesPart(ctx(), cmd);
    ipsets.setExtra(extra);
    ipsets.onImage(image);
    iptables.onImage(image);
    ipsets.apply(true);
    iptables.apply(true);
    cmd.must("*filter\n:bench-anchor - [0:0]\nCOMMIT\n", "iptables-restore", "--noflush");
    TreeSet<String> members = new TreeSet<>(extra.get("cali40bench-wl-ips").members());
    List<Double> ours = new ArrayList<>();
    List<Double> anchor = new ArrayList<>();
    for (int k = 0; k < WARM + ADDS; k++) {
      int i = ENDPOINTS + k;
      image = FelixFixture.plusEndpoint(image, i, FelixFixture.hashedIface(i));
      members.add(ip(i));
      Map<String, IpSet> sets = Map.of("cali40bench-wl-ips", new IpSet("cali40bench-wl-ips", "hash:net", "inet",
          members));
      long t0 = System.nanoTime();
      ipsets.setExtra(sets);
      ipsets.onImage(image);
      iptables.onImage(image);
      Sequencer.Outcome o = Sequencer.pass(List.of(ipsets, iptables), p -> false);
      long tDone = System.nanoTime();
      double oursMs = (tDone - t0) / 1e6;
      if (!o.changed() || !o.errors().isEmpty()) {
        throw new IllegalStateException("felix bench: adding endpoint " + i + " changed nothing or failed: "
            + o.errors());
      }
      long t1 = System.nanoTime();
      cmd.must("*filter\n-A bench-anchor -s " + ip(i) + "/32 -j RETURN\nCOMMIT\n", "iptables-restore",
          "--noflush");
      double rawMs = (System.nanoTime() - t1) / 1e6;
      if (k >= WARM) {
        ours.add(oursMs);
        anchor.add(rawMs);
      }
    }
    String last = "cali-fw-" + FelixFixture.hashedIface(ENDPOINTS + WARM + ADDS - 1);
    if (!cmd.must(null, "iptables", "-S", last).out().contains("ACCEPT")) {
      throw new IllegalStateException("felix bench: the last endpoint's chain is not programmed");
    }
    delete(ns);
    return List.of(
        Row.of("felix one endpoint added among 10k (iptables + ipsets), p50 vs one rule by iptables-restore",
            Stats.median(ours), Stats.median(anchor), "ms", Row.Goal.none()),
        Row.of("felix one endpoint added among 10k (iptables + ipsets), p99 (goal: under 50 ms)",
            Stats.percentile(ours, 0.99), Stats.percentile(anchor, 0.99), "ms", Row.Goal.oursAtMost(50)));
  }

  /** The run is only a measurement if the kernel holds what was meant: every endpoint chain and set member. */
  private static void check(HostCommands cmd) {
    String filter = cmd.must(null, "iptables-save", "-t", "filter").out();
    long chains = filter.lines().filter(l -> l.startsWith(":cali-fw-") || l.startsWith(":cali-tw-")).count();
    String sets = cmd.must(null, "ipset", "list", "cali40bench-wl-ips", "-t").out();
    if (chains != 2L * ENDPOINTS || !sets.contains("Number of entries: " + ENDPOINTS)) {
      throw new IllegalStateException("felix bench: expected " + 2 * ENDPOINTS + " endpoint chains and "
          + ENDPOINTS + " set members, found " + chains + " chains and\n" + sets);
    }
  }

  private static FelixContext ctx() {
    return FelixFixture.ctx(null);
  }

  private static String ip(int i) {
    return FelixFixture.ip(i);
  }

  private static IpSet endpointSet() {
    TreeSet<String> m = new TreeSet<>();
    for (int i = 0; i < ENDPOINTS; i++) {
      m.add(ip(i));
    }
    return new IpSet("cali40bench-wl-ips", "hash:net", "inet", m);
  }

  private String namespace(String role) {
    return fx.namespace(role);
  }

  private void delete(String ns) {
    fx.delete(ns);
  }
}
