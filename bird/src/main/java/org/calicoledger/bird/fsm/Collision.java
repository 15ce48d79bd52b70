package org.calicoledger.bird.fsm;

/**
 * RFC 4271 section 6.8: when both sides connect at once, the connection opened by the side with the higher BGP
 * identifier survives.
 */
public final class Collision {
  private Collision() {}

  /** Whether to keep the connection the peer opened (and close ours), given both identifiers as unsigned values. */
  public static boolean keepPeers(long localId, long remoteId) {
    return Long.compareUnsigned(localId, remoteId) < 0;
  }
}
