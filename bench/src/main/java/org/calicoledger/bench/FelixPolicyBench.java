package org.calicoledger.bench;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.calicoledger.events.image.ClusterImage;
import org.calicoledger.felix.FelixPart;
import org.calicoledger.felix.Sequencer;
import org.calicoledger.felix.calc.policy.PolicyCalc;
import org.calicoledger.felix.calc.policy.PolicyNames;
import org.calicoledger.felix.dataplane.ipsets.IpSet;
import org.calicoledger.felix.dataplane.ipsets.IpSetsPart;
import org.calicoledger.felix.dataplane.iptables.IptablesPart;
import org.calicoledger.felix.kernel.HostCommands;

/**
 * Network policy in Felix (issue #11): {@link PolicyCluster}'s 1,000 policies over 2,000 local and 2,000 remote
 * endpoints, programmed by the ipsets and iptables parts sharing one {@link PolicyCalc}, as calico-node wires them.
 *
 * <p>Full programming: {@value #ROUNDS} rounds after one warm-up round, each in fresh namespaces. Ours: a fresh
 * image (nothing decoded), fresh {@link PolicyCalc} and parts; from {@code onImage} of both parts to the end of a full
 * {@link Sequencer#pass} into the empty namespace (calc, {@code ipset save}/{@code iptables-save} read back, one
 * {@code ipset restore}, one {@code iptables-restore --noflush} per table). Anchor: in another fresh namespace, one
 * {@code ipset restore} and one {@code iptables-restore} of exactly what ours left in the kernel (its
 * {@code ipset save} and {@code iptables-save} of the warm-up round, counters zeroed) with
 * {@code iptables-restore --noflush}, the mode Felix must use (it leaves other tools' rules alone), as the felix
 * rows' anchors do; the goal is on that one. A second anchor restores without {@code --noflush} (replacing the whole
 * table), shown for comparison: this iptables (1.8.9, nf_tables) loads the same text about twice as fast that way,
 * which Felix cannot use. Each namespace is deleted, and the kernel
 * given {@value #SETTLE_MS} ms to free it, before the next timed sample (deleting big tables keeps a kernel worker
 * busy). Extra rows: the {@code onImage} share of ours, and {@code PolicyCalc.update} alone on a fresh image.
 *
 * <p>Label change: on one programmed node, {@value #WARM} unmeasured then {@value #CHANGES} measured changes, each
 * giving one endpoint (local and remote alternately, never the same one twice) another {@code app} label, from
 * {@code onImage} of the new image to the end of the ipsets part's apply inside an incremental
 * {@link Sequencer#pass} (the goal's "ipset update"; it may overlap the iptables part's restore of a local endpoint's
 * chains), and to the end of the whole pass (extra rows). After each, the sets the
 * calc moved the address between are tested in the kernel ({@code ipset test}: member of each new set, of no old
 * one). Anchor: the same {@code del}/{@code add} lines through one {@code ipset restore} into a second namespace
 * loaded with the same sets; at the end both namespaces' members must be equal. Then, on the same node, policy
 * edits ({@link #policyEdits}): no goal in the issue, measured because any policy change rebuilds the calculation.
 */
final class FelixPolicyBench implements Benchmark {
  static final int ROUNDS = 3;
  static final int WARM = 30;
  static final int CHANGES = 100;
  static final long SETTLE_MS = 2_000;
  static final int EDIT_WARM = 5;
  static final int EDITS = 20;
  private FelixFixture fx;

  @Override
  public String name() {
    return "felix-policy";
  }

  /** Not part of {@code bin/bench felix} (issue #6's rules and routes rows); {@code felix-policy}, {@code policy}. */
  @Override
  public boolean selectedBy(String filter) {
    return !filter.equals("felix") && name().contains(filter);
  }

  @Override
  public List<Row> run() throws Exception {
    try (FelixFixture fixture = new FelixFixture("fxp-bench")) {
      fx = fixture;
      List<Row> rows = new ArrayList<>(full());
      rows.addAll(labelChanges());
      return rows;
    }
  }

