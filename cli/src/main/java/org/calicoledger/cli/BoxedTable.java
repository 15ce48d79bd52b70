package org.calicoledger.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * The boxed tables of {@code calicoctl ipam} (Calico prints them with a table writer): {@code +---+} rules, headings
 * centred, cells that are numbers right-aligned and the rest left-aligned, one space of padding.
 */
final class BoxedTable {
  private final List<String> headings;
  private final List<List<String>> rows = new ArrayList<>();

  BoxedTable(String... headings) {
    this.headings = List.of(headings);
  }

  BoxedTable row(String... cells) {
    rows.add(List.of(cells));
    return this;
  }

  boolean isEmpty() {
    return rows.isEmpty();
  }

  String render() {
    int[] w = new int[headings.size()];
    for (int i = 0; i < w.length; i++) {
      w[i] = headings.get(i).length();
      for (List<String> r : rows) {
        w[i] = Math.max(w[i], r.get(i).length());
      }
    }
    StringBuilder rule = new StringBuilder("+");
    for (int width : w) {
      rule.append("-".repeat(width + 2)).append('+');
    }
    rule.append('\n');
    StringBuilder sb = new StringBuilder(rule);
    sb.append('|');
    for (int i = 0; i < w.length; i++) {
      int gap = w[i] - headings.get(i).length();
      sb.append(' ').append(" ".repeat(gap / 2)).append(headings.get(i)).append(" ".repeat(gap - gap / 2)).append(" |");
    }
    sb.append('\n').append(rule);
    for (List<String> r : rows) {
      sb.append('|');
      for (int i = 0; i < w.length; i++) {
        String c = r.get(i);
        String pad = " ".repeat(w[i] - c.length());
        sb.append(' ').append(numeric(c) ? pad + c : c + pad).append(" |");
      }
      sb.append('\n');
    }
    if (!rows.isEmpty()) {
      sb.append(rule);
    }
    return sb.toString();
  }

  private static boolean numeric(String s) {
    return s.matches("-?[0-9]+(\\.[0-9]+)?(e[+-][0-9]+)?");
  }
}
