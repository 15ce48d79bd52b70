package org.calicoledger.model.selector;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** {@code a || b || ...}, two or more operands in source order; see {@link AndSelector} on nesting and parentheses. */
record OrSelector(List<Selector> operands) implements Selector {
  OrSelector {
    operands = List.copyOf(operands);
    if (operands.size() < 2) {
      throw new IllegalArgumentException("|| needs at least two operands, got " + operands);
    }
  }

  @Override
  public boolean matches(Map<String, String> labels) {
    for (Selector s : operands) {
      if (s.matches(labels)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String toString() {
    return operands.stream().map(Selector::toString).collect(Collectors.joining(" || ", "(", ")"));
  }
}
