package org.calicoledger.events.history;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.calicoledger.model.ResourceCodec;

/**
 * One field that differs between two JSON values, by its dotted path ({@code spec.natOutgoing},
 * {@code metadata.labels.app}, {@code allocations[3]}); a side that does not have the field is null.
 * Printed as {@code spec.natOutgoing: true -> false}, with {@code (none)} for a missing side.
 */
public record FieldChange(String path, JsonNode before, JsonNode after) {

  /**
   * The differing leaves of {@code before} and {@code after} (either may be null: everything is added or removed), in
   * field order. Objects are compared field by field, arrays of equal length element by element; an array that
   * changes length is one change of the whole array. A boolean missing on one side reads as {@code false}: Calico
   * writes its resources from Go structs with {@code omitempty}, so {@code natOutgoing: false} is stored by leaving the
   * field out, and the change is {@code spec.natOutgoing: true -> false}, not {@code true -> (none)}.
   */
  public static List<FieldChange> diff(JsonNode before, JsonNode after) {
    List<FieldChange> out = new ArrayList<>();
    walk("", before, after, out);
    return out;
  }

  private static void walk(String path, JsonNode a, JsonNode b, List<FieldChange> out) {
    if (a == null && b != null && b.isBoolean()) {
      a = BooleanNode.FALSE;
    } else if (b == null && a != null && a.isBoolean()) {
      b = BooleanNode.FALSE;
    }
    if (a != null && b != null && a.equals(b)) {
      return;
    }
    boolean objects = (a == null || a.isObject()) && (b == null || b.isObject()) && (a != null || b != null);
    if (objects) {
      Set<String> names = new LinkedHashSet<>();
      if (a != null) {
        a.fieldNames().forEachRemaining(names::add);
      }
      if (b != null) {
        b.fieldNames().forEachRemaining(names::add);
      }
      for (String n : names) {
        walk(path.isEmpty() ? n : path + "." + n, a == null ? null : a.get(n), b == null ? null : b.get(n), out);
      }
      return;
    }
    boolean sameLengthArrays = a != null && b != null && a.isArray() && b.isArray() && a.size() == b.size();
    if (sameLengthArrays) {
      Iterator<JsonNode> ia = a.elements();
      Iterator<JsonNode> ib = b.elements();
      for (int i = 0; ia.hasNext(); i++) {
        walk(path + "[" + i + "]", ia.next(), ib.next(), out);
      }
      return;
    }
    out.add(new FieldChange(path.isEmpty() ? "value" : path, a, b));
  }

  static String show(JsonNode n) {
    if (n == null || n.isMissingNode()) {
      return "(none)";
    }
    if (n.isTextual()) {
      String s = n.asText();
      return s.isEmpty() ? "\"\"" : s;
    }
    return ResourceCodec.compact(n);
  }

  @Override
  public String toString() {
    return path + ": " + show(before) + " -> " + show(after);
  }
}
