package org.calicoledger.events.image;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A host's claim on an IPAM block ({@code /calico/ipam/v2/host/<host>/ipv4/block/<cidr>}); host and CIDR come from the
 * key, {@code state} ({@code pending}, {@code confirmed}, {@code pendingDeletion}) and {@code deleted} from the value.
 */
public record BlockAffinity(String host, String cidr, String state, boolean deleted) {

  public boolean confirmed() {
    return "confirmed".equals(state) && !deleted;
  }

  /** {@code id} is {@code host/cidr}, as {@link Concern#BLOCK_AFFINITIES} names it. */
  static BlockAffinity decode(String id, JsonNode n) {
    if (!n.isObject()) {
      throw new IllegalArgumentException("a block affinity is a JSON object, got " + n.getNodeType());
    }
    int slash = id.indexOf('/');
    return new BlockAffinity(id.substring(0, slash), id.substring(slash + 1), n.path("state").asText(""),
        n.path("deleted").asBoolean(false));
  }
}
