package org.calicoledger.bird.io;

import java.time.Duration;

/**
 * One configured BGP peer. Two configs with equal fields are the same session: {@link BgpSpeaker#setPeers} keeps a
 * session whose config did not change and restarts only those that did.
 *
 * @param address the peer's IP address (canonical text)
 * @param port the peer's BGP port (179 unless {@code peerIP} said otherwise)
 * @param asNumber the AS the peer must open with
 * @param type calicoctl's peer type: {@code node-to-node mesh}, {@code global}, {@code node specific}
 * @param passive wait for the peer to connect (Calico: when the peer's address sorts after ours)
 * @param rrClient we are the peer's route reflector
 * @param password TCP MD5 password (RFC 2385, the kernel's TCP_MD5SIG), or null
 */
public record PeerConfig(String address, int port, long asNumber, String type, boolean passive, boolean rrClient,
    String password, Duration holdTime) {

  /** {@code address} or {@code address:port} when not 179, as calicoctl shows it. */
  public String display() {
    return port == 179 ? address : (address.contains(":") ? "[" + address + "]:" + port : address + ":" + port);
  }
}
