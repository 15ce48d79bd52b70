package org.calicoledger.model.selector;

import java.util.Map;
import java.util.Objects;

/** {@code key OP "value"} for the operators that compare a label with one string. */
record CompareSelector(String key, Op op, String value) implements Selector {

  @Override
  public Map.Entry<String, String> requiredLabel() {
    return op == Op.EQ ? Map.entry(key, value) : null;
  }

  /** The comparison operators, with the spelling {@link #toString()} prints. */
  enum Op {
    EQ("=="),
    NE("!="),
    CONTAINS("contains"),
    STARTS_WITH("starts with"),
    ENDS_WITH("ends with");

    private final String text;

    Op(String text) {
      this.text = text;
    }

    /**
     * {@code actual} is null when the label is absent: only {@code !=} matches then, because Calico defines
     * {@code a != "x"} as "not (a == x)" rather than "has(a) and a differs".
     */
    boolean test(String actual, String expected) {
      if (actual == null) {
        return this == NE;
      }
      return switch (this) {
        case EQ -> actual.equals(expected);
        case NE -> !actual.equals(expected);
        case CONTAINS -> actual.contains(expected);
        case STARTS_WITH -> actual.startsWith(expected);
        case ENDS_WITH -> actual.endsWith(expected);
      };
    }

    @Override
    public String toString() {
      return text;
    }
  }

  CompareSelector {
    LabelKey.require(key);
    Objects.requireNonNull(op, "op");
    SelectorParser.requireQuotable(value);
  }

  @Override
  public boolean matches(Map<String, String> labels) {
    return op.test(labels.get(key), value);
  }

  @Override
  public String toString() {
    return key + " " + op + " " + SelectorParser.quote(value);
  }
}
