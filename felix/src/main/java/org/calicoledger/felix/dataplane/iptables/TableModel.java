package org.calicoledger.felix.dataplane.iptables;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What Felix wants in one iptables table: its own chains and the hook jumps into them.
 */
public record TableModel(String table, List<Chain> chains, List<HookJump> hooks) {
  public TableModel {
    chains = List.copyOf(chains);
    hooks = List.copyOf(hooks);
  }

  public Map<String, Chain> chainsByName() {
    Map<String, Chain> m = new LinkedHashMap<>();
    for (Chain c : chains) {
      if (m.put(c.name(), c) != null) {
        throw new IllegalArgumentException("chain " + c.name() + " appears twice in table " + table);
      }
    }
    return m;
  }

  public int ruleCount() {
    return chains.stream().mapToInt(c -> c.rules().size()).sum() + hooks.size();
  }
}
