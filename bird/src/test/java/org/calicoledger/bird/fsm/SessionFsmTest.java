package org.calicoledger.bird.fsm;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.calicoledger.bird.fsm.SessionFsm.State;
import org.calicoledger.bird.wire.BgpMessage;
import org.calicoledger.bird.wire.Capability;
import org.calicoledger.bird.wire.Family;
import org.calicoledger.bird.wire.MalformedMessageException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The FSM with a fake clock: one case per (state, event), then the timers and the actions that matter. */
class SessionFsmTest {
  static final long SEC = 1_000_000_000L;
  static final SessionConfig ACTIVE_CFG = new SessionConfig(64512, 0x0A000001L, 64512, Duration.ofSeconds(9),
      Duration.ofSeconds(5), false, List.of(Family.IPV4_UNICAST), 120);

  static BgpMessage.Open peerOpen(long as, int hold, boolean gr) {
    List<Capability> caps = new ArrayList<>(List.of(Capability.Multiprotocol.of(Family.IPV4_UNICAST),
        new Capability.FourOctetAs(as)));
    if (gr) {
      caps.add(new Capability.GracefulRestart(false, 90, List.of()));
    }
    return new BgpMessage.Open(4, (int) as, hold, 0x0A000002L, caps);
  }

  static final Map<String, FsmEvent> EVENTS = new java.util.LinkedHashMap<>();

  static {
    EVENTS.put("Start", new FsmEvent.Start());
    EVENTS.put("Stop", new FsmEvent.Stop(2));
    EVENTS.put("TcpConnected", new FsmEvent.TcpConnected());
    EVENTS.put("TcpFailed", new FsmEvent.TcpFailed("reset"));
    EVENTS.put("OpenReceived", new FsmEvent.OpenReceived(peerOpen(64512, 9, false)));
    EVENTS.put("KeepaliveReceived", new FsmEvent.KeepaliveReceived());
    EVENTS.put("UpdateReceived", new FsmEvent.UpdateReceived());
    EVENTS.put("RouteRefreshReceived", new FsmEvent.RouteRefreshReceived());
    EVENTS.put("NotificationReceived", new FsmEvent.NotificationReceived(
        new BgpMessage.NotificationMessage(6, 2, null)));
    EVENTS.put("MessageError", new FsmEvent.MessageError(new MalformedMessageException(1, 2, "bad length")));
    EVENTS.put("ConnectRetryExpired", new FsmEvent.ConnectRetryExpired());
    EVENTS.put("HoldExpired", new FsmEvent.HoldExpired());
    EVENTS.put("KeepaliveExpired", new FsmEvent.KeepaliveExpired());
  }

  /** Expected next state for each event, per state, in {@link #EVENTS} order. */
  static final Map<State, State[]> NEXT = Map.of(
      State.IDLE, states("CONNECT IDLE IDLE IDLE IDLE IDLE IDLE IDLE IDLE IDLE IDLE IDLE IDLE"),
      State.CONNECT, states("CONNECT IDLE OPEN_SENT ACTIVE IDLE IDLE IDLE IDLE IDLE IDLE CONNECT IDLE IDLE"),
      State.ACTIVE, states("ACTIVE IDLE OPEN_SENT ACTIVE IDLE IDLE IDLE IDLE IDLE IDLE CONNECT IDLE IDLE"),
      State.OPEN_SENT, states("OPEN_SENT IDLE OPEN_SENT ACTIVE OPEN_CONFIRM IDLE IDLE IDLE IDLE IDLE OPEN_SENT IDLE"
          + " OPEN_SENT"),
      State.OPEN_CONFIRM, states("OPEN_CONFIRM IDLE OPEN_CONFIRM IDLE IDLE ESTABLISHED IDLE IDLE IDLE IDLE"
          + " OPEN_CONFIRM IDLE OPEN_CONFIRM"),
      State.ESTABLISHED, states("ESTABLISHED IDLE ESTABLISHED IDLE IDLE ESTABLISHED ESTABLISHED ESTABLISHED IDLE IDLE"
          + " ESTABLISHED IDLE ESTABLISHED"));

  private static State[] states(String s) {
    return Stream.of(s.split(" ")).map(State::valueOf).toArray(State[]::new);
  }

  /** A fresh FSM driven into {@code target} at time 0. */
  static SessionFsm in(State target) {
    SessionFsm f = new SessionFsm(ACTIVE_CFG);
    List<FsmEvent> path = switch (target) {
      case IDLE -> List.of();
      case CONNECT -> List.of(new FsmEvent.Start());
      case ACTIVE -> List.of(new FsmEvent.Start(), new FsmEvent.TcpFailed("refused"));
      case OPEN_SENT -> List.of(new FsmEvent.Start(), new FsmEvent.TcpConnected());
      case OPEN_CONFIRM -> List.of(new FsmEvent.Start(), new FsmEvent.TcpConnected(), EVENTS.get("OpenReceived"));
      case ESTABLISHED -> List.of(new FsmEvent.Start(), new FsmEvent.TcpConnected(), EVENTS.get("OpenReceived"),
          new FsmEvent.KeepaliveReceived());
    };
    path.forEach(e -> f.handle(e, 0));
    assertThat(f.state()).isEqualTo(target);
    return f;
  }

