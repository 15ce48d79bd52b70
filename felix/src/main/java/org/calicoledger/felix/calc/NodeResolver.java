package org.calicoledger.felix.calc;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import org.calicoledger.events.image.ClusterImage;
import org.calicoledger.events.image.Concern;
import org.calicoledger.events.image.KeyedImage;
import org.calicoledger.model.Node;
import org.calicoledger.model.net.Cidr;

/**
 * Node addresses: where each host's tunnels end.
 *
 * <p>Inputs: the Nodes of the image. Outputs: per node name its IPv4 address and subnet
 * ({@code spec.bgp.ipv4Address}, which carries the prefix length), VXLAN tunnel address and MAC
 * ({@code spec.ipv4VXLANTunnelAddr}, {@code spec.vxlanTunnelMACAddr}) and IPIP tunnel address
 * ({@code spec.bgp.ipv4IPIPTunnelAddr}); absent or unparsable fields are null. Change rules: recomputed only when the
 * Nodes sub-image is a different instance.
 */
public final class NodeResolver {
  /**
   * @param ip the node's IPv4 address (no prefix), or null
   * @param subnet the node's subnet ({@code 10.10.1.0/24}); null when the address has no prefix length
   */
  public record Host(String name, String ip, Cidr subnet, String vxlanAddr, String vxlanMac, String ipipAddr) {
    /** Whether {@code otherIp} lies in this host's subnet (CrossSubnet's "same subnet"). */
    public boolean sameSubnet(String otherIp) {
      if (subnet == null || otherIp == null) {
        return false;
      }
      try {
        return subnet.contains(Cidr.parseAddress(otherIp));
      } catch (RuntimeException e) {
        return false;
      }
    }
  }

  private KeyedImage<Node> seen;
  private Map<String, Host> result = Map.of();

  public Map<String, Host> resolve(ClusterImage image) {
    KeyedImage<Node> nodes = image.get(Concern.NODES);
    if (nodes == seen) {
      return result;
    }
    Map<String, Host> out = new TreeMap<>();
    for (Node n : nodes.map().values()) {
      out.put(n.metadata().name(), host(n));
    }
    seen = nodes;
    result = Collections.unmodifiableMap(out);
    return result;
  }

  static Host host(Node n) {
    Node.Spec s = n.spec();
    Node.BGP bgp = s.bgp();
    String ip = null;
    Cidr subnet = null;
    if (bgp != null && bgp.ipv4Address() != null && !bgp.ipv4Address().isBlank()) {
      try {
        String a = bgp.ipv4Address().trim();
        if (a.contains("/")) {
          Cidr c = Cidr.parse(a);
          ip = c.addressString();
          subnet = c.network();
        } else {
          ip = Cidr.parseAddress(a).addressString();
        }
      } catch (RuntimeException bad) {
        ip = null;
      }
    }
    return new Host(n.metadata().name(), ip, subnet, address(s.ipv4VXLANTunnelAddr()),
        blankToNull(s.vxlanTunnelMACAddr()),
        bgp == null ? null : address(bgp.ipv4IPIPTunnelAddr()));
  }

  private static String address(String a) {
    if (a == null || a.isBlank()) {
      return null;
    }
    try {
      return (a.contains("/") ? Cidr.parse(a.trim()) : Cidr.parseAddress(a.trim())).addressString();
    } catch (RuntimeException bad) {
      return null;
    }
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.trim().toLowerCase(java.util.Locale.ROOT);
  }
}
