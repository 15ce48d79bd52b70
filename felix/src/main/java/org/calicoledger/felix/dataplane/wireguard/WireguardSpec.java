package org.calicoledger.felix.dataplane.wireguard;

import java.util.List;

/**
 * The WireGuard dataplane Felix wants on this node; with {@code enabled} false, what to remove ({@link #OFF}: the
 * defaults).
 *
 * @param iface {@code wireguardInterfaceName} (default {@code wireguard.cali})
 * @param port {@code wireguardListeningPort} (default 51820)
 * @param mtu {@code wireguardMTU}; 0 or absent gives 1440 (a 1500-byte underlay less WireGuard's 60 bytes over IPv4)
 * @param rulePriority {@code wireguardRoutingRulePriority} (default 99)
 * @param table the routing table of the peers' routes (1, the first of Calico's default {@code routeTableRange})
 * @param fwmark the mark WireGuard puts on its own UDP packets, which the rule skips (0x100000)
 * @param interfaceAddress this node's {@code spec.wireguard.interfaceIPv4Address}, or null
 */
public record WireguardSpec(boolean enabled, String iface, int port, int mtu, int rulePriority, int table,
    int fwmark, String interfaceAddress, List<WireguardPeer> peers) {
  public static final String DEFAULT_IFACE = org.calicoledger.felix.FelixSettings.DEFAULTS.wireguardInterfaceName();
  public static final WireguardSpec OFF = new WireguardSpec(false, DEFAULT_IFACE,
      org.calicoledger.felix.FelixSettings.DEFAULTS.wireguardListeningPort(), 1440,
      org.calicoledger.felix.FelixSettings.DEFAULTS.wireguardRoutingRulePriority(), 1, 0x100000, null, List.of());

  public WireguardSpec {
    peers = List.copyOf(peers);
    if (iface.isEmpty() || iface.length() > 15 || iface.contains("/") || iface.contains(" ")) {
      throw new IllegalArgumentException("FelixConfiguration wireguardInterfaceName '" + iface
          + "' is not an interface name (1 to 15 characters, no '/' or spaces)");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("FelixConfiguration wireguardListeningPort " + port
          + " is not a port (1 to 65535)");
    }
  }

  /** Every address routed into the interface (the peers' allowed IPs), sorted. */
  public List<String> routedCidrs() {
    return peers.stream().flatMap(p -> p.allowedIps().stream()).distinct().sorted().toList();
  }
}
