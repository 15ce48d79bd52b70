package org.calicoledger.felix.dataplane.iptables;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One table as found in the kernel (or as Felix last programmed it): for each {@code cali-} chain the hashes of its
 * rules in order (null for a rule without a {@code cali:} comment), and for each other chain the saved lines of its
 * rules in order (to find and delete Felix's hook jumps).
 */
public record ActualTable(Map<String, List<String>> owned, Map<String, List<String>> others) {

  /** Parses {@code iptables-save -t <table>} output (one table). */
  public static ActualTable parse(String save) {
    Map<String, List<String>> owned = new LinkedHashMap<>();
    Map<String, List<String>> others = new LinkedHashMap<>();
    for (String line : save.split("\n")) {
      if (line.startsWith(":")) {
        String name = line.substring(1).split("\\s+")[0];
        (name.startsWith(Chain.PREFIX) ? owned : others).computeIfAbsent(name, k -> new ArrayList<>());
      } else if (line.startsWith("-A ")) {
        int sp = line.indexOf(' ', 3);
        String chain = sp < 0 ? line.substring(3) : line.substring(3, sp);
        if (chain.startsWith(Chain.PREFIX)) {
          owned.computeIfAbsent(chain, k -> new ArrayList<>()).add(RuleHash.find(line));
        } else {
          others.computeIfAbsent(chain, k -> new ArrayList<>()).add(line);
        }
      }
    }
    return new ActualTable(owned, others);
  }

  /** The table exactly as {@code model} renders it (the record kept after a successful restore). */
  public static ActualTable of(TableModel model) {
    Map<String, List<String>> owned = new LinkedHashMap<>();
    for (Chain c : model.chains()) {
      owned.put(c.name(), c.hashes());
    }
    Map<String, List<String>> others = new LinkedHashMap<>();
    for (HookJump h : model.hooks()) {
      others.computeIfAbsent(h.hookChain(), k -> new ArrayList<>()).add(h.savedLine());
    }
    return new ActualTable(owned, others);
  }
}
