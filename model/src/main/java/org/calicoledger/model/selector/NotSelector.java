package org.calicoledger.model.selector;

import java.util.Map;
import java.util.Objects;

/**
 * {@code !operand}. The operand is never itself a {@code NotSelector}: the parser folds {@code !!x} to {@code x}, as
 * Calico does, so a double negation built by hand would print as text that parses to something unequal.
 */
record NotSelector(Selector operand) implements Selector {
  NotSelector {
    Objects.requireNonNull(operand, "operand");
    if (operand instanceof NotSelector) {
      throw new IllegalArgumentException(
          "double negation !" + operand + " is not a parsed form; use the inner operand");
    }
  }

  @Override
  public boolean matches(Map<String, String> labels) {
    return !operand.matches(labels);
  }

  /** {@code &&} and {@code ||} print their own parentheses, so no operand needs more. */
  @Override
  public String toString() {
    return "!" + operand;
  }
}
