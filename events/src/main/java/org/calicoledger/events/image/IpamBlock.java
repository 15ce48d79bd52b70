package org.calicoledger.events.image;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * An IPAM allocation block as an image shows it ({@code /calico/ipam/v2/assignment/...}): what consumers route and
 * advertise by. A lenient read of Calico's {@code AllocationBlock} JSON; the whole value is in the image's raw bytes for
 * whoever needs every field (the {@code ipam} module's own codec).
 *
 * @param cidr the block, from its key ({@code 10.0.0.0/26})
 * @param affinity {@code host:<name>} or null
 * @param allocations one entry per address: null when free, else the index of its attribute
 * @param handles the {@code handle_id} of each attribute, in attribute order (null entries where absent)
 */
public record IpamBlock(String cidr, String affinity, List<Integer> allocations, List<Integer> unallocated,
    List<String> handles, long sequenceNumber, boolean deleted) {

  public IpamBlock {
    allocations = Collections.unmodifiableList(new ArrayList<>(allocations));
    unallocated = List.copyOf(unallocated);
    handles = Collections.unmodifiableList(new ArrayList<>(handles));
  }

  /** The host this block is affine to, or null. */
  public String host() {
    return affinity != null && affinity.startsWith("host:") ? affinity.substring("host:".length()) : null;
  }

  public int inUse() {
    int n = 0;
    for (Integer a : allocations) {
      if (a != null) {
        n++;
      }
    }
    return n;
  }

  static IpamBlock decode(String cidr, JsonNode n) {
    if (!n.isObject()) {
      throw new IllegalArgumentException("an IPAM block is a JSON object, got " + n.getNodeType());
    }
    List<Integer> allocations = new ArrayList<>();
    n.path("allocations").forEach(a -> allocations.add(a.isNull() ? null : a.asInt()));
    List<Integer> unallocated = new ArrayList<>();
    n.path("unallocated").forEach(a -> unallocated.add(a.asInt()));
    List<String> handles = new ArrayList<>();
    n.path("attributes").forEach(a -> handles.add(a.path("handle_id").isTextual() ? a.path("handle_id").asText() : null));
    JsonNode aff = n.path("affinity");
    return new IpamBlock(cidr, aff.isTextual() ? aff.asText() : null, allocations, unallocated, handles,
        n.path("sequenceNumber").asLong(0), n.path("deleted").asBoolean(false));
  }
}
