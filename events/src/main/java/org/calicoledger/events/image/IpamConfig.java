package org.calicoledger.events.image;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Calico's IPAM configuration ({@code /calico/ipam/v2/config}); an absent key means Calico's defaults
 * ({@link #DEFAULT}: no strict affinity, blocks allocated automatically, no per-host limit).
 */
public record IpamConfig(boolean strictAffinity, boolean autoAllocateBlocks, int maxBlocksPerHost) {
  public static final IpamConfig DEFAULT = new IpamConfig(false, true, 0);

  static IpamConfig decode(JsonNode n) {
    if (!n.isObject()) {
      throw new IllegalArgumentException("the IPAM configuration is a JSON object, got " + n.getNodeType());
    }
    return new IpamConfig(n.path("strict_affinity").asBoolean(false), n.path("auto_allocate_blocks").asBoolean(true),
        n.path("maxBlocksPerHost").asInt(0));
  }
}
