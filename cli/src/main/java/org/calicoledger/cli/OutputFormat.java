package org.calicoledger.cli;

import java.util.List;

/** The {@code -o/--output} values a command accepts; {@code yml} is taken as {@code yaml}, as calicoctl does. */
final class OutputFormat {
  private OutputFormat() {}

  /**
   * The normalized format, or an error naming the value and what is allowed. An allowed value ending in {@code =}
   * (such as {@code custom-columns=}) accepts anything after it.
   */
  static String of(String output, String... allowed) {
    String format = output.equals("yml") ? "yaml" : output;
    for (String a : allowed) {
      if (a.endsWith("=") ? format.startsWith(a) : format.equals(a)) {
        return format;
      }
    }
    List<String> names = List.of(allowed).stream().map(a -> a.endsWith("=") ? a + "COL,..." : a).toList();
    throw new IllegalArgumentException("unrecognized output format '" + output + "': use "
        + String.join(", ", names.subList(0, names.size() - 1)) + (names.size() > 1 ? " or " : "")
        + names.get(names.size() - 1));
  }
}
