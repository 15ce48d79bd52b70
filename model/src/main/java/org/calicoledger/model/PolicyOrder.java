package org.calicoledger.model;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;

/**
 * A policy {@code order} as Calico's Go client writes it: a whole number without a fraction ({@code 100}, not
 * {@code 100.0}), anything else as a decimal ({@code 100.5}). The JSON/YAML serializer and calicoctl's tables share
 * {@link #format}.
 */
public final class PolicyOrder extends StdSerializer<Double> {
  PolicyOrder() {
    super(Double.class);
  }

  /** The order's text; empty for none. */
  public static String format(Double order) {
    if (order == null) {
      return "";
    }
    return whole(order) ? Long.toString(order.longValue()) : order.toString();
  }

  /** Whether Go prints {@code d} without a fraction (a whole number that a long holds exactly). */
  private static boolean whole(double d) {
    return d == Math.rint(d) && Math.abs(d) < 1e15;
  }

  @Override
  public void serialize(Double value, JsonGenerator gen, SerializerProvider provider) throws IOException {
    // a number token, not text: calicoctl's output goes through a tree, which would read text back as a double
    if (whole(value)) {
      gen.writeNumber(value.longValue());
    } else {
      gen.writeNumber(value);
    }
  }
}
