package org.calicoledger.ipam;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collections;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import org.calicoledger.model.net.Cidr;

/**
 * An IPAM handle, Calico's {@code IPAMHandle}: how many addresses one owner (a container's {@code <network>.<id>}, a
 * node's tunnel) holds in each block, JSON {@code {"block":{"10.0.0.0/26":1},"deleted":false}}. The blocks are the
 * truth; the handle is the index that lets a release by handle find them without reading every block.
 *
 * @param blocks block CIDR text to address count, sorted as Go writes map keys
 * @param source the object as read (unknown fields are written back), or null
 */
public record Handle(String id, Map<String, Integer> blocks, boolean deleted, ObjectNode source) {
  public Handle {
    blocks = Collections.unmodifiableMap(new TreeMap<>(blocks));
  }

  public static Handle empty(String id) {
    return new Handle(id, Map.of(), false, null);
  }

  public static Handle parse(byte[] json, String id) {
    String key = IpamKeys.handle(id);
    ObjectNode o = IpamJson.parseObject(json, key);
    Map<String, Integer> blocks = new TreeMap<>();
    JsonNode b = o.get("block");
    if (b != null && !b.isNull()) {
      if (!b.isObject()) {
        throw new IllegalArgumentException(key + ": \"block\" must be an object of block CIDR to count");
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = b.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (!e.getValue().canConvertToInt()) {
          throw new IllegalArgumentException(key + ": block." + e.getKey() + " must be a count, got " + e.getValue());
        }
        blocks.put(e.getKey(), e.getValue().asInt());
      }
    }
    JsonNode d = o.get("deleted");
    return new Handle(id, blocks, d != null && d.asBoolean(false), o);
  }

  public int count(Cidr block) {
    return blocks.getOrDefault(block.toString(), 0);
  }

  public int total() {
    return blocks.values().stream().mapToInt(Integer::intValue).sum();
  }

  public boolean isEmpty() {
    return blocks.values().stream().allMatch(n -> n <= 0);
  }

  public Handle increment(Cidr block, int n) {
    Map<String, Integer> m = new TreeMap<>(blocks);
    m.merge(block.toString(), n, Integer::sum);
    return new Handle(id, m, deleted, source);
  }

  /**
   * {@code n} fewer in {@code block}; the entry goes at zero. Never below zero: the block is the truth, and a handle
   * that undercounts (a writer died between the block write and the handle write) must not block the release.
   */
  public Handle decrement(Cidr block, int n) {
    Map<String, Integer> m = new TreeMap<>(blocks);
    int left = m.getOrDefault(block.toString(), 0) - n;
    if (left > 0) {
      m.put(block.toString(), left);
    } else {
      m.remove(block.toString());
    }
    return new Handle(id, m, deleted, source);
  }

  public Handle withCount(Cidr block, int n) {
    Map<String, Integer> m = new TreeMap<>(blocks);
    if (n > 0) {
      m.put(block.toString(), n);
    } else {
      m.remove(block.toString());
    }
    return new Handle(id, m, deleted, source);
  }

  public byte[] toJson() {
    ObjectNode out = IpamJson.NODES.objectNode();
    ObjectNode b = IpamJson.NODES.objectNode();
    blocks.forEach(b::put);
    if (source != null) {
      source.fields().forEachRemaining(e -> out.set(e.getKey(), e.getValue()));
    }
    out.set("block", b);
    out.put("deleted", deleted);
    return IpamJson.write(out);
  }
}
