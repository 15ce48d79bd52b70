package org.calicoledger.felix.calc;

/**
 * Tunnel devices and their addresses.
 *
 * <p>Inputs: this node's {@link NodeResolver.Host}, the pools, and the VXLAN/IPIP settings. Outputs: the
 * {@link VxlanDevice} wanted (some enabled pool has {@code vxlanMode} Always or CrossSubnet, and the Node has a VXLAN
 * tunnel address and an IPv4 address), the {@link IpipDevice} wanted (likewise for {@code ipipMode} and the IPIP
 * tunnel address). Change rules: a pure function of its inputs; the MAC is the Node's {@code vxlanTunnelMACAddr}, null
 * until it is published.
 */
public final class TunnelResolver {
  private TunnelResolver() {}

  public static VxlanDevice vxlan(NodeResolver.Host self, PoolResolver.Pools pools, int vni, int port, int mtu) {
    if (self == null || self.vxlanAddr() == null || self.ip() == null || !pools.anyVxlan()) {
      return null;
    }
    return new VxlanDevice(self.vxlanAddr(), self.vxlanMac(), vni, port, self.ip(), mtu);
  }

  public static IpipDevice ipip(NodeResolver.Host self, PoolResolver.Pools pools, int mtu) {
    if (self == null || self.ipipAddr() == null || !pools.anyIpip()) {
      return null;
    }
    return new IpipDevice(self.ipipAddr(), mtu);
  }
}
