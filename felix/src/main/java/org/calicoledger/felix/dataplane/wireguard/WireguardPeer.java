package org.calicoledger.felix.dataplane.wireguard;

import java.util.List;

/**
 * Another node as a WireGuard peer: its published public key, its underlay endpoint ({@code ip:port}) and the
 * addresses behind it (its blocks and tunnel addresses), sorted.
 */
public record WireguardPeer(String node, String publicKey, String endpoint, List<String> allowedIps) {
  public WireguardPeer {
    allowedIps = List.copyOf(allowedIps);
  }
}
