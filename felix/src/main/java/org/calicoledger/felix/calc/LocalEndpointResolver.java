package org.calicoledger.felix.calc;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import org.calicoledger.events.image.Concern;
import org.calicoledger.events.image.KeyedImage;
import org.calicoledger.events.image.ClusterImage;
import org.calicoledger.model.WorkloadEndpoint;
import org.calicoledger.model.net.Cidr;

/**
 * Local workload endpoints.
 *
 * <p>Inputs: the WorkloadEndpoints of the image and this node's name. Outputs: host-side interface name to the
 * endpoint's IPv4 addresses as {@code /32} CIDRs (sorted, both levels). Change rules: recomputed only when the
 * WorkloadEndpoints sub-image is a different instance; endpoints of other nodes, without an interface name, or
 * with addresses that do not parse are left out (an IPv6 address is not Felix's business here); two endpoints naming
 * one interface share it (their addresses merge).
 */
public final class LocalEndpointResolver {
  private final String nodename;
  private KeyedImage<WorkloadEndpoint> seen;
  private SortedMap<String, List<String>> result = Collections.emptySortedMap();

  public LocalEndpointResolver(String nodename) {
    this.nodename = nodename;
  }

  /** Interface name to {@code /32} addresses of this node's endpoints in {@code image}. */
  public SortedMap<String, List<String>> resolve(ClusterImage image) {
    KeyedImage<WorkloadEndpoint> weps = image.get(Concern.WORKLOAD_ENDPOINTS);
    if (weps == seen) {
      return result;
    }
    TreeMap<String, List<String>> out = new TreeMap<>();
    for (WorkloadEndpoint w : weps.map().values()) {
      WorkloadEndpoint.Spec s = w.spec();
      if (s == null || !nodename.equals(s.node()) || s.interfaceName() == null || s.interfaceName().isBlank()
          || s.ipNetworks() == null) {
        continue;
      }
      for (String n : s.ipNetworks()) {
        try {
          Cidr c = n.contains("/") ? Cidr.parse(n) : Cidr.parseAddress(n);
          if (c.isIpv4()) {
            out.computeIfAbsent(s.interfaceName(), k -> new ArrayList<>()).add(c.addressString() + "/32");
          }
        } catch (RuntimeException bad) {
          // an address that does not parse routes nowhere; the CNI plugin never writes one
        }
      }
    }
    out.replaceAll((k, v) -> List.copyOf(new java.util.TreeSet<>(v)));
    seen = weps;
    result = Collections.unmodifiableSortedMap(out);
    return result;
  }
}
