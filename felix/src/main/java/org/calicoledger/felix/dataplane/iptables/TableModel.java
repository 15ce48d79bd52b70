package org.calicoledger.felix.dataplane.iptables;

import java.util.Collection;
import java.util.List;
import java.util.TreeMap;
import org.pcollections.PSortedMap;
import org.pcollections.TreePMap;

/**
 * What Felix wants in one iptables table: its own chains (by name, a persistent map) and the hook jumps into them.
 *
 * <p>Immutable. {@link #with} and {@link #without} return a new model that shares every other chain instance with this
 * one, so a part that changes one endpoint's chains among 20,000 pays for those chains only (and their hashes, which
 * a {@link Chain} computes once per instance).
 */
public record TableModel(String table, PSortedMap<String, Chain> chainsByName, List<HookJump> hooks) {
  public TableModel {
    hooks = List.copyOf(hooks);
  }

  /** A model of {@code chains} (names must be distinct). */
  public static TableModel of(String table, List<Chain> chains, List<HookJump> hooks) {
    TreeMap<String, Chain> m = new TreeMap<>();
    for (Chain c : chains) {
      if (m.put(c.name(), c) != null) {
        throw new IllegalArgumentException("chain " + c.name() + " appears twice in table " + table);
      }
    }
    return new TableModel(table, TreePMap.fromSortedMap(m), hooks);
  }

  /** The chains in name order. */
  public Collection<Chain> chains() {
    return chainsByName.values();
  }

  /** The chain called {@code name}, or null. */
  public Chain chain(String name) {
    return chainsByName.get(name);
  }

  /** This model with {@code c} added or replacing the chain of its name. */
  public TableModel with(Chain c) {
    return new TableModel(table, chainsByName.plus(c.name(), c), hooks);
  }

  /** This model without the chain called {@code name} (the same model when it has none). */
  public TableModel without(String name) {
    return chainsByName.containsKey(name) ? new TableModel(table, chainsByName.minus(name), hooks) : this;
  }

  public int ruleCount() {
    return chainsByName.values().stream().mapToInt(c -> c.rules().size()).sum() + hooks.size();
  }
}
