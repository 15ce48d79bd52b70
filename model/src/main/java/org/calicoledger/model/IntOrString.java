package org.calicoledger.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * A value that Calico accepts as a number or a string (its {@code numorstring} types: protocols such as {@code TCP} or
 * {@code 6}, ports such as {@code 80}, {@code "8080:8090"} or a named port, DSCP values). Written back in the form read.
 */
public record IntOrString(Long number, String text) {
  public IntOrString {
    if ((number == null) == (text == null)) {
      throw new IllegalArgumentException("exactly one of number or text");
    }
  }

  public static IntOrString of(long n) {
    return new IntOrString(n, null);
  }

  public static IntOrString of(String s) {
    return new IntOrString(null, s);
  }

  @JsonCreator
  public static IntOrString parse(Object raw) {
    if (raw instanceof Number n) {
      if (n.doubleValue() != n.longValue()) {
        throw new IllegalArgumentException("'" + raw + "' must be a whole number or a name");
      }
      return of(n.longValue());
    }
    if (raw instanceof String s) {
      return of(s);
    }
    throw new IllegalArgumentException("'" + raw + "' must be a number or a string");
  }

  public boolean isNumber() {
    return number != null;
  }

  @JsonValue
  public Object json() {
    return number != null ? number : text;
  }

  @Override
  public String toString() {
    return number != null ? number.toString() : text;
  }
}
