package org.calicoledger.model;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;

/**
 * Writes a policy {@code order} as Calico's Go client does: a whole number without a fraction ({@code 100}, not
 * {@code 100.0}), anything else as a decimal ({@code 100.5}).
 */
final class PolicyOrder extends StdSerializer<Double> {
  PolicyOrder() {
    super(Double.class);
  }

  @Override
  public void serialize(Double value, JsonGenerator gen, SerializerProvider provider) throws IOException {
    double d = value;
    if (d == Math.rint(d) && Math.abs(d) < 1e15) {
      gen.writeNumber((long) d);
    } else {
      gen.writeNumber(d);
    }
  }
}
