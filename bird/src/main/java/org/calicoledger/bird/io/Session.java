package org.calicoledger.bird.io;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.calicoledger.bird.fsm.Collision;
import org.calicoledger.bird.fsm.FsmAction;
import org.calicoledger.bird.fsm.FsmEvent;
import org.calicoledger.bird.fsm.Negotiated;
import org.calicoledger.bird.fsm.SessionFsm;
import org.calicoledger.bird.rib.RibPeer;
import org.calicoledger.bird.wire.AttributeError;
import org.calicoledger.bird.wire.BgpCodec;
import org.calicoledger.bird.wire.BgpMessage;
import org.calicoledger.bird.wire.CodecOptions;
import org.calicoledger.bird.wire.MalformedMessageException;
import org.calicoledger.bird.wire.Notification;
import org.calicoledger.bird.wire.Prefix;
import org.calicoledger.bird.wire.UpdateValidator;

/**
 * One peer's session: its {@link SessionFsm}, its TCP connection and timers. Everything here runs under the session's
 * lock on Vert.x threads and is quick: frames are decoded here (so KEEPALIVEs and the hold timer never wait for route
 * processing) and UPDATEs are handed to the speaker's RIB thread.
 *
 * <p>Connections: the FSM sees one at a time. A connection the peer opens while ours is still connecting replaces
 * ours; while we wait for the peer's OPEN on ours, the higher router ID wins (the peer's ID is taken to be its
 * address, as for Calico nodes); once OPEN is confirmed a new connection is refused.
 */
final class Session {
  private static final System.Logger LOG = System.getLogger("bird.session");
  private final BgpSpeaker speaker;
  final PeerConfig cfg;
  private final SessionFsm fsm;
  private Conn socket;
  private FrameReader reader;
  private int attempt;
  private long timerId = -1;
  private SessionFsm.State shown = SessionFsm.State.IDLE;
  private Instant since = Instant.now();
  /** How UPDATEs from the peer are decoded (ADD-PATH receive applies after Established). */
  private CodecOptions codec = CodecOptions.DEFAULT;
  /** How messages to the peer are encoded. */
  private CodecOptions sendCodec = CodecOptions.DEFAULT;
  private RibPeer ribPeer;
  private boolean stopped;
  private int peerRestartTime;

  Session(BgpSpeaker speaker, PeerConfig cfg, SessionFsm fsm) {
    this.speaker = speaker;
    this.cfg = cfg;
    this.fsm = fsm;
  }

  synchronized void start() {
    apply(fsm.handle(new FsmEvent.Start(), System.nanoTime()));
  }

  synchronized void stop(int ceaseSubcode) {
    stopped = true;
    apply(fsm.handle(new FsmEvent.Stop(ceaseSubcode), System.nanoTime()));
    if (timerId >= 0) {
      speaker.vertx().cancelTimer(timerId);
    }
    if (socket != null) {
      socket.close();
      socket = null;
    }
  }

  /**
   * Closes the connection without a NOTIFICATION, for a graceful restart of this speaker (RFC 4724): the peer sees the
   * TCP session end, keeps our routes as stale and waits for us to come back with End-of-RIB.
   */
  synchronized void drop() {
    stopped = true;
    if (timerId >= 0) {
      speaker.vertx().cancelTimer(timerId);
    }
    if (socket != null) {
      Conn s = socket;
      socket = null;
      s.close();
    }
  }

  synchronized PeerStatus status() {
    String name = switch (fsm.state()) {
      case IDLE -> "Idle";
      case CONNECT -> "Connect";
      case ACTIVE -> cfg.passive() ? "Passive" : "Active";
      case OPEN_SENT -> "OpenSent";
      case OPEN_CONFIRM -> "OpenConfirm";
      case ESTABLISHED -> "Established";
    };
    return new PeerStatus(cfg, name, since, fsm.lastError(), -1);
  }

  synchronized RibPeer ribPeer() {
    return ribPeer;
  }

  /** A connection the peer opened to us. */
  synchronized void incoming(Conn s) {
    SessionFsm.State st = fsm.state();
    if (stopped || st == SessionFsm.State.IDLE || st == SessionFsm.State.OPEN_CONFIRM
        || st == SessionFsm.State.ESTABLISHED) {
      refuse(s);
      return;
    }
    if (st == SessionFsm.State.OPEN_SENT) {
      long peerId = Prefix.parse(cfg.address()).v6() ? 0 : Prefix.parse(cfg.address()).lo();
      if (!Collision.keepPeers(fsm.config().routerId(), peerId)) {
        refuse(s);
        return;
      }
      Conn ours = socket;
      socket = null;
      write(ours, new BgpMessage.NotificationMessage(Notification.CEASE, Notification.CEASE_COLLISION, null));
      ours.close();
      apply(fsm.handle(new FsmEvent.TcpFailed("connection collision"), System.nanoTime()));
    }
    attempt++; // an attempt of ours still in flight is obsolete now
    if (socket != null) {
      socket.close();
    }
    adopt(s);
    apply(fsm.handle(new FsmEvent.TcpConnected(), System.nanoTime()));
  }

  private void refuse(Conn s) {
    write(s, new BgpMessage.NotificationMessage(Notification.CEASE, Notification.CEASE_CONNECTION_REJECTED, null));
    s.close();
  }

