package org.calicoledger.confd.render;

import java.util.Map;
import org.calicoledger.model.Node;
import org.calicoledger.model.net.Cidr;

/**
 * What BGP needs to know about one Node: its addresses (with the subnet they sit in, for {@code CrossSubnet}), its AS
 * and its route reflector cluster id. Built from {@code Node.spec.bgp}; a Node without it has no addresses here and
 * takes part in no peering.
 *
 * @param ipv4 the IPv4 address (canonical text) or null; {@code ipv4Net} its network ({@code 10.0.0.0/24}), or the
 *     host route when the Node gives no prefix
 * @param as {@code spec.bgp.asNumber}, else the cluster's AS
 * @param rrClusterId {@code spec.bgp.routeReflectorClusterID}, or null when this node is not a route reflector
 */
public record NodeBgp(String name, Map<String, String> labels, String ipv4, Cidr ipv4Net, String ipv6, Cidr ipv6Net,
    long as, String rrClusterId) {

  public static NodeBgp of(Node node, long clusterAs) {
    Node.BGP b = node.spec().bgp();
    String name = node.metadata().name();
    Map<String, String> labels = node.metadata().labels();
    if (b == null) {
      return new NodeBgp(name, labels, null, null, null, null, clusterAs, null);
    }
    Cidr v4 = address(b.ipv4Address(), name, "spec.bgp.ipv4Address");
    Cidr v6 = address(b.ipv6Address(), name, "spec.bgp.ipv6Address");
    long as = b.asNumber() != null ? b.asNumber().value() : clusterAs;
    String rr = b.routeReflectorClusterID() == null || b.routeReflectorClusterID().isBlank() ? null
        : b.routeReflectorClusterID().trim();
    return new NodeBgp(name, labels, v4 == null ? null : v4.addressString(), v4 == null ? null : v4.network(),
        v6 == null ? null : v6.addressString(), v6 == null ? null : v6.network(), as, rr);
  }

  private static Cidr address(String text, String node, String field) {
    if (text == null || text.isBlank()) {
      return null;
    }
    try {
      return text.indexOf('/') >= 0 ? Cidr.parse(text.trim()) : Cidr.parseAddress(text.trim());
    } catch (IllegalArgumentException e) {
      throw new RenderException("Node " + node + " " + field + " '" + text + "' is not an address: " + e.getMessage());
    }
  }

  /** The address of IP version {@code v} (4 or 6), or null. */
  public String address(int v) {
    return v == 4 ? ipv4 : ipv6;
  }

  public Cidr subnet(int v) {
    return v == 4 ? ipv4Net : ipv6Net;
  }

  public boolean routeReflector() {
    return rrClusterId != null;
  }
}
