package org.calicoledger.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * A BGP AS number (0 to 4294967295). Read from a JSON number, a decimal string or the "asdot" form {@code A.B}
 * (meaning A * 65536 + B), as Calico's {@code numorstring.ASNumber}; always written as a number.
 */
public record AsNumber(long value) {
  public static final long MAX = 0xFFFF_FFFFL;

  public AsNumber {
    if (value < 0 || value > MAX) {
      throw new IllegalArgumentException("AS number " + value + " is out of range: must be 0-4294967295");
    }
  }

  @JsonCreator
  public static AsNumber parse(Object raw) {
    if (raw instanceof Number n) {
      if (n instanceof Double || n instanceof Float || n.doubleValue() != n.longValue()) {
        throw new IllegalArgumentException("AS number " + raw + " must be a whole number 0-4294967295 or asdot A.B");
      }
      return new AsNumber(n.longValue());
    }
    String s = String.valueOf(raw).trim();
    try {
      int dot = s.indexOf('.');
      if (dot < 0) {
        return new AsNumber(Long.parseLong(s));
      }
      long hi = Long.parseLong(s.substring(0, dot));
      long lo = Long.parseLong(s.substring(dot + 1));
      if (hi < 0 || hi > 0xFFFF || lo < 0 || lo > 0xFFFF) {
        throw new NumberFormatException();
      }
      return new AsNumber((hi << 16) + lo);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("invalid AS number '" + s + "': must be 0-4294967295 or asdot A.B (each part 0-65535)");
    }
  }

  @JsonValue
  public long value() {
    return value;
  }

  @Override
  public String toString() {
    return Long.toString(value);
  }
}
