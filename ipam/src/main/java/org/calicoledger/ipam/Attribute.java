package org.calicoledger.ipam;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collections;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The owner of one or more allocations in a block: Calico's {@code AllocationAttribute}, JSON
 * {@code {"handle_id": "...", "secondary": {"node": ..., "pod": ..., "namespace": ..., "timestamp": ...}}}.
 * Allocations with the same handle and secondary attributes share one entry, as in Calico. {@code source} keeps the
 * object as read, so fields this code does not know (newer Calico's owner attributes) are written back unchanged.
 *
 * @param handleId the handle, or null (Calico allows allocations without one)
 * @param secondary the attributes, or null when the JSON holds {@code null}
 */
public record Attribute(String handleId, Map<String, String> secondary, ObjectNode source) {
  public Attribute {
    secondary = secondary == null ? null : Collections.unmodifiableMap(new TreeMap<>(secondary));
  }

  /** A new attribute; its JSON is built once here, not on every write of the block. */
  static Attribute of(String handleId, Map<String, String> secondary) {
    Attribute a = new Attribute(handleId, secondary == null ? Map.of() : secondary, null);
    return new Attribute(a.handleId, a.secondary, (ObjectNode) a.toJson());
  }

  /** The handle with the damage of an old host-local migration cut off (Calico's {@code sanitizeHandle}). */
  public String handle() {
    if (handleId == null) {
      return null;
    }
    int cr = handleId.indexOf('\r');
    return cr < 0 ? handleId : handleId.substring(0, cr);
  }

  public String secondary(String name) {
    return secondary == null ? null : secondary.get(name);
  }

  boolean sameOwner(String otherHandle, Map<String, String> otherSecondary) {
    Map<String, String> mine = secondary == null ? Map.of() : secondary;
    Map<String, String> theirs = otherSecondary == null ? Map.of() : otherSecondary;
    return Objects.equals(handleId, otherHandle) && mine.equals(theirs);
  }

  static Attribute parse(JsonNode n, String key) {
    if (n == null || !n.isObject()) {
      throw new IllegalArgumentException(key + ": every attributes entry must be an object, got " + n);
    }
    JsonNode h = n.get("handle_id");
    String handle = h == null || h.isNull() ? null : h.asText();
    JsonNode s = n.get("secondary");
    Map<String, String> sec = null;
    if (s != null && s.isObject()) {
      sec = new TreeMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = s.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        sec.put(e.getKey(), e.getValue().isNull() ? "" : e.getValue().asText());
      }
    }
    return new Attribute(handle, sec, (ObjectNode) n);
  }

  JsonNode toJson() {
    if (source != null) {
      return source;
    }
    ObjectNode o = IpamJson.NODES.objectNode();
    if (handleId == null) {
      o.putNull("handle_id");
    } else {
      o.put("handle_id", handleId);
    }
    if (secondary == null) {
      o.putNull("secondary");
    } else {
      ObjectNode s = o.putObject("secondary"); // Go writes map keys sorted; the TreeMap already is
      secondary.forEach(s::put);
    }
    return o;
  }

  /** Two attributes are the same owner record; where they came from does not matter. */
  @Override
  public boolean equals(Object o) {
    return o instanceof Attribute a && Objects.equals(a.handleId, handleId) && Objects.equals(a.secondary, secondary);
  }

  @Override
  public int hashCode() {
    return Objects.hash(handleId, secondary);
  }
}
