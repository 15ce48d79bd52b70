package org.calicoledger.bird.rib;

import org.calicoledger.bird.wire.Prefix;

/**
 * A route source as the decision process and export rules see it.
 *
 * @param address the peer's address ({@code null} for {@link #LOCAL})
 * @param routerId the peer's BGP identifier (unsigned 32 bits)
 * @param ebgp the peer is in another AS
 * @param rrClient we reflect routes for this peer (we are its route reflector)
 */
public record RibPeer(String key, Prefix address, long routerId, long asNumber, boolean ebgp, boolean rrClient) {
  /** Routes this speaker originates (the node's blocks). */
  public static final RibPeer LOCAL = new RibPeer("local", null, 0, 0, false, false);

  public boolean local() {
    return this == LOCAL;
  }

  /** The key's (cached) hash: RIB maps look a peer up per UPDATE; equal peers have equal keys, so this is consistent. */
  @Override
  public int hashCode() {
    return key.hashCode();
  }
}
