package org.calicoledger.ipam;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
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

  /** Streams the JSON (no tree): this is on every allocation's path. */
  static byte[] write(Block b) {
    ByteArrayOutputStream buf = new ByteArrayOutputStream(1024 + b.allocations.length * 24);
    try (JsonGenerator g = IpamJson.generator(buf)) {
      g.writeStartObject();
      Set<String> names = new LinkedHashSet<>();
      if (b.source != null) {
        b.source.fields().fieldNames().forEachRemaining(names::add);
      }
      names.addAll(ORDER);
      for (String name : names) {
        if (!ORDER.contains(name)) {
          g.writeFieldName(name);
          g.writeTree(b.source.fields().get(name));
          continue;
        }
        switch (name) {
          case "cidr" -> g.writeStringField("cidr", b.cidr.toString());
          case "affinity" -> {
            g.writeFieldName("affinity");
            if (b.affinity == null) {
              g.writeNull();
            } else {
              g.writeString(b.affinity);
            }
          }
          case "affinityClaimTime" -> {
            if (b.affinityClaimTime != null) {
              g.writeStringField("affinityClaimTime", b.affinityClaimTime);
            }
          }
          case "allocations" -> {
            g.writeArrayFieldStart("allocations");
            for (int a : b.allocations) {
              if (a == Block.FREE) {
                g.writeNull();
              } else {
                g.writeNumber(a);
              }
            }
            g.writeEndArray();
          }
          case "unallocated" -> {
            g.writeFieldName("unallocated");
            if (b.unallocated.length == 0 && wasNull(b, name)) {
              g.writeNull();
            } else {
              g.writeArray(b.unallocated, 0, b.unallocated.length);
            }
          }
          case "attributes" -> {
            g.writeFieldName("attributes");
            if (b.attributes.isEmpty() && wasNull(b, name)) {
              g.writeNull();
            } else {
              g.writeStartArray();
              for (Attribute a : b.attributes) {
                g.writeTree(a.toJson());
              }
              g.writeEndArray();
            }
          }
          case "sequenceNumber" -> {
            g.writeFieldName("sequenceNumber");
            writeUnsigned(g, b.sequenceNumber);
          }
          case "sequenceNumberForAllocation" -> {
            g.writeFieldName("sequenceNumberForAllocation");
            if (b.sequenceByOrdinal == null) {
              g.writeNull();
            } else {
              g.writeStartObject(); // Go sorts map keys as strings: "0","1","10"...; the SortedMap already is
              for (Map.Entry<String, Long> e : b.sequenceByOrdinal.entrySet()) {
                g.writeFieldName(e.getKey());
                writeUnsigned(g, e.getValue());
              }
              g.writeEndObject();
            }
          }
          case "deleted" -> g.writeBooleanField("deleted", b.deleted);
          default -> throw new AssertionError(name);
        }
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return buf.toByteArray();
  }

  private static void writeUnsigned(JsonGenerator g, long v) throws IOException {
    if (v >= 0) {
      g.writeNumber(v);
    } else {
      g.writeNumber(new java.math.BigInteger(Long.toUnsignedString(v)));
    }
  }
}
