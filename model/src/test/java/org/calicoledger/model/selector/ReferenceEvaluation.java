package org.calicoledger.model.selector;

import java.util.Map;
import java.util.Set;

/**
 * A deliberately plain restatement of Calico's documented selector semantics, written against the AST's accessors
 * rather than reusing the records' own {@code matches}, so that the property test compares two independent readings.
 */
final class ReferenceEvaluation {
  private ReferenceEvaluation() {}

  static boolean matches(Selector s, Map<String, String> labels) {
    if (s instanceof AllSelector || s instanceof GlobalSelector) {
      return true;
    }
    if (s instanceof HasSelector h) {
      return labels.containsKey(h.key());
    }
    if (s instanceof CompareSelector c) {
      boolean present = labels.containsKey(c.key());
      String v = labels.get(c.key());
      String w = c.value();
      return switch (c.op()) {
        case EQ -> present && v.equals(w);
        case NE -> !(present && v.equals(w));
        case CONTAINS -> present && v.indexOf(w) >= 0;
        case STARTS_WITH -> present && v.length() >= w.length() && v.regionMatches(0, w, 0, w.length());
        case ENDS_WITH -> present && v.length() >= w.length() && v.regionMatches(v.length() - w.length(), w, 0,
            w.length());
      };
    }
    if (s instanceof InSetSelector in) {
      boolean member = labels.containsKey(in.key()) && Set.copyOf(in.values()).contains(labels.get(in.key()));
      return in.notIn() ? !member : member;
    }
    if (s instanceof NotSelector n) {
      return !matches(n.operand(), labels);
    }
    if (s instanceof AndSelector a) {
      return a.operands().stream().allMatch(o -> matches(o, labels));
    }
    return ((OrSelector) s).operands().stream().anyMatch(o -> matches(o, labels));
  }
}
