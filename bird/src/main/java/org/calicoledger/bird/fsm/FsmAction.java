package org.calicoledger.bird.fsm;

import org.calicoledger.bird.wire.BgpMessage;

/** What the FSM asks the I/O layer and the RIB to do, in order. */
public sealed interface FsmAction {
  /** Open a TCP connection to the peer. */
  record Connect() implements FsmAction {}

  record Send(BgpMessage message) implements FsmAction {}

  /** Close the session's connection (after sending what precedes this action). */
  record Close() implements FsmAction {}

  /** The session is up: the RIB may send the peer its routes. */
  record Established(Negotiated negotiated) implements FsmAction {}

  /**
   * The established session ended: the RIB withdraws the peer's routes, or keeps them as stale when
   * {@code retainForRestart} (the peer can restart gracefully and the session ended without a NOTIFICATION).
   */
  record Down(String reason, boolean retainForRestart) implements FsmAction {}
}
