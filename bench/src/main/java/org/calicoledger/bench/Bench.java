package org.calicoledger.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.calicoledger.store.Logging;

/**
 * {@code bin/bench [FILTER]}: runs every benchmark FILTER selects ({@link Benchmark#selectedBy}: its name contains
 * FILTER, except that {@code felix} leaves out {@code felix-policy}) and prints one table: benchmark, ours,
 * anchor, ratio, goal. Each anchor is measured in the same run, interleaved with ours, because these machines are
 * noisy: compare ratios, not absolute numbers.
 */
public final class Bench {
  private Bench() {}

  static List<Benchmark> all() {
    return List.of(new CalicoctlBench(), new StoreBench(), new JournalBench(), new IpamBench(), new ReplayBench(),
        new HooksBench(), new CniBench(), new FelixRulesBench(), new FelixRoutesBench(), new FelixPolicyBench(),
        new ConfdBench(), new BgpBench(), new BgpMeshKernelBench());
  }

  static final String FELIX_RULES_FULL = "felix full sync, 10k endpoints: iptables + ipsets parts vs ipset/iptables-restore";
  static final String FELIX_ROUTES_FULL = "felix full sync, 10k endpoints: routes part vs ip -batch";

  /**
   * Rows computed from others of the same run: Felix's whole full sync of 10,000 endpoints (issue #6's goal row:
   * routes, per-endpoint chains and ipsets against {@code ip -batch}, {@code iptables-restore} and
   * {@code ipset restore} applying the same content) is the sum of the two parts' medians, ours and anchors alike;
   * the two rows it sums stay in the table.
   */
  static List<Row> derived(List<Row> rows) {
    Row rules = null;
    Row routes = null;
    for (Row r : rows) {
      if (r.measured() && r.benchmark().equals(FELIX_RULES_FULL)) {
        rules = r;
      } else if (r.measured() && r.benchmark().equals(FELIX_ROUTES_FULL)) {
        routes = r;
      }
    }
    if (rules == null || routes == null) {
      return List.of();
    }
    return List.of(Row.of("felix full sync, 10k endpoints: routes + iptables + ipsets vs ip -batch + iptables-restore"
        + " + ipset restore (sum of the two rows' medians)", rules.ours() + routes.ours(),
        rules.anchor() + routes.anchor(), "ms", Row.Goal.ratioAtMost(1.3)));
  }

  public static void main(String[] args) throws Exception {
    Logging.configure("off");
    String filter = args.length > 0 ? args[0] : "";
    List<Row> rows = new ArrayList<>();
    for (Benchmark b : all()) {
      if (!b.selectedBy(filter)) {
        continue;
      }
      System.err.println("bench: " + b.name() + " ...");
      try {
        List<Row> got = b.run();
        got.forEach(r -> System.err.println("  " + r.format()));
        rows.addAll(got);
      } catch (Exception e) {
        rows.add(Row.failed(b.name(), e));
        e.printStackTrace();
      }
    }
    rows.addAll(derived(rows));
    print(rows);
    System.exit(rows.stream().allMatch(Row::measured) ? 0 : 1);
  }

  static void print(List<Row> rows) {
    String[] head = {"benchmark", "ours", "anchor", "ratio", "goal", "met"};
    List<String[]> cells = new ArrayList<>();
    cells.add(head);
    rows.forEach(r -> cells.add(r.cells()));
    int[] w = new int[head.length];
    for (String[] c : cells) {
      for (int i = 0; i < c.length; i++) {
        w[i] = Math.max(w[i], c[i].length());
      }
    }
    StringBuilder sb = new StringBuilder();
    for (int n = 0; n < cells.size(); n++) {
      String[] c = cells.get(n);
      sb.append("| ");
      for (int i = 0; i < c.length; i++) {
        sb.append(String.format(Locale.ROOT, "%-" + w[i] + "s | ", c[i]));
      }
      sb.setLength(sb.length() - 1);
      sb.append('\n');
      if (n == 0) {
        sb.append('|');
        for (int width : w) {
          sb.append("-".repeat(width + 2)).append('|');
        }
        sb.append('\n');
      }
    }
    System.out.print(sb);
  }
}
