package org.calicoledger.bird.io;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.calicoledger.bird.fsm.Negotiated;
import org.calicoledger.bird.fsm.SessionConfig;
import org.calicoledger.bird.fsm.SessionFsm;
import org.calicoledger.bird.rib.ExportPolicy;
import org.calicoledger.bird.rib.RibPeer;
import org.calicoledger.bird.rib.RibProcessor;
import org.calicoledger.bird.rib.RouteListener;
import org.calicoledger.bird.wire.AttributeError;
import org.calicoledger.bird.wire.BgpMessage;
import org.calicoledger.bird.wire.Family;
import org.calicoledger.bird.wire.Notification;
import org.calicoledger.bird.wire.Prefix;

/**
 * A running BGP speaker: a TCP listener on {@code bindAddress:port}, one {@link Session} per configured peer, and one
 * RIB thread that owns the {@link RibProcessor}.
 *
 * <pre>
 *  peer TCP --> Vert.x event loop: Session (frames, decode, FSM, timers, KEEPALIVE) --UPDATE--> RIB thread
 *  RIB thread: RibProcessor (Adj-RIB-In, Loc-RIB, Adj-RIB-Out) --> RouteListener; --UPDATE--> peer sockets
 * </pre>
 *
 * <p>Invariants: the RIB is touched only on the RIB thread; a session's state only under its lock; {@link #setPeers}
 * starts, stops or restarts only the sessions whose {@link PeerConfig} changed. Sockets (Netty, {@link Transport})
 * have TCP_NODELAY (BIRD leaves Nagle on and loses 40 ms per first UPDATE to delayed ACKs) and TCP MD5 for peers with
 * a password.
 */