  private static List<FelixPart> parts(HostCommands cmd, PolicyCalc calc) {
    return List.of(new IpSetsPart(cmd, calc), new IptablesPart(FelixFixture.ctx(null), cmd, calc));
  }

  /** A part that records when its last apply returned (the ipsets part may apply on the Sequencer's helper thread). */
  static final class Timed implements FelixPart {
    final FelixPart inner;
    volatile long appliedAt;

    Timed(FelixPart inner) {
      this.inner = inner;
    }

    @Override
    public String name() {
      return inner.name();
    }

    @Override
    public void onImage(ClusterImage image) {
      inner.onImage(image);
    }

    @Override
    public boolean mayOverlapNext(boolean full) {
      return inner.mayOverlapNext(full);
    }

    @Override
    public boolean apply(boolean full) throws Exception {
      boolean changed = inner.apply(full);
      appliedAt = System.nanoTime();
      return changed;
    }
  }

  private static Sequencer.Outcome pass(List<FelixPart> parts, boolean full, String what) {
    Sequencer.Outcome o = Sequencer.pass(parts, p -> full);
    if (!o.errors().isEmpty() || !o.changed()) {
      throw new IllegalStateException("felix-policy bench: " + what + " changed nothing or failed: " + o.errors());
    }
    return o;
  }

  /** {@link System#nanoTime()} before every part's {@code onImage}, after them, and after the pass. */
  private record Timing(long start, long calculated, long applied) {
    double onImageMs() {
      return (calculated - start) / 1e6;
    }

    double totalMs() {
      return (applied - start) / 1e6;
    }
  }

  /** Hands {@code image} to every part, then runs one {@link #pass}, timing both. */
  private static Timing timedPass(List<FelixPart> parts, ClusterImage image, boolean full, String what) {
    long t0 = System.nanoTime();
    for (FelixPart p : parts) {
      p.onImage(image);
    }
    long t1 = System.nanoTime();
    pass(parts, full, what);
    return new Timing(t0, t1, System.nanoTime());
  }

  private List<Row> full() {
    List<Double> ours = new ArrayList<>();
    List<Double> onImage = new ArrayList<>();
    List<Double> anchor = new ArrayList<>();
    List<Double> anchorNoflush = new ArrayList<>();
    List<Double> calcAlone = new ArrayList<>();
    String ipsetText = null;
    String iptablesText = null;
    String shape = null;
    for (int i = 0; i <= ROUNDS; i++) { // round 0 warms up and records what the anchor restores
      if (i > 0) {
        anchor.add(restore("raw" + i, ipsetText, iptablesText));
        anchorNoflush.add(restore("rawnf" + i, ipsetText, iptablesText, "--noflush"));
      }
      ClusterImage image = PolicyCluster.image();
      String o = fx.namespace("ours" + i);
      HostCommands cmd = HostCommands.inNamespace(o);
      List<FelixPart> parts = parts(cmd, new PolicyCalc(FelixFixture.NODE));
      Timing t = timedPass(parts, image, true, "the full programming");
      if (i == 0) {
        ipsetText = cmd.must(null, "ipset", "save").out();
        iptablesText = cmd.must(null, "iptables-save").out().replaceAll("\\[\\d+:\\d+\\]", "[0:0]");
        shape = shape(ipsetText, iptablesText);
        System.err.println("  felix-policy shape: " + shape);
      } else {
        ours.add(t.totalMs());
        onImage.add(t.onImageMs());
      }
      delete(o);
      ClusterImage fresh = PolicyCluster.image();
      long t4 = System.nanoTime();
      new PolicyCalc(FelixFixture.NODE).update(fresh);
      if (i > 0) {
        calcAlone.add((System.nanoTime() - t4) / 1e6);
      }
    }
    return List.of(
        Row.of("felix-policy: 1,000 policies over 2,000 local + 2,000 remote endpoints, full programming (calc, "
            + "ipsets, iptables) into an empty namespace vs one ipset restore + one iptables-restore --noflush of the"
            + " same content (the mode Felix must use: it leaves other tools' rules alone; as the felix rows) ["
            + shape + "]", Stats.median(ours), Stats.median(anchorNoflush), "ms", Row.Goal.ratioAtMost(1.5)),
        Row.of("felix-policy: the same vs iptables-restore replacing the whole table (flush mode, which would delete"
            + " every other tool's rules)", Stats.median(ours), Stats.median(anchor), "ms", Row.Goal.none()),
        Row.of("felix-policy: the same, of which onImage of both parts (PolicyCalc + iptables model)",
            Stats.median(onImage), Double.NaN, "ms", Row.Goal.none()),
        Row.of("felix-policy: PolicyCalc.update alone, fresh calc on a fresh image", Stats.median(calcAlone),
            Double.NaN, "ms", Row.Goal.none()));
  }

