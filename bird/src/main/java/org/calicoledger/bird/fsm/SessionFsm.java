package org.calicoledger.bird.fsm;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.calicoledger.bird.wire.BgpMessage;
import org.calicoledger.bird.wire.MalformedMessageException;
import org.calicoledger.bird.wire.Notification;
import org.calicoledger.bird.wire.OpenValidator;

/**
 * The RFC 4271 session state machine (section 8), pure: {@link #handle} takes an event and the current time and
 * returns the actions to carry out; {@link #tick} turns timers that have run out into events. It owns no socket and no
 * clock, so every transition is testable with a fake time.
 *
 * <p>Timers (nanosecond deadlines, {@code Long.MAX_VALUE} when off): connect retry (in Connect/Active, and in Idle as
 * the pause before an automatic restart after an error), hold (4 minutes while waiting for the OPEN, then the
 * negotiated time, restarted by every KEEPALIVE or UPDATE) and keepalive (a third of the hold time).
 *
 * <p>One connection at a time: when the peer connects while we connect too, the I/O layer resolves the collision
 * ({@link Collision}) and reports only the surviving connection. Not thread-safe: one session's events arrive on one
 * thread.
 */
public final class SessionFsm {
  public enum State { IDLE, CONNECT, ACTIVE, OPEN_SENT, OPEN_CONFIRM, ESTABLISHED }

  static final Duration OPEN_HOLD = Duration.ofMinutes(4);
  private static final long OFF = Long.MAX_VALUE;

  private final SessionConfig cfg;
  private State state = State.IDLE;
  private boolean autoRestart;
  private long connectRetryAt = OFF;
  private long holdAt = OFF;
  private long keepaliveAt = OFF;
  private BgpMessage.Open sentOpen;
  private Negotiated negotiated;
  private String lastError = "";

  public SessionFsm(SessionConfig cfg) {
    this.cfg = cfg;
  }

  public State state() {
    return state;
  }

  public SessionConfig config() {
    return cfg;
  }

  /** What the OPEN exchange agreed on, while Established (and OpenConfirm). */
  public Optional<Negotiated> negotiated() {
    return Optional.ofNullable(negotiated);
  }

  /** Why the session last went down ({@code ""} if never). */
  public String lastError() {
    return lastError;
  }

  /** The earliest timer deadline, or {@code Long.MAX_VALUE}. */
  public long nextDeadline() {
    return Math.min(connectRetryAt, Math.min(holdAt, keepaliveAt));
  }

  /** Fires every timer whose deadline is at or before {@code now}. */
  public List<FsmAction> tick(long now) {
    List<FsmAction> out = new ArrayList<>();
    if (holdAt <= now) {
      out.addAll(handle(new FsmEvent.HoldExpired(), now));
    }
    if (keepaliveAt <= now) {
      out.addAll(handle(new FsmEvent.KeepaliveExpired(), now));
    }
    if (connectRetryAt <= now) {
      out.addAll(handle(new FsmEvent.ConnectRetryExpired(), now));
    }
    return out;
  }

  public List<FsmAction> handle(FsmEvent e, long now) {
    List<FsmAction> out = new ArrayList<>();
    if (e instanceof FsmEvent.Stop s) {
      autoRestart = false;
      if (state == State.OPEN_SENT || state == State.OPEN_CONFIRM || state == State.ESTABLISHED) {
        out.add(new FsmAction.Send(new BgpMessage.NotificationMessage(Notification.CEASE, s.ceaseSubcode(), null)));
      }
      if (state != State.IDLE) {
        out.add(new FsmAction.Close());
      }
      toIdle(out, "stopped", false, now);
      connectRetryAt = OFF;
      return out;
    }
    switch (state) {
      case IDLE -> idle(e, out, now);
      case CONNECT, ACTIVE -> connecting(e, out, now);
      case OPEN_SENT -> openSent(e, out, now);
      case OPEN_CONFIRM -> openConfirm(e, out, now);
      case ESTABLISHED -> established(e, out, now);
    }
    return out;
  }

  private void idle(FsmEvent e, List<FsmAction> out, long now) {
    if (e instanceof FsmEvent.Start || (e instanceof FsmEvent.ConnectRetryExpired && autoRestart)) {
      autoRestart = true;
      connectRetryAt = now + cfg.connectRetry().toNanos();
      if (cfg.passive()) {
        state = State.ACTIVE;
      } else {
        state = State.CONNECT;
        out.add(new FsmAction.Connect());
      }
    } else if (e instanceof FsmEvent.TcpConnected) {
      out.add(new FsmAction.Close()); // not started: refuse the connection
    } else if (e instanceof FsmEvent.ConnectRetryExpired) {
      connectRetryAt = OFF;
    }
  }

  private void connecting(FsmEvent e, List<FsmAction> out, long now) {
    if (e instanceof FsmEvent.ConnectRetryExpired) {
      connectRetryAt = now + cfg.connectRetry().toNanos();
      if (!cfg.passive()) {
        if (state == State.CONNECT) {
          out.add(new FsmAction.Close()); // abandon the attempt that did not finish
        }
        state = State.CONNECT;
        out.add(new FsmAction.Connect());
      }
    } else if (e instanceof FsmEvent.TcpConnected) {
      connectRetryAt = OFF;
      sentOpen = cfg.open();
      out.add(new FsmAction.Send(sentOpen));
      holdAt = now + OPEN_HOLD.toNanos();
      state = State.OPEN_SENT;
    } else if (e instanceof FsmEvent.TcpFailed f) {
      lastError = f.reason();
      connectRetryAt = now + cfg.connectRetry().toNanos();
      state = State.ACTIVE;
    } else if (e instanceof FsmEvent.Start) {
      return;
    } else {
      fsmError(e, out, now, false);
    }
  }

