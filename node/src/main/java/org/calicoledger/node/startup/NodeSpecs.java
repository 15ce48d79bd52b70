package org.calicoledger.node.startup;

import org.calicoledger.model.AsNumber;
import org.calicoledger.model.Node;

/** Copies of a Node's spec with one field changed (the model's records have no withers for these). */
final class NodeSpecs {
  private NodeSpecs() {}

  static Node.BGP bgp(Node n) {
    Node.BGP b = n.spec().bgp();
    return b == null ? new Node.BGP(null, null, null, null, null) : b;
  }

  static Node withBgp(Node n, Node.BGP b) {
    Node.Spec s = n.spec();
    boolean empty = b.asNumber() == null && b.ipv4Address() == null && b.ipv6Address() == null
        && b.ipv4IPIPTunnelAddr() == null && b.routeReflectorClusterID() == null;
    return new Node(n.metadata(), new Node.Spec(empty ? null : b, s.ipv4VXLANTunnelAddr(), s.vxlanTunnelMACAddr(),
        s.ipv6VXLANTunnelAddr(), s.vxlanTunnelMACAddrV6(), s.orchRefs(), s.wireguard(), s.addresses(), s.interfaces()),
        n.status());
  }

  static Node withIpv4Address(Node n, String cidr) {
    Node.BGP b = bgp(n);
    return withBgp(n, new Node.BGP(b.asNumber(), cidr, b.ipv6Address(), b.ipv4IPIPTunnelAddr(),
        b.routeReflectorClusterID()));
  }

  static Node withAsNumber(Node n, AsNumber as) {
    Node.BGP b = bgp(n);
    return withBgp(n, new Node.BGP(as, b.ipv4Address(), b.ipv6Address(), b.ipv4IPIPTunnelAddr(),
        b.routeReflectorClusterID()));
  }

  static Node withIpipTunnelAddr(Node n, String addr) {
    Node.BGP b = bgp(n);
    return withBgp(n, new Node.BGP(b.asNumber(), b.ipv4Address(), b.ipv6Address(), addr, b.routeReflectorClusterID()));
  }

  static Node withVxlanTunnelAddr(Node n, String addr) {
    Node.Spec s = n.spec();
    return new Node(n.metadata(), new Node.Spec(s.bgp(), addr, s.vxlanTunnelMACAddr(), s.ipv6VXLANTunnelAddr(),
        s.vxlanTunnelMACAddrV6(), s.orchRefs(), s.wireguard(), s.addresses(), s.interfaces()), n.status());
  }
}
