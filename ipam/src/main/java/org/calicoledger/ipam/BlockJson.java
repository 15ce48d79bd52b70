package org.calicoledger.ipam;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.calicoledger.model.net.Cidr;

/**
 * A block's JSON, as libcalico-go's etcd backend writes {@code model.AllocationBlock}:
 * {@code {"cidr","affinity","affinityClaimTime"?,"allocations","unallocated","attributes","sequenceNumber",
 * "sequenceNumberForAllocation","deleted"}}, compact. A block read from etcd is written back with its fields in the
 * order they came and with every field this code does not know (such as the deprecated {@code hostAffinity}) unchanged,
 * so a value written by Calico survives a round trip through here byte for byte when nothing in it changed.
 */
final class BlockJson {
  private static final List<String> ORDER = List.of("cidr", "affinity", "affinityClaimTime", "allocations",
      "unallocated", "attributes", "sequenceNumber", "sequenceNumberForAllocation", "deleted");

  /** The object as read: its field order and the fields this code does not interpret. */
  record Source(ObjectNode fields) {}

  private BlockJson() {}

  static Block parse(byte[] json, String key) {
    ObjectNode o = IpamJson.parseObject(json, key);
    JsonNode c = o.get("cidr");
    if (c == null || !c.isTextual()) {
      throw new IllegalArgumentException(key + ": block has no \"cidr\"");
    }
    Cidr cidr;
    try {
      cidr = Cidr.parse(c.asText());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(key + ": block cidr: " + e.getMessage(), e);
    }
    int n = Block.sizeOf(cidr);
    int[] alloc = new int[n];
    Arrays.fill(alloc, Block.FREE);
    JsonNode a = o.get("allocations");
    if (a != null && !a.isNull()) {
      if (!a.isArray() || a.size() != n) {
        throw new IllegalArgumentException(key + ": block " + cidr + " must have " + n + " \"allocations\" entries, has "
            + (a.isArray() ? a.size() : "a " + a.getNodeType()));
      }
      for (int i = 0; i < n; i++) {
        JsonNode e = a.get(i);
        if (!e.isNull()) {
          if (!e.canConvertToInt() || e.asInt() < 0) {
            throw new IllegalArgumentException(key + ": allocations[" + i + "] must be null or an attribute index, got " + e);
          }
          alloc[i] = e.asInt();
        }
      }
    }
    JsonNode u = o.get("unallocated");
    int[] free = new int[0];
    if (u != null && !u.isNull()) {
      if (!u.isArray()) {
        throw new IllegalArgumentException(key + ": \"unallocated\" must be an array of ordinals");
      }
      free = new int[u.size()];
      for (int i = 0; i < free.length; i++) {
        JsonNode e = u.get(i);
        if (!e.canConvertToInt() || e.asInt() < 0 || e.asInt() >= n) {
          throw new IllegalArgumentException(key + ": unallocated[" + i + "] must be an ordinal 0.." + (n - 1) + ", got " + e);
        }
        free[i] = e.asInt();
      }
    }
    List<Attribute> attrs = new ArrayList<>();
    JsonNode at = o.get("attributes");
    if (at != null && !at.isNull()) {
      if (!at.isArray()) {
        throw new IllegalArgumentException(key + ": \"attributes\" must be an array");
      }
      at.forEach(e -> attrs.add(Attribute.parse(e, key)));
    }
    SortedMap<String, Long> seq = null;
    JsonNode s = o.get("sequenceNumberForAllocation");
    if (s != null && !s.isNull()) {
      if (!s.isObject()) {
        throw new IllegalArgumentException(key + ": \"sequenceNumberForAllocation\" must be an object");
      }
      seq = new TreeMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = s.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        seq.put(e.getKey(), IpamJson.unsigned(e.getValue(), "sequenceNumberForAllocation." + e.getKey(), key));
      }
    }
    JsonNode d = o.get("deleted");
    return new Block(cidr, text(o.get("affinity")), text(o.get("affinityClaimTime")), alloc, free, attrs,
        IpamJson.unsigned(o.get("sequenceNumber"), "sequenceNumber", key), seq, d != null && d.asBoolean(false),
        new Source(o));
  }

  /** Go writes a nil slice as null: an empty list that was read as null is written back as null. */
  private static boolean wasNull(Block b, String field) {
    return b.source != null && b.source.fields().has(field) && b.source.fields().get(field).isNull();
  }

  private static String text(JsonNode n) {
    return n == null || n.isNull() ? null : n.asText();
  }

  static byte[] write(Block b) {
    ObjectNode out = IpamJson.NODES.objectNode();
    Set<String> names = new LinkedHashSet<>();
    if (b.source != null) {
      b.source.fields().fieldNames().forEachRemaining(names::add);
    }
    names.addAll(ORDER);
    for (String name : names) {
      if (!ORDER.contains(name)) {
        out.set(name, b.source.fields().get(name));
        continue;
      }
      switch (name) {
        case "cidr" -> out.put("cidr", b.cidr.toString());
        case "affinity" -> {
          if (b.affinity == null) {
            out.putNull("affinity");
          } else {
            out.put("affinity", b.affinity);
          }
        }
        case "affinityClaimTime" -> {
          if (b.affinityClaimTime != null) {
            out.put("affinityClaimTime", b.affinityClaimTime);
          }
        }
        case "allocations" -> {
          ArrayNode arr = out.putArray("allocations");
          for (int a : b.allocations) {
            if (a == Block.FREE) {
              arr.addNull();
            } else {
              arr.add(a);
            }
          }
        }
        case "unallocated" -> {
          if (b.unallocated.length == 0 && wasNull(b, name)) {
            out.putNull(name);
            continue;
          }
          ArrayNode arr = out.putArray("unallocated");
          for (int o : b.unallocated) {
            arr.add(o);
          }
        }
        case "attributes" -> {
          if (b.attributes.isEmpty() && wasNull(b, name)) {
            out.putNull(name);
            continue;
          }
          ArrayNode arr = out.putArray("attributes");
          b.attributes.forEach(x -> arr.add(x.toJson()));
        }
        case "sequenceNumber" -> out.set("sequenceNumber", IpamJson.unsignedNode(b.sequenceNumber));
        case "sequenceNumberForAllocation" -> {
          if (b.sequenceByOrdinal == null) {
            out.putNull("sequenceNumberForAllocation");
          } else {
            ObjectNode m = out.putObject("sequenceNumberForAllocation"); // Go sorts map keys as strings: "0","1","10"...
            b.sequenceByOrdinal.forEach((k, v) -> m.set(k, IpamJson.unsignedNode(v)));
          }
        }
        case "deleted" -> out.put("deleted", b.deleted);
        default -> throw new AssertionError(name);
      }
    }
    return IpamJson.write(out);
  }
}
