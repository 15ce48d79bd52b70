package org.calicoledger.ipam;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Cluster IPAM settings at {@code /calico/ipam/v2/config}, Calico's {@code IPAMConfig}:
 * {@code {"strict_affinity":true,"auto_allocate_blocks":true,"maxBlocksPerHost":20}}, each field left out when false
 * or zero (Go's {@code omitempty}). Without the key, Calico's defaults apply: no strict affinity, blocks allocated
 * automatically. {@code maxBlocksPerHost} 0 (or absent) means {@value #DEFAULT_MAX_BLOCKS_PER_HOST} here.
 */
public record IpamConfig(boolean strictAffinity, boolean autoAllocateBlocks, int maxBlocksPerHost, ObjectNode source) {
  public static final int DEFAULT_MAX_BLOCKS_PER_HOST = 20;
  public static final IpamConfig DEFAULT = new IpamConfig(false, true, 0, null);

  public IpamConfig {
    if (maxBlocksPerHost < 0) {
      throw new IpamException.InvalidRequest("maxBlocksPerHost must be 0 (default " + DEFAULT_MAX_BLOCKS_PER_HOST
          + ") or more, got " + maxBlocksPerHost);
    }
  }

  /** The limit in force: the configured one, or the default when unset. */
  public int blockLimit() {
    return maxBlocksPerHost > 0 ? maxBlocksPerHost : DEFAULT_MAX_BLOCKS_PER_HOST;
  }

  public static IpamConfig parse(byte[] json) {
    ObjectNode o = IpamJson.parseObject(json, IpamKeys.CONFIG);
    JsonNode m = o.get("maxBlocksPerHost");
    if (m != null && !m.isNull() && (!m.canConvertToInt() || m.asInt() < 0)) {
      throw new IllegalArgumentException(IpamKeys.CONFIG + ": maxBlocksPerHost must be a count, got " + m);
    }
    return new IpamConfig(o.path("strict_affinity").asBoolean(false), o.path("auto_allocate_blocks").asBoolean(false),
        m == null ? 0 : m.asInt(0), o);
  }

  public IpamConfig withStrictAffinity(boolean v) {
    return new IpamConfig(v, autoAllocateBlocks, maxBlocksPerHost, source);
  }

  public IpamConfig withMaxBlocksPerHost(int v) {
    return new IpamConfig(strictAffinity, autoAllocateBlocks, v, source);
  }

  public IpamConfig withAutoAllocateBlocks(boolean v) {
    return new IpamConfig(strictAffinity, v, maxBlocksPerHost, source);
  }

  public byte[] toJson() {
    ObjectNode out = IpamJson.NODES.objectNode();
    if (source != null) {
      source.fields().forEachRemaining(e -> out.set(e.getKey(), e.getValue()));
    }
    field(out, "strict_affinity", strictAffinity, strictAffinity);
    field(out, "auto_allocate_blocks", autoAllocateBlocks, autoAllocateBlocks);
    if (maxBlocksPerHost != 0) {
      out.put("maxBlocksPerHost", maxBlocksPerHost);
    } else {
      out.remove("maxBlocksPerHost");
    }
    return IpamJson.write(out);
  }

  private static void field(ObjectNode out, String name, boolean present, boolean v) {
    if (present) {
      out.put(name, v);
    } else {
      out.remove(name);
    }
  }
}
