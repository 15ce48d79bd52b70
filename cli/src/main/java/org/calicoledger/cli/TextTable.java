package org.calicoledger.cli;

import java.util.ArrayList;
import java.util.List;

/** Rows of text in calicoctl's table layout: every cell padded to its column's widest value plus three spaces. */
final class TextTable {
  private final List<List<String>> rows = new ArrayList<>();

  TextTable(String... headings) {
    rows.add(List.of(headings));
  }

  TextTable row(String... cells) {
    List<String> r = new ArrayList<>();
    for (String c : cells) {
      r.add(c == null ? "" : c);
    }
    rows.add(r);
    return this;
  }

  @Override
  public String toString() {
    int n = rows.get(0).size();
    int[] widths = new int[n];
    for (List<String> row : rows) {
      for (int i = 0; i < n; i++) {
        widths[i] = Math.max(widths[i], Math.max(5, row.get(i).length() + 3));
      }
    }
    StringBuilder sb = new StringBuilder();
    for (List<String> row : rows) {
      for (int i = 0; i < n; i++) {
        sb.append(row.get(i));
        if (i < n - 1) {
          sb.append(" ".repeat(widths[i] - row.get(i).length()));
        }
      }
      sb.append('\n');
    }
    return sb.toString();
  }
}
