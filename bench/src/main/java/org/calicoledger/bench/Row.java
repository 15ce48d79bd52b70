package org.calicoledger.bench;

import java.util.Locale;

/**
 * One line of the bench table. {@code ratio} is ours / anchor; the goal says which way is better and how far.
 * A row with no anchor (an absolute goal such as a latency bound) has anchor NaN.
 */
record Row(String benchmark, double ours, double anchor, String unit, Goal goal, String error) {

  /** What counts as meeting the goal. */
  record Goal(String kind, double bound) {
    static Goal ratioAtMost(double x) {
      return new Goal("ratio <= ", x);
    }

    static Goal ratioAtLeast(double x) {
      return new Goal("ratio >= ", x);
    }

    static Goal oursAtMost(double x) {
      return new Goal("ours <= ", x);
    }

    static Goal none() {
      return new Goal("", Double.NaN);
    }

    boolean met(double ours, double ratio) {
      return switch (kind) {
        case "ratio <= " -> ratio <= bound;
        case "ratio >= " -> ratio >= bound;
        case "ours <= " -> ours <= bound;
        default -> true;
      };
    }

    @Override
    public String toString() {
      return kind.isEmpty() ? "-" : kind + num(bound);
    }
  }

  static Row of(String benchmark, double ours, double anchor, String unit, Goal goal) {
    return new Row(benchmark, ours, anchor, unit, goal, null);
  }

  static Row failed(String benchmark, Exception e) {
    return new Row(benchmark, Double.NaN, Double.NaN, "", Goal.none(), e.toString());
  }

  boolean measured() {
    return error == null;
  }

  double ratio() {
    return ours / anchor;
  }

  String[] cells() {
    if (error != null) {
      return new String[] {benchmark, "FAILED: " + error, "", "", "", "no"};
    }
    double ratio = ratio();
    return new String[] {benchmark, num(ours) + " " + unit, Double.isNaN(anchor) ? "-" : num(anchor) + " " + unit,
        Double.isNaN(ratio) ? "-" : num(ratio) + "x", goal.toString(),
        goal.kind().isEmpty() ? "-" : goal.met(ours, ratio) ? "yes" : "NO"};
  }

  String format() {
    return String.join(" | ", cells());
  }

  static String num(double v) {
    if (Double.isNaN(v)) {
      return "-";
    }
    if (Math.abs(v) >= 100) {
      return String.format(Locale.ROOT, "%.0f", v);
    }
    if (Math.abs(v) >= 10) {
      return String.format(Locale.ROOT, "%.1f", v);
    }
    return String.format(Locale.ROOT, "%.2f", v);
  }
}
