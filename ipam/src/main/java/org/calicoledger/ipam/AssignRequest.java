package org.calicoledger.ipam;

import java.util.List;
import java.util.Map;

/**
 * What {@link Ipam#autoAssign} is asked for: {@code ipv4} and {@code ipv6} addresses for {@code handle} on node
 * {@code host}, from the named pools (names or CIDRs; empty: every enabled pool selecting the node), recorded with
 * {@code attributes} (Calico's secondary attributes: {@code node}, {@code pod}, {@code namespace}, {@code timestamp}...)
 * for pools that allow {@code use} ({@code Workload} or {@code Tunnel}).
 */
public record AssignRequest(String handle, String host, int ipv4, int ipv6, List<String> ipv4Pools,
    List<String> ipv6Pools, Map<String, String> attributes, String use) {
  public static final int MAX_PER_FAMILY = 256;

  public AssignRequest {
    IpamKeys.checkName("handle", handle);
    IpamKeys.checkName("host", host);
    if (ipv4 < 0 || ipv6 < 0 || ipv4 > MAX_PER_FAMILY || ipv6 > MAX_PER_FAMILY || ipv4 + ipv6 == 0) {
      throw new IpamException.InvalidRequest("ask for 1 to " + MAX_PER_FAMILY + " IPv4 and/or IPv6 addresses (got "
          + ipv4 + " IPv4, " + ipv6 + " IPv6)");
    }
    ipv4Pools = ipv4Pools == null ? List.of() : List.copyOf(ipv4Pools);
    ipv6Pools = ipv6Pools == null ? List.of() : List.copyOf(ipv6Pools);
    attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
    use = use == null || use.isEmpty() ? "Workload" : use;
  }

  /** One IPv4 address for {@code handle} on {@code host}, from any pool that selects the host. */
  public static AssignRequest of(String handle, String host) {
    return new AssignRequest(handle, host, 1, 0, null, null, null, null);
  }

  public AssignRequest withCounts(int v4, int v6) {
    return new AssignRequest(handle, host, v4, v6, ipv4Pools, ipv6Pools, attributes, use);
  }

  public AssignRequest withPools(List<String> v4, List<String> v6) {
    return new AssignRequest(handle, host, ipv4, ipv6, v4, v6, attributes, use);
  }

  public AssignRequest withAttributes(Map<String, String> attrs) {
    return new AssignRequest(handle, host, ipv4, ipv6, ipv4Pools, ipv6Pools, attrs, use);
  }

  public AssignRequest withUse(String u) {
    return new AssignRequest(handle, host, ipv4, ipv6, ipv4Pools, ipv6Pools, attributes, u);
  }

  List<String> pools(int version) {
    return version == 4 ? ipv4Pools : ipv6Pools;
  }

  int count(int version) {
    return version == 4 ? ipv4 : ipv6;
  }
}
