package org.calicoledger.lab;

import java.util.ArrayList;
import java.util.List;

/** The walk's results as a text table: STEP | CHECK | RESULT | EVIDENCE (first line, cut to a width), one row per check. */
public final class ResultsTable {
  private static final int EVIDENCE_WIDTH = 70;

  private ResultsTable() {}

  public static String render(List<StepResult> results) {
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"STEP", "CHECK", "RESULT", "EVIDENCE"});
    for (StepResult s : results) {
      for (Check c : s.checks()) {
        String ev = c.evidence().lines().findFirst().orElse("").strip();
        if (ev.length() > EVIDENCE_WIDTH) {
          ev = ev.substring(0, EVIDENCE_WIDTH - 3) + "...";
        }
        rows.add(new String[] {Integer.toString(c.step()), c.check(), c.result(), ev});
      }
    }
    int[] w = new int[4];
    for (String[] r : rows) {
      for (int i = 0; i < 4; i++) {
        w[i] = Math.max(w[i], r[i].length());
      }
    }
    StringBuilder sb = new StringBuilder();
    for (int k = 0; k < rows.size(); k++) {
      String[] r = rows.get(k);
      sb.append(String.format("%-" + w[0] + "s  %-" + w[1] + "s  %-" + w[2] + "s  %s", r[0], r[1], r[2], r[3])
          .stripTrailing()).append('\n');
      if (k == 0) {
        sb.append("-".repeat(w[0] + w[1] + w[2] + Math.min(w[3], EVIDENCE_WIDTH) + 6)).append('\n');
      }
    }
    long failed = results.stream().flatMap(s -> s.checks().stream()).filter(c -> !c.passed()).count();
    long total = results.stream().mapToLong(s -> s.checks().size()).sum();
    sb.append(failed == 0 ? "all " + total + " checks passed" : failed + " of " + total + " checks FAILED").append('\n');
    return sb.toString();
  }
}
