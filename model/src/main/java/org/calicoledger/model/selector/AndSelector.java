package org.calicoledger.model.selector;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * {@code a && b && ...}, two or more operands in source order. {@code (a && b) && c} keeps its nesting (an operand may
 * be another {@code AndSelector}), which is why the printed form always carries parentheses.
 */
record AndSelector(List<Selector> operands) implements Selector {
  AndSelector {
    operands = List.copyOf(operands);
    if (operands.size() < 2) {
      throw new IllegalArgumentException("&& needs at least two operands, got " + operands);
    }
  }

  @Override
  public Map.Entry<String, String> requiredLabel() {
    for (Selector s : operands) {
      Map.Entry<String, String> r = s.requiredLabel();
      if (r != null) {
        return r;
      }
    }
    return null;
  }

  @Override
  public boolean matches(Map<String, String> labels) {
    for (Selector s : operands) {
      if (!s.matches(labels)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return operands.stream().map(Selector::toString).collect(Collectors.joining(" && ", "(", ")"));
  }
}
