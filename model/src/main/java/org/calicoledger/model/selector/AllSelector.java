package org.calicoledger.model.selector;

import java.util.Map;
import java.util.Objects;

/** {@code all()}, and what empty selector text means: matches every label map. */
record AllSelector() implements Selector {
  @Override
  public boolean matches(Map<String, String> labels) {
    Objects.requireNonNull(labels, "labels");
    return true;
  }

  @Override
  public String toString() {
    return "all()";
  }
}