  private void openSent(FsmEvent e, List<FsmAction> out, long now) {
    if (e instanceof FsmEvent.OpenReceived o) {
      Optional<MalformedMessageException> bad = OpenValidator.validate(o.open(), cfg.peerAs(), cfg.routerId());
      if (bad.isPresent()) {
        out.add(new FsmAction.Send(bad.get().toNotification()));
        out.add(new FsmAction.Close());
        toIdle(out, bad.get().getMessage(), false, now);
        return;
      }
      negotiated = Negotiated.of(sentOpen, o.open());
      out.add(new FsmAction.Send(BgpMessage.Keepalive.INSTANCE));
      startHoldAndKeepalive(now);
      state = State.OPEN_CONFIRM;
    } else if (e instanceof FsmEvent.TcpFailed f) {
      out.add(new FsmAction.Close());
      lastError = f.reason();
      holdAt = OFF;
      connectRetryAt = now + cfg.connectRetry().toNanos();
      state = State.ACTIVE;
    } else {
      common(e, out, now);
    }
  }

  private void openConfirm(FsmEvent e, List<FsmAction> out, long now) {
    if (e instanceof FsmEvent.KeepaliveReceived) {
      holdAt = negotiated.holdTime().isZero() ? OFF : now + negotiated.holdTime().toNanos();
      state = State.ESTABLISHED;
      lastError = "";
      out.add(new FsmAction.Established(negotiated));
    } else {
      common(e, out, now);
    }
  }

  private void established(FsmEvent e, List<FsmAction> out, long now) {
    if (e instanceof FsmEvent.KeepaliveReceived || e instanceof FsmEvent.UpdateReceived
        || e instanceof FsmEvent.RouteRefreshReceived) {
      holdAt = negotiated.holdTime().isZero() ? OFF : now + negotiated.holdTime().toNanos();
    } else {
      common(e, out, now);
    }
  }

  /** Events handled alike in OpenSent, OpenConfirm and Established. */
  private void common(FsmEvent e, List<FsmAction> out, long now) {
    boolean up = state == State.ESTABLISHED;
    if (e instanceof FsmEvent.KeepaliveExpired) {
      if (negotiated == null) {
        return; // OpenSent: no keepalive timer runs yet
      }
      out.add(new FsmAction.Send(BgpMessage.Keepalive.INSTANCE));
      keepaliveAt = now + negotiated.keepaliveInterval().toNanos();
    } else if (e instanceof FsmEvent.HoldExpired) {
      out.add(new FsmAction.Send(new BgpMessage.NotificationMessage(Notification.HOLD_TIMER_EXPIRED, 0, null)));
      out.add(new FsmAction.Close());
      toIdle(out, "Hold timer expired", false, now);
    } else if (e instanceof FsmEvent.NotificationReceived n) {
      out.add(new FsmAction.Close());
      toIdle(out, "Received: " + Notification.describe(n.notification().code(), n.notification().subcode()), false,
          now);
    } else if (e instanceof FsmEvent.MessageError m) {
      out.add(new FsmAction.Send(m.error().toNotification()));
      out.add(new FsmAction.Close());
      toIdle(out, m.error().getMessage(), false, now);
    } else if (e instanceof FsmEvent.TcpFailed f) {
      out.add(new FsmAction.Close());
      boolean retain = up && negotiated.peerRestart().isPresent();
      toIdle(out, "Connection closed: " + f.reason(), retain, now);
    } else if (e instanceof FsmEvent.Start || e instanceof FsmEvent.TcpConnected
        || e instanceof FsmEvent.ConnectRetryExpired) {
      return; // already started; a second connection is the collision detector's business
    } else {
      fsmError(e, out, now, true);
    }
  }

  private void fsmError(FsmEvent e, List<FsmAction> out, long now, boolean connected) {
    if (connected) {
      int sub = switch (state) {
        case OPEN_SENT -> 1;
        case OPEN_CONFIRM -> 2;
        case ESTABLISHED -> 3;
        default -> 0;
      };
      out.add(new FsmAction.Send(new BgpMessage.NotificationMessage(Notification.FSM, sub, null)));
    }
    out.add(new FsmAction.Close());
    toIdle(out, "unexpected " + e.getClass().getSimpleName() + " in " + state, false, now);
  }

  private void startHoldAndKeepalive(long now) {
    if (negotiated.holdTime().isZero()) {
      holdAt = OFF;
      keepaliveAt = OFF;
    } else {
      holdAt = now + negotiated.holdTime().toNanos();
      keepaliveAt = now + negotiated.keepaliveInterval().toNanos();
    }
  }

  private void toIdle(List<FsmAction> out, String reason, boolean retain, long now) {
    if (state == State.ESTABLISHED) {
      out.add(new FsmAction.Down(reason, retain));
    }
    lastError = reason;
    state = State.IDLE;
    holdAt = OFF;
    keepaliveAt = OFF;
    negotiated = null;
    connectRetryAt = autoRestart ? now + cfg.connectRetry().toNanos() : OFF;
  }
}
