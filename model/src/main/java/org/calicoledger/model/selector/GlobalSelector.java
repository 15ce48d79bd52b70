package org.calicoledger.model.selector;

import java.util.Map;
import java.util.Objects;

/**
 * {@code global()}: in Calico a {@code namespaceSelector} of {@code global()} picks non-namespaced resources (host
 * endpoints, global network sets) instead of namespaces. That choice is made by whoever scopes the selector; as a
 * label match it selects everything, exactly like Calico's own evaluator.
 */
record GlobalSelector() implements Selector {
  @Override
  public boolean matches(Map<String, String> labels) {
    Objects.requireNonNull(labels, "labels");
    return true;
  }

  @Override
  public String toString() {
    return "global()";
  }
}