  private void connect() {
    int mine = ++attempt;
    byte[] key;
    try {
      key = cfg.password() == null ? null : Transport.key(cfg);
    } catch (IllegalArgumentException e) {
      apply(fsm.handle(new FsmEvent.TcpFailed(e.getMessage()), System.nanoTime()));
      return;
    }
    speaker.transport().connect(cfg.address(), cfg.port(), key, (int) fsm.config().connectRetry().toMillis(),
        (conn, error) -> {
          synchronized (Session.this) {
            if (mine != attempt || stopped) {
              if (conn != null) {
                conn.close();
              }
              return;
            }
            if (conn == null) {
              apply(fsm.handle(new FsmEvent.TcpFailed(String.valueOf(error.getMessage())), System.nanoTime()));
              return;
            }
            adopt(conn);
            apply(fsm.handle(new FsmEvent.TcpConnected(), System.nanoTime()));
          }
        });
  }

  private void adopt(Conn s) {
    socket = s;
    reader = new FrameReader();
    codec = CodecOptions.DEFAULT;
    sendCodec = CodecOptions.DEFAULT;
    s.start(b -> onData(s, b), () -> onClosed(s));
  }

  private synchronized void onClosed(Conn s) {
    if (s == socket) {
      socket = null;
      apply(fsm.handle(new FsmEvent.TcpFailed("connection closed by peer"), System.nanoTime()));
    }
  }

  private synchronized void onData(Conn s, byte[] b) {
    if (s != socket) {
      return;
    }
    try {
      reader.feed(b, (buf, off, len) -> {
        if (s == socket) {
          onMessage(BgpCodec.decode(buf, off, len, codec));
        }
      });
    } catch (MalformedMessageException e) {
      LOG.log(System.Logger.Level.WARNING, "peer " + cfg.display() + ": " + e.getMessage());
      apply(fsm.handle(new FsmEvent.MessageError(e), System.nanoTime()));
    }
  }

  private void onMessage(BgpMessage m) {
    long now = System.nanoTime();
    if (m instanceof BgpMessage.Open o) {
      apply(fsm.handle(new FsmEvent.OpenReceived(o), now));
    } else if (m instanceof BgpMessage.Keepalive) {
      apply(fsm.handle(new FsmEvent.KeepaliveReceived(), now));
    } else if (m instanceof BgpMessage.NotificationMessage n) {
      LOG.log(System.Logger.Level.INFO, "peer " + cfg.display() + " sent " + n);
      apply(fsm.handle(new FsmEvent.NotificationReceived(n), now));
    } else if (m instanceof BgpMessage.RouteRefresh rr) {
      boolean up = fsm.state() == SessionFsm.State.ESTABLISHED;
      apply(fsm.handle(new FsmEvent.RouteRefreshReceived(), now));
      org.calicoledger.bird.wire.Family f = org.calicoledger.bird.wire.Family.of(rr.afi(), rr.safi());
      if (up && ribPeer != null && f != null) {
        speaker.onRouteRefresh(ribPeer, f);
      }
    } else if (m instanceof BgpMessage.Update u) {
      boolean up = fsm.state() == SessionFsm.State.ESTABLISHED;
      apply(fsm.handle(new FsmEvent.UpdateReceived(), now));
      if (up && ribPeer != null) {
        List<AttributeError> errors = new ArrayList<>(u.errors());
        errors.addAll(UpdateValidator.validate(u, ribPeer.ebgp(), ribPeer.asNumber()));
        speaker.onUpdate(ribPeer, u, errors);
      }
    }
  }

  private synchronized void onTimer() {
    timerId = -1;
    if (!stopped) {
      apply(fsm.tick(System.nanoTime()));
    }
  }

  private void apply(List<FsmAction> actions) {
    for (FsmAction a : actions) {
      if (a instanceof FsmAction.Connect) {
        connect();
      } else if (a instanceof FsmAction.Send s) {
        if (socket != null) {
          write(socket, s.message());
        }
      } else if (a instanceof FsmAction.Close) {
        attempt++;
        if (socket != null) {
          Conn s = socket;
          socket = null;
          s.close();
        }
      } else if (a instanceof FsmAction.Established e) {
        Negotiated n = e.negotiated();
        codec = n.receiveCodec();
        sendCodec = n.codec();
        peerRestartTime = n.peerRestart().map(g -> g.restartTime()).orElse(0);
        ribPeer = new RibPeer(cfg.address(), Prefix.parse(cfg.address()), n.peerId(), n.peerAs(),
            n.peerAs() != fsm.config().localAs(), cfg.rrClient());
        Conn s = socket;
        CodecOptions c = sendCodec;
        speaker.peerUp(this, ribPeer, n, m -> {
          if (s.equals(currentSocket())) {
            s.write(BgpCodec.encode(m, c));
          }
        });
        LOG.log(System.Logger.Level.INFO, "peer " + cfg.display() + " established (AS " + n.peerAs() + ", hold "
            + n.holdTime().toSeconds() + " s, " + n.families() + ")");
      } else if (a instanceof FsmAction.Down d) {
        LOG.log(System.Logger.Level.INFO, "peer " + cfg.display() + " down: " + d.reason()
            + (d.retainForRestart() ? " (keeping its routes for a graceful restart)" : ""));
        RibPeer p = ribPeer;
        if (p != null) {
          speaker.peerDown(this, p, d.retainForRestart(), peerRestartTime);
        }
      }
    }
    if (fsm.state() != shown) {
      shown = fsm.state();
      since = Instant.now();
    }
    schedule();
  }

  private synchronized Conn currentSocket() {
    return socket;
  }

  private void write(Conn s, BgpMessage m) {
    s.write(BgpCodec.encode(m, sendCodec));
  }

  private void schedule() {
    long d = fsm.nextDeadline();
    if (timerId >= 0) {
      speaker.vertx().cancelTimer(timerId);
      timerId = -1;
    }
    if (d != Long.MAX_VALUE && !stopped) {
      long ms = Math.max(1, (d - System.nanoTime()) / 1_000_000 + 1);
      timerId = speaker.vertx().setTimer(ms, id -> onTimer());
    }
  }
}