  static Stream<Arguments> everyStateAndEvent() {
    List<Arguments> out = new ArrayList<>();
    for (State s : State.values()) {
      int i = 0;
      for (String e : EVENTS.keySet()) {
        out.add(Arguments.of(s, e, NEXT.get(s)[i++]));
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0} + {1} -> {2}")
  @MethodSource("everyStateAndEvent")
  void eachStateAndEvent(State from, String event, State expected) {
    SessionFsm f = in(from);
    List<FsmAction> actions = f.handle(EVENTS.get(event), SEC);
    assertThat(f.state()).isEqualTo(expected);
    if (from == State.ESTABLISHED && expected == State.IDLE) {
      assertThat(actions).anyMatch(a -> a instanceof FsmAction.Down);
    } else {
      assertThat(actions).noneMatch(a -> a instanceof FsmAction.Down);
    }
    if (from == State.OPEN_CONFIRM && expected == State.ESTABLISHED) {
      assertThat(actions).anyMatch(a -> a instanceof FsmAction.Established);
    }
  }

  @Test
  void holdTimerExpiryByTheClockSendsNotificationAndWithdraws() {
    SessionFsm f = in(State.ESTABLISHED);
    assertThat(f.nextDeadline()).isEqualTo(3 * SEC); // keepalive first: hold 9 s / 3
    assertThat(f.tick(3 * SEC)).containsExactly(new FsmAction.Send(BgpMessage.Keepalive.INSTANCE));
    f.handle(new FsmEvent.KeepaliveReceived(), 4 * SEC); // hold now runs to 13 s
    assertThat(f.tick(12 * SEC)).noneMatch(a -> a instanceof FsmAction.Down);
    List<FsmAction> at13 = f.tick(13 * SEC);
    assertThat(at13).contains(new FsmAction.Send(new BgpMessage.NotificationMessage(4, 0, null)),
        new FsmAction.Close(), new FsmAction.Down("Hold timer expired", false));
    assertThat(f.state()).isEqualTo(State.IDLE);
    assertThat(f.lastError()).isEqualTo("Hold timer expired");
  }

  @Test
  void connectionLossOfAGracefulRestartPeerRetainsItsRoutes() {
    SessionFsm f = new SessionFsm(ACTIVE_CFG);
    f.handle(new FsmEvent.Start(), 0);
    f.handle(new FsmEvent.TcpConnected(), 0);
    f.handle(new FsmEvent.OpenReceived(peerOpen(64512, 9, true)), 0);
    f.handle(new FsmEvent.KeepaliveReceived(), 0);
    assertThat(f.handle(new FsmEvent.TcpFailed("reset"), SEC)).contains(new FsmAction.Down(
        "Connection closed: reset", true));
  }

  @Test
  void anOpenFromTheWrongAsIsRefusedWithNotification2of2() {
    SessionFsm f = in(State.OPEN_SENT);
    List<FsmAction> a = f.handle(new FsmEvent.OpenReceived(peerOpen(65000, 9, false)), SEC);
    assertThat(a.get(0)).isInstanceOfSatisfying(FsmAction.Send.class, s -> {
      BgpMessage.NotificationMessage n = (BgpMessage.NotificationMessage) s.message();
      assertThat(n.code()).isEqualTo(2);
      assertThat(n.subcode()).isEqualTo(2);
    });
    assertThat(f.state()).isEqualTo(State.IDLE);
  }

  @Test
  void holdTimeIsTheSmallerOfBoth() {
    SessionFsm f = new SessionFsm(ACTIVE_CFG);
    f.handle(new FsmEvent.Start(), 0);
    f.handle(new FsmEvent.TcpConnected(), 0);
    f.handle(new FsmEvent.OpenReceived(peerOpen(64512, 3, false)), 0);
    assertThat(f.negotiated().orElseThrow().holdTime()).isEqualTo(Duration.ofSeconds(3));
    assertThat(f.nextDeadline()).isEqualTo(SEC);
  }

  @Test
  void afterAnErrorTheSessionRestartsByItselfAfterConnectRetry() {
    SessionFsm f = in(State.ESTABLISHED);
    f.handle(new FsmEvent.NotificationReceived(new BgpMessage.NotificationMessage(6, 4, null)), SEC);
    assertThat(f.state()).isEqualTo(State.IDLE);
    assertThat(f.nextDeadline()).isEqualTo(6 * SEC);
    assertThat(f.tick(6 * SEC)).containsExactly(new FsmAction.Connect());
    assertThat(f.state()).isEqualTo(State.CONNECT);
  }

  @Test
  void aStoppedSessionStaysDown() {
    SessionFsm f = in(State.ESTABLISHED);
    assertThat(f.handle(new FsmEvent.Stop(3), SEC)).startsWith(
        new FsmAction.Send(new BgpMessage.NotificationMessage(6, 3, null)), new FsmAction.Close());
    assertThat(f.nextDeadline()).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void passiveSessionsNeverConnect() {
    SessionConfig passive = new SessionConfig(64512, 1, 0, Duration.ofSeconds(90), Duration.ofSeconds(5), true,
        List.of(Family.IPV4_UNICAST), 0);
    SessionFsm f = new SessionFsm(passive);
    assertThat(f.handle(new FsmEvent.Start(), 0)).isEmpty();
    assertThat(f.state()).isEqualTo(State.ACTIVE);
    assertThat(f.tick(10 * SEC)).noneMatch(a -> a instanceof FsmAction.Connect);
  }

  @Test
  void collisionKeepsTheConnectionOfTheHigherIdentifier() {
    assertThat(Collision.keepPeers(1, 2)).isTrue();
    assertThat(Collision.keepPeers(0xFFFF_FFFFL, 2)).isFalse();
  }
}
