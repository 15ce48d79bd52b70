package org.calicoledger.bird.io;

import java.time.Instant;

/**
 * A session's state for {@code calicoctl node status}.
 *
 * @param state the FSM state in BIRD's words ({@code Established}, {@code Active}, {@code Connect}, ...)
 * @param since when that state began
 * @param lastError why the session last went down ({@code ""} if it never did)
 * @param received the number of routes in the peer's Adj-RIB-In (-1 when unknown)
 */
public record PeerStatus(PeerConfig peer, String state, Instant since, String lastError, int received) {
  public boolean up() {
    return "Established".equals(state);
  }
}