public final class BgpSpeaker implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger("bird.speaker");

  /**
   * @param clusterId route reflector cluster ID, -1 when this node reflects for nobody
   * @param selfV4 our IPv4 next hop (the node address)
   * @param selfV6 our IPv6 next hop, or null
   * @param restartTime graceful restart time we offer, seconds (0: none)
   */
  public record Settings(String bindAddress, int port, long localAs, long routerId, long clusterId, String selfV4,
      String selfV6, Duration holdTime, Duration connectRetry, int restartTime) {
    public Settings withPort(int p) {
      return new Settings(bindAddress, p, localAs, routerId, clusterId, selfV4, selfV6, holdTime, connectRetry,
          restartTime);
    }
  }

  private final Settings settings;
  private final Vertx vertx;
  private final Transport transport;
  private final ScheduledExecutorService ribThread;
  private final RibProcessor rib;
  private final Map<String, Session> sessions = new ConcurrentHashMap<>();
  /** Peers (RibPeer keys) that sent End-of-RIB for IPv4 unicast since this speaker started. */
  private final java.util.Set<String> endOfRibV4 = ConcurrentHashMap.newKeySet();
  private final Prefix selfV4;
  private final Prefix selfV6;

  private BgpSpeaker(Settings s, RouteListener listener) throws Exception {
    this.settings = s;
    this.selfV4 = s.selfV4() == null ? null : Prefix.parse(s.selfV4());
    this.selfV6 = s.selfV6() == null ? null : Prefix.parse(s.selfV6());
    this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2).setWorkerPoolSize(1));
    this.ribThread = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "bgp-rib");
      t.setDaemon(true);
      return t;
    });
    this.rib = new RibProcessor(new ExportPolicy(s.localAs(), s.routerId(), s.clusterId()), listener);
    try {
      this.transport = new Transport(s.bindAddress(), s.port(), this::accept);
    } catch (Exception e) {
      vertx.close();
      ribThread.shutdownNow();
      throw new IllegalStateException("cannot listen for BGP on " + s.bindAddress() + ":" + s.port() + ": " + e
          + " (port 179 needs root or CAP_NET_BIND_SERVICE; another BGP daemon may hold it)", e);
    }
  }

  /** Binds the listener and returns a speaker with no peers and no local routes. */
  public static BgpSpeaker start(Settings s, RouteListener listener) throws Exception {
    return new BgpSpeaker(s, listener);
  }

  public Settings settings() {
    return settings;
  }

  /** The bound port (the chosen one when the settings said 0). */
  public int port() {
    return transport.port();
  }

  Vertx vertx() {
    return vertx;
  }

  Transport transport() {
    return transport;
  }

  private void accept(Conn s) {
    String host = canonical(s.remoteHost());
    Session session = sessions.get(host);
    if (session == null) {
      LOG.log(System.Logger.Level.INFO, "refusing a BGP connection from " + host + ": not a configured peer");
      s.close();
      return;
    }
    session.incoming(s);
  }

  static String canonical(String ip) {
    return Prefix.parse(ip).toString().replaceAll("/\\d+$", "");
  }

  /** Applies a new peer list: new peers start, removed ones stop (Cease), changed ones restart, others are untouched. */
  public synchronized void setPeers(Collection<PeerConfig> peers) {
    Map<String, PeerConfig> wanted = new HashMap<>();
    for (PeerConfig p : peers) {
      wanted.put(canonical(p.address()), p);
    }
    for (Map.Entry<String, Session> e : new ArrayList<>(sessions.entrySet())) {
      PeerConfig w = wanted.get(e.getKey());
      if (w == null || !w.equals(e.getValue().cfg)) {
        sessions.remove(e.getKey());
        e.getValue().stop(Notification.CEASE_PEER_DECONFIGURED);
        RibPeer rp = e.getValue().ribPeer();
        if (rp != null) {
          onRibThread(() -> rib.peerDown(rp, false));
        }
      }
    }
    setListenerKeys(wanted.values());
    for (Map.Entry<String, PeerConfig> e : wanted.entrySet()) {
      if (!sessions.containsKey(e.getKey())) {
        PeerConfig p = e.getValue();
        SessionConfig sc = new SessionConfig(settings.localAs(), settings.routerId(), p.asNumber(),
            p.holdTime() != null ? p.holdTime() : settings.holdTime(), settings.connectRetry(), p.passive(),
            List.of(Family.IPV4_UNICAST, Family.IPV6_UNICAST), settings.restartTime());
        Session s = new Session(this, p, new SessionFsm(sc));
        sessions.put(e.getKey(), s);
        s.start();
      }
    }
  }

  /** TCP MD5 on the listener: the key of every peer with a password; a peer whose key is refused is logged. */
  private void setListenerKeys(Collection<PeerConfig> peers) {
    Map<InetAddress, byte[]> keys = new HashMap<>();
    for (PeerConfig p : peers) {
      if (p.password() != null) {
        try {
          keys.put(InetAddress.getByName(p.address()), Transport.key(p));
        } catch (Exception e) {
          LOG.log(System.Logger.Level.ERROR, "BGP peer " + p.display() + ": no TCP MD5 key on the listener: " + e);
        }
      }
    }
    try {
      transport.setListenerKeys(keys);
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.ERROR, "cannot set TCP MD5 keys for " + keys.size() + " peers: " + e);
    }
  }

  /** Replaces the locally originated prefixes; only the difference is advertised or withdrawn. */
  public void setLocalRoutes(Set<Prefix> prefixes) {
    Set<Prefix> copy = Set.copyOf(prefixes);
    onRibThread(() -> rib.setLocal(copy));
  }

  /** Learned routes passed on to peers only inside these prefixes (null: all). */
  public void setLearnedExportPrefixes(List<Prefix> within) {
    List<Prefix> copy = within == null ? null : List.copyOf(within);
    onRibThread(() -> rib.setLearnedExportFilter(p -> copy == null || copy.stream().anyMatch(w -> w.contains(p))));
  }

  /** One row per configured peer, by address. */
  public List<PeerStatus> status() {
    List<PeerStatus> out = new ArrayList<>();
    for (Session s : sessions.values()) {
      PeerStatus st = s.status();
      RibPeer rp = s.ribPeer();
      int n = rp == null || !st.up() ? -1 : call(() -> rib.locRib().adjInSize(rp));
      out.add(new PeerStatus(st.peer(), st.state(), st.since(), st.lastError(), n));
    }
    out.sort(Comparator.comparing(p -> p.peer().address()));
    return out;
  }

  /**
   * Whether as many peers as are configured have sent End-of-RIB for IPv4 since this speaker started: their initial
   * routes have all been passed to the {@link RouteListener} (End-of-RIB is handled on the RIB thread after them).
   */
  public boolean endOfRibFromAllPeers() {
    return endOfRibV4.size() >= sessions.size();
  }

  /** Runs {@code task} on the RIB thread and waits for its result (tests, status, benchmarks). */
  public <T> T call(Callable<T> task) {
    try {
      return ribThread.submit(task).get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("RIB thread task failed: " + e, e);
    }
  }

  public RibProcessor ribUnsafe() {
    return rib;
  }

  void onUpdate(RibPeer peer, BgpMessage.Update u, List<AttributeError> errors) {
    onRibThread(() -> {
      var eor = u.endOfRib();
      if (eor.isPresent()) {
        rib.purgeStale(peer, eor.get());
        if (eor.get() == Family.IPV4_UNICAST) {
          endOfRibV4.add(peer.key());
        }
      } else {
        rib.update(peer, u, errors);
      }
    });
  }

  void onRouteRefresh(RibPeer peer, Family f) {
    onRibThread(() -> rib.refresh(peer, f));
  }

  void peerUp(Session s, RibPeer peer, Negotiated n, Consumer<BgpMessage> send) {
    onRibThread(() -> rib.peerUp(peer, n.families(), selfV4, selfV6, send));
  }

  /** {@code restartTime}: the peer's graceful restart time, seconds; its stale routes go when it is not back by then. */
  void peerDown(Session s, RibPeer peer, boolean retain, int restartTime) {
    onRibThread(() -> rib.peerDown(peer, retain));
    if (retain) {
      int restart = Math.max(1, restartTime);
      ribThread.schedule(() -> {
        PeerStatus st = s.status();
        if (!st.up()) {
          for (Family f : Family.values()) {
            rib.purgeStale(peer, f);
          }
        }
      }, restart, TimeUnit.SECONDS);
    }
  }

  private void onRibThread(Runnable r) {
    if (ribThread.isShutdown()) {
      return; // stopping (closeForRestart): learned routes are kept, not withdrawn
    }
    ribThread.execute(() -> {
      try {
        r.run();
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.ERROR, "RIB task failed", e);
      }
    });
  }

  /**
   * Stops for a restart, as BIRD's {@code graceful restart} command does: every session's connection is closed without
   * a NOTIFICATION, so peers that negotiated graceful restart keep our routes (stale) until we are back and send
   * End-of-RIB, or until the restart time we offered passes; the RIB is stopped first, so nothing learned is withdrawn
   * from the {@link RouteListener} on the way down (the routes stay where they were programmed).
   */
  public void closeForRestart() {
    ribThread.shutdownNow();
    for (Session s : sessions.values()) {
      s.drop();
    }
    sessions.clear();
    try {
      transport.close();
    } catch (Exception e) {
      // closing
    }
    try {
      vertx.close().await(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      // closing
    }
  }

  @Override
  public void close() {
    for (Session s : sessions.values()) {
      s.stop(Notification.CEASE_ADMIN_SHUTDOWN);
    }
    sessions.clear();
    try {
      Thread.sleep(50); // let the Cease NOTIFICATIONs leave
      transport.close();
    } catch (Exception e) {
      // closing
    }
    ribThread.shutdownNow();
    try {
      vertx.close().await(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      // closing
    }
  }
}
