package org.calicoledger.ipam;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

/**
 * The JSON codec shared by the IPAM value types. Values are compact JSON as Go's {@code json.Marshal} writes them;
 * Calico's {@code uint64} counters are read and written unsigned.
 */
final class IpamJson {
  static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final JsonMapper MAPPER = JsonMapper.builder().build();

  private IpamJson() {}

  /** A JSON object read from {@code key}; anything else is an error naming the key. */
  static ObjectNode parseObject(byte[] json, String key) {
    JsonNode n;
    try {
      n = MAPPER.readTree(json);
    } catch (IOException e) {
      String text = new String(json, 0, Math.min(json.length, 120), StandardCharsets.UTF_8);
      throw new IllegalArgumentException("value of " + key + " is not JSON (" + firstLine(e) + "): " + text, e);
    }
    if (n == null || !n.isObject()) {
      throw new IllegalArgumentException("value of " + key + " is not a JSON object");
    }
    return (ObjectNode) n;
  }

  static byte[] write(JsonNode node) {
    try {
      return MAPPER.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  static JsonGenerator generator(OutputStream out) throws IOException {
    return MAPPER.getFactory().createGenerator(out);
  }

  /** A Go {@code uint64} field: a JSON integer 0..2^64-1, held in a long with unsigned meaning. */
  static long unsigned(JsonNode n, String field, String key) {
    if (n == null || n.isNull() || n.isMissingNode()) {
      return 0;
    }
    if (!n.isIntegralNumber()) {
      throw new IllegalArgumentException(key + ": " + field + " must be an unsigned integer, got " + n);
    }
    BigInteger v = n.bigIntegerValue();
    if (v.signum() < 0 || v.bitLength() > 64) {
      throw new IllegalArgumentException(key + ": " + field + " " + v + " is outside 0..2^64-1");
    }
    return v.longValue();
  }

  static JsonNode unsignedNode(long v) {
    return v >= 0 ? LongNode.valueOf(v) : BigIntegerNode.valueOf(new BigInteger(Long.toUnsignedString(v)));
  }

  private static String firstLine(IOException e) {
    String m = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
    return m == null ? e.getClass().getSimpleName() : m.lines().findFirst().orElse(m);
  }
}
