package org.calicoledger.events.image;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.TreeMap;

/** An IPAM handle ({@code /calico/ipam/v2/handle/<id>}): how many addresses it holds in each block. */
public record IpamHandle(String handleId, Map<String, Integer> blocks, boolean deleted) {

  public IpamHandle {
    blocks = java.util.Collections.unmodifiableMap(new TreeMap<>(blocks));
  }

  static IpamHandle decode(String id, JsonNode n) {
    if (!n.isObject()) {
      throw new IllegalArgumentException("an IPAM handle is a JSON object, got " + n.getNodeType());
    }
    Map<String, Integer> blocks = new TreeMap<>();
    n.path("block").fields().forEachRemaining(e -> blocks.put(e.getKey(), e.getValue().asInt()));
    return new IpamHandle(id, blocks, n.path("deleted").asBoolean(false));
  }
}
