package org.calicoledger.felix.calc;

/**
 * The {@code vxlan.calico} device this node wants: VTEP address ({@code /32}), MAC, VNI, UDP port, the node's own
 * address as the outer source, learning off (Felix programs every neighbour and FDB entry), and MTU. {@code mac}
 * is null while the Node does not publish one yet (the devices part then picks and publishes it).
 */
public record VxlanDevice(String address, String mac, int vni, int port, String localIp, int mtu) {
  public static final String NAME = "vxlan.calico";

  public VxlanDevice withMac(String m) {
    return new VxlanDevice(address, m, vni, port, localIp, mtu);
  }
}
