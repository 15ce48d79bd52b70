package org.calicoledger.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.calicoledger.store.Logging;

/**
 * {@code bin/bench [FILTER]}: runs every benchmark whose name contains FILTER and prints one table: benchmark, ours,
 * anchor, ratio, goal. Each anchor is measured in the same run, interleaved with ours, because these machines are
 * noisy: compare ratios, not absolute numbers.
 */
public final class Bench {
  private Bench() {}

  static List<Benchmark> all() {
    return List.of(new CalicoctlBench(), new StoreBench(), new JournalBench(), new IpamBench(), new ReplayBench(),
        new HooksBench(), new CniBench(), new FelixRulesBench(), new FelixRoutesBench(), new ConfdBench(), new BgpBench(),
        new BgpMeshKernelBench());
  }

  public static void main(String[] args) throws Exception {
    Logging.configure("off");
    String filter = args.length > 0 ? args[0] : "";
    List<Row> rows = new ArrayList<>();
    for (Benchmark b : all()) {
      if (!b.name().contains(filter)) {
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
