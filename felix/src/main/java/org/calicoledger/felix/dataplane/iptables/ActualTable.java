package org.calicoledger.felix.dataplane.iptables;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.pcollections.HashTreePMap;
import org.pcollections.PMap;

/**
 * One table as found in the kernel (or as Felix last programmed it): for each {@code cali-} chain the hashes of its
 * rules in order (null for a rule without a {@code cali:} comment), and for each other chain the saved lines of its
 * rules in order (to find and delete Felix's hook jumps).
 *
 * <p>Immutable: {@code owned} is a persistent map, so {@link #with} records a restore that touched a few chains of
 * 20,000 without copying the rest.
 */
public record ActualTable(PMap<String, List<String>> owned, Map<String, List<String>> others) {
  public ActualTable {
    others = Map.copyOf(others);
  }

  /** Parses {@code iptables-save -t <table>} output (one table). */
  public static ActualTable parse(String save) {
    Map<String, List<String>> owned = new HashMap<>();
    Map<String, List<String>> others = new LinkedHashMap<>();
    for (String line : save.split("\n")) {
      if (line.startsWith(":")) {
        int sp = line.indexOf(' ');
        String name = sp < 0 ? line.substring(1) : line.substring(1, sp);
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
    return new ActualTable(HashTreePMap.from(owned), others);
  }

  /** The table exactly as {@code model} renders it (the record kept after a successful restore). */
  public static ActualTable of(TableModel model) {
    Map<String, List<String>> owned = new HashMap<>();
    for (Chain c : model.chains()) {
      owned.put(c.name(), c.hashes());
    }
    return new ActualTable(HashTreePMap.from(owned), hookLines(model));
  }

  /**
   * This record after a restore of {@code model}'s chains {@code names} (a chain the model lacks is gone) and of its
   * hook jumps: every other chain is taken as it was.
   */
  public ActualTable with(TableModel model, Set<String> names) {
    PMap<String, List<String>> o = owned;
    for (String n : names) {
      Chain c = model.chain(n);
      o = c == null ? o.minus(n) : o.plus(n, c.hashes());
    }
    return new ActualTable(o, hookLines(model));
  }

  private static Map<String, List<String>> hookLines(TableModel model) {
    Map<String, List<String>> others = new LinkedHashMap<>();
    for (HookJump h : model.hooks()) {
      others.computeIfAbsent(h.hookChain(), k -> new ArrayList<>()).add(h.savedLine());
    }
    return others;
  }
}
