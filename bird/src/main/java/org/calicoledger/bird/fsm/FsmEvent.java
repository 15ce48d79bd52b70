package org.calicoledger.bird.fsm;

import org.calicoledger.bird.wire.BgpMessage;
import org.calicoledger.bird.wire.MalformedMessageException;

/** What can happen to a session (RFC 4271 section 8.1), as the I/O layer, the operator or a timer reports it. */
public sealed interface FsmEvent {
  /** ManualStart / AutomaticStart. */
  record Start() implements FsmEvent {}

  /** ManualStop: the peer was deconfigured or the speaker stops. */
  record Stop(int ceaseSubcode) implements FsmEvent {}

  /** A TCP connection (ours or the peer's) is up and belongs to this session now. */
  record TcpConnected() implements FsmEvent {}

  /** The connection attempt failed, or the connection closed without a NOTIFICATION. */
  record TcpFailed(String reason) implements FsmEvent {}

  record OpenReceived(BgpMessage.Open open) implements FsmEvent {}

  record KeepaliveReceived() implements FsmEvent {}

  record UpdateReceived() implements FsmEvent {}

  record RouteRefreshReceived() implements FsmEvent {}

  record NotificationReceived(BgpMessage.NotificationMessage notification) implements FsmEvent {}

  /** A message did not decode (or was invalid): send its NOTIFICATION. */
  record MessageError(MalformedMessageException error) implements FsmEvent {}

  record ConnectRetryExpired() implements FsmEvent {}

  record HoldExpired() implements FsmEvent {}

  record KeepaliveExpired() implements FsmEvent {}
}