  /** Milliseconds of one {@code ipset restore} and one {@code iptables-restore} into fresh namespace {@code role}. */
  private double restore(String role, String ipsetText, String iptablesText, String... restoreOptions) {
    String ns = fx.namespace(role);
    HostCommands raw = HostCommands.inNamespace(ns);
    List<String> restore = new ArrayList<>(List.of("iptables-restore"));
    restore.addAll(List.of(restoreOptions));
    long t0 = System.nanoTime();
    raw.must(ipsetText, "ipset", "restore");
    raw.must(iptablesText, restore.toArray(String[]::new));
    double ms = (System.nanoTime() - t0) / 1e6;
    delete(ns);
    return ms;
  }

  /**
   * Deletes {@code ns} and waits {@value #SETTLE_MS} ms: the kernel frees a namespace's tables on a worker after
   * {@code ip netns del} returns, which would otherwise slow the next sample.
   */
  private void delete(String ns) {
    fx.delete(ns);
    try {
      Thread.sleep(SETTLE_MS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("felix-policy bench interrupted", e);
    }
  }

  /** Chains, rules, sets and members of the saved text, for the row. */
  private static String shape(String ipsetSave, String iptablesSave) {
    long chains = iptablesSave.lines().filter(l -> l.startsWith(":cali")).count();
    long policyChains = iptablesSave.lines().filter(l -> l.startsWith(":cali-pi-") || l.startsWith(":cali-po-"))
        .count();
    long rules = iptablesSave.lines().filter(l -> l.startsWith("-A ")).count();
    long sets = ipsetSave.lines().filter(l -> l.startsWith("create ")).count();
    long selectorSets = ipsetSave.lines().filter(l -> l.startsWith("create cali40s:")).count();
    long members = ipsetSave.lines().filter(l -> l.startsWith("add ")).count();
    return chains + " cali chains (" + policyChains + " policy chains), " + rules + " rules, " + sets + " ipsets ("
        + selectorSets + " selector sets), " + members + " members";
  }

  private List<Row> labelChanges() {
    String ns = fx.namespace("node");
    String rawNs = fx.namespace("node-raw");
    HostCommands cmd = HostCommands.inNamespace(ns);
    HostCommands raw = HostCommands.inNamespace(rawNs);
    PolicyCalc calc = new PolicyCalc(FelixFixture.NODE);
    List<FelixPart> plain = parts(cmd, calc);
    Timed ipsets = new Timed(plain.get(0));
    List<FelixPart> parts = List.of(ipsets, plain.get(1));
    ClusterImage image = PolicyCluster.image();
    for (FelixPart p : parts) {
      p.onImage(image);
    }
    pass(parts, true, "programming the node");
    raw.must(cmd.must(null, "ipset", "save").out(), "ipset", "restore");
    int rebuilds = calc.rebuilds();
    List<Double> ours = new ArrayList<>();
    List<Double> toIpset = new ArrayList<>();
    List<Double> onImage = new ArrayList<>();
    List<Double> anchor = new ArrayList<>();
    List<Double> local = new ArrayList<>();
    List<Double> remote = new ArrayList<>();
    for (int k = 0; k < WARM + CHANGES; k++) {
      boolean isLocal = k % 2 == 0;
      int i = isLocal ? (k / 2 * 29) % PolicyCluster.LOCAL : PolicyCluster.LOCAL + (k / 2 * 31) % PolicyCluster.REMOTE;
      String ip = FelixFixture.ip(i);
      Set<String> before = setsWith(calc, ip);
      ClusterImage next = PolicyCluster.relabel(image, i, (i % PolicyCluster.APPS + 250) % PolicyCluster.APPS);
      Timing t = timedPass(parts, next, false, "relabelling endpoint " + i);
      image = next;
      Set<String> after = setsWith(calc, ip);
      Set<String> added = new TreeSet<>(after);
      added.removeAll(before);
      Set<String> removed = new TreeSet<>(before);
      removed.removeAll(after);
      if (added.isEmpty() || removed.isEmpty()) {
        throw new IllegalStateException("felix-policy bench: relabelling endpoint " + i + " did not move " + ip
            + " between selector sets: added to " + added + ", removed from " + removed);
      }
      for (String s : added) {
        if (!cmd.run(null, "ipset", "test", s, ip).ok()) {
          throw new IllegalStateException("felix-policy bench: " + ip + " is not in the kernel's set " + s);
        }
      }
      for (String s : removed) {
        if (cmd.run(null, "ipset", "test", s, ip).ok()) {
          throw new IllegalStateException("felix-policy bench: " + ip + " is still in the kernel's set " + s);
        }
      }
      StringBuilder lines = new StringBuilder();
      removed.forEach(s -> lines.append("del ").append(s).append(' ').append(ip).append('\n'));
      added.forEach(s -> lines.append("add ").append(s).append(' ').append(ip).append('\n'));
      long t3 = System.nanoTime();
      raw.must(lines.toString(), "ipset", "restore");
      double rawMs = (System.nanoTime() - t3) / 1e6;
      if (k >= WARM) {
        double ms = t.totalMs();
        ours.add(ms);
        toIpset.add((ipsets.appliedAt - t.start()) / 1e6);
        onImage.add(t.onImageMs());
        anchor.add(rawMs);
        (isLocal ? local : remote).add(ms);
      }
    }
    if (!members(cmd).equals(members(raw))) {
      throw new IllegalStateException("felix-policy bench: after the label changes the anchor's sets differ from"
          + " the node's");
    }
    if (calc.rebuilds() != rebuilds) {
      throw new IllegalStateException("felix-policy bench: a label change rebuilt the whole calculation");
    }
    List<Row> edits = policyEdits(cmd, parts, calc, image);
    fx.delete(ns);
    fx.delete(rawNs);
    String what = "felix-policy: label change (local and remote endpoints alternately) among 1,000 policies, new image"
        + " to the ipset update in the kernel (the ipsets part's restore done) vs one ipset restore of the same"
        + " del/add lines";
    String pass = "felix-policy: label change, new image to the whole incremental Sequencer pass done (a local"
        + " endpoint's two chains too)";
    List<Row> rows = new ArrayList<>(List.of(
        Row.of(what + ", p50", Stats.median(toIpset), Stats.median(anchor), "ms", Row.Goal.none()),
        Row.of(what + ", p99 (goal: under 100 ms)", Stats.percentile(toIpset, 0.99), Stats.percentile(anchor, 0.99),
            "ms", Row.Goal.oursAtMost(100)),
        Row.of(pass + ", p50", Stats.median(ours), Double.NaN, "ms", Row.Goal.none()),
        Row.of(pass + ", p99", Stats.percentile(ours, 0.99), Double.NaN, "ms", Row.Goal.none()),
        Row.of("felix-policy: label change, of which onImage (PolicyCalc + iptables model), p50",
            Stats.median(onImage), Double.NaN, "ms", Row.Goal.none()),
        Row.of("felix-policy: label change, of which onImage, p99", Stats.percentile(onImage, 0.99), Double.NaN,
            "ms", Row.Goal.none()),
        Row.of("felix-policy: label change, local endpoints only (ipsets + the endpoint's two chains), p99",
            Stats.percentile(local, 0.99), Double.NaN, "ms", Row.Goal.none()),
        Row.of("felix-policy: label change, remote endpoints only (ipsets only), p99",
            Stats.percentile(remote, 0.99), Double.NaN, "ms", Row.Goal.none())));
    rows.addAll(edits);
    return rows;
  }

  /**
   * One GlobalNetworkPolicy among 1,000 edited (its first rule's port), {@value #EDIT_WARM} unmeasured then
   * {@value #EDITS} measured, on the programmed node: new image to the end of the incremental pass (any policy change
   * rebuilds the whole calculation), checked in the kernel ({@code iptables -S} of its chain shows the new port),
   * against one {@code iptables-restore --noflush} rewriting that chain with the same rules in the same table.
   */
  private static List<Row> policyEdits(HostCommands cmd, List<FelixPart> parts, PolicyCalc calc, ClusterImage image) {
    List<Double> ours = new ArrayList<>();
    List<Double> onImage = new ArrayList<>();
    List<Double> anchor = new ArrayList<>();
    int p = 0;
    for (int k = 0; k < EDIT_WARM + EDITS; k++) {
      String chain;
      do { // an active policy: one whose chain is programmed
        p = (p + 14) % PolicyCluster.POLICIES;
        chain = PolicyNames.policyChain(true, "bench-p" + p);
      } while (!calc.chains().containsKey(chain));
      int port = 7000 + k;
      ClusterImage next = PolicyCluster.editPolicy(image, p, port);
      Timing t = timedPass(parts, next, false, "editing policy " + p);
      image = next;
      String rules = cmd.must(null, "iptables", "-S", chain).out();
      if (!rules.contains(port + ",")) {
        throw new IllegalStateException("felix-policy bench: chain " + chain + " does not show port " + port + ":\n"
            + rules);
      }
      StringBuilder script = new StringBuilder("*filter\n-F " + chain + "\n");
      rules.lines().filter(l -> l.startsWith("-A ")).forEach(l -> script.append(l).append('\n'));
      script.append("COMMIT\n");
      long t3 = System.nanoTime();
      cmd.must(script.toString(), "iptables-restore", "--noflush");
      double rawMs = (System.nanoTime() - t3) / 1e6;
      if (k >= EDIT_WARM) {
        ours.add(t.totalMs());
        onImage.add(t.onImageMs());
        anchor.add(rawMs);
      }
    }
    String what = "felix-policy: one GlobalNetworkPolicy among 1,000 edited (a port), new image to the incremental"
        + " Sequencer pass done vs iptables-restore --noflush of its chain's new rules";
    return List.of(
        Row.of(what + ", p50 of " + EDITS, Stats.median(ours), Stats.median(anchor), "ms", Row.Goal.none()),
        Row.of(what + ", max of " + EDITS, Stats.percentile(ours, 1.0), Stats.percentile(anchor, 1.0), "ms",
            Row.Goal.none()),
        Row.of("felix-policy: policy edit, of which onImage (PolicyCalc rebuilds everything), p50",
            Stats.median(onImage), Double.NaN, "ms", Row.Goal.none()));
  }

  /** The names of the calc's sets holding {@code ip}. */
  private static Set<String> setsWith(PolicyCalc calc, String ip) {
    Set<String> out = new HashSet<>();
    for (IpSet s : calc.ipsets().values()) {
      if (s.members().contains(ip)) {
        out.add(s.name());
      }
    }
    return out;
  }

  /** The sorted {@code add} lines of a namespace's {@code ipset save}. */
  private static List<String> members(HostCommands cmd) {
    return cmd.must(null, "ipset", "save").out().lines().filter(l -> l.startsWith("add ")).sorted().toList();
  }
}
