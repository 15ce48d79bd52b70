package org.calicoledger.model.selector;

import java.util.Map;

/** {@code has(key)}: the label is present, whatever its value (the empty string included). */
record HasSelector(String key) implements Selector {
  HasSelector {
    LabelKey.require(key);
  }

  @Override
  public boolean matches(Map<String, String> labels) {
    return labels.get(key) != null;
  }

  @Override
  public String toString() {
    return "has(" + key + ")";
  }
}
