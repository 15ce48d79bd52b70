package org.calicoledger.model.selector;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * {@code key in {...}} or, when {@code notIn}, {@code key not in {...}}. The members are kept de-duplicated and in
 * code-point order (the order of Go's byte-wise string sort on UTF-8, which Calico prints), so equal sets give equal
 * selectors and identical text. An empty set is legal: {@code in {}} matches nothing, {@code not in {}} everything.
 */
record InSetSelector(String key, List<String> values, boolean notIn) implements Selector {
  static final Comparator<String> CODE_POINT_ORDER = InSetSelector::compareCodePoints;

  InSetSelector {
    LabelKey.require(key);
    TreeSet<String> sorted = new TreeSet<>(CODE_POINT_ORDER);
    for (String v : values) {
      sorted.add(SelectorParser.requireQuotable(v));
    }
    values = List.copyOf(sorted);
  }

  @Override
  public boolean matches(Map<String, String> labels) {
    String actual = labels.get(key);
    if (actual == null) {
      return notIn;
    }
    return values.contains(actual) != notIn;
  }

  @Override
  public String toString() {
    StringBuilder out = new StringBuilder(key).append(notIn ? " not in {" : " in {");
    for (int i = 0; i < values.size(); i++) {
      out.append(i == 0 ? "" : ", ").append(SelectorParser.quote(values.get(i)));
    }
    return out.append('}').toString();
  }

  private static int compareCodePoints(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) {
        return Integer.compare(ca, cb);
      }
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Integer.compare(a.length() - i, b.length() - j);
  }
}
