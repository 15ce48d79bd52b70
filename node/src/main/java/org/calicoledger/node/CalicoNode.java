package org.calicoledger.node;

import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import org.calicoledger.ipam.Ipam;
import org.calicoledger.ipam.cni.CalicoIpam;
import org.calicoledger.node.cni.CniAgent;
import org.calicoledger.node.cni.CniServer;
import org.calicoledger.node.feed.ImageFeed;
import org.calicoledger.node.health.HealthServer;
import org.calicoledger.node.health.Metrics;
import org.calicoledger.node.startup.DefaultConfig;
import org.calicoledger.node.startup.IpDetection;
import org.calicoledger.node.startup.NodeRegistration;
import org.calicoledger.node.startup.TunnelAddresses;
import org.calicoledger.store.EtcdStore;
import org.calicoledger.store.Keys;
import org.calicoledger.store.StoreException;
import org.calicoledger.store.Watch;
import org.calicoledger.store.WatchEvent;

/**
 * calico-node for one host: the one place where its parts are assembled, started in order and stopped in reverse.
 *
 * <pre>
 *                        +---------------------------- CalicoNode -----------------------------+
 *  NODENAME, IP, AS,     | 1 health    HealthServer  127.0.0.1:9099  /liveness /readiness /metrics|
 *  CALICO_*, FELIX_*,--->| 2 startup   etcd: ClusterInformation, Node (address, AS), default pool, |
 *  ETCD_*  (NodeConfig)  |             FelixConfiguration default + node.NAME, tunnel addresses  |
 *                        | 3 services  (NodeService; later issues add theirs to services())      |
 *  bin/calico ---unix--->|     CniServer -> CniAgent -> WorkloadPlugin -> IPAM, ip, etcd (WEP)   |
 *  bin/calico-ipam ----->|     [felix]  [confd]  [bird]                                          |
 *                        | 4 watch     ippools -> TunnelAddresses.reconcile                     |
 *                        +----------------------------------------------------------------------+
 * </pre>
 *
 * <p>Invariants: {@code /readiness} says 200 only after startup succeeded and while every service is ready; the
 * CNI socket exists only while requests are accepted; {@link #close} stops accepting before waiting for requests in
 * progress, and closes etcd last. Startup steps are idempotent (create-if-missing, compare-and-swap updates), so an
 * etcd that is unreachable at start is retried from the first step until it answers or the node is stopped; a bad
 * setting (an unparsable variable, no address to use, an address another Node has) stops the node at once.
 */
public final class CalicoNode implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger("calico-node");
  private final NodeConfig cfg;
  private final Metrics metrics = new Metrics();
  private final Vertx vertx = Vertx.vertx();
  private final HealthServer health;
  private final List<NodeService> services = new ArrayList<>();
  private final List<NodeService> started = new ArrayList<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final ExecutorService reconciler = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "tunnel-addresses");
    t.setDaemon(true);
    return t;
  });
  private volatile boolean startedUp;
  private volatile EtcdStore store;
  private volatile Ipam ipam;
  private Watch poolWatch;
  private ImageFeed feed;
  private volatile org.calicoledger.node.bgp.BgpStatusSource bgpStatus;
  private org.calicoledger.node.confd.ConfdService confd;
  /** Routes the BGP speaker learned, for Felix to program (the speaker's wiring announces into it). */
  private final org.calicoledger.felix.calc.LearnedRoutes learnedRoutes = new org.calicoledger.felix.calc.LearnedRoutes();
  private int healthPort;

  public CalicoNode(NodeConfig cfg) {
    this.cfg = cfg;
    this.health = new HealthServer(vertx, metrics, this::ready, this::serviceStates);
    metrics.gauge("calico_node_start_time_seconds", "When this calico-node started (Unix time).",
        () -> ProcessHandle.current().info().startInstant().map(i -> i.getEpochSecond()).orElse(0L));
    metrics.gauge("calico_node_ready", "1 when startup succeeded and every service is ready.",
        () -> ready() ? 1 : 0);
  }

  /** Serves health, runs startup (retrying while etcd is unreachable), then starts the services. */
  public void start() throws Exception {
    healthPort = health.start(cfg.healthHost(), cfg.healthPort());
    LOG.log(System.Logger.Level.INFO, "calico-node " + cfg.nodename() + ": health and metrics on "
        + cfg.healthHost() + ":" + healthPort);
    startup();
    services.addAll(services());
    for (NodeService s : services) {
      if (closed.get()) {
        return;
      }
      s.start();
      started.add(s);
    }
    watchPools();
    startedUp = true;
    LOG.log(System.Logger.Level.INFO, "calico-node " + cfg.nodename() + " is ready");
  }

  /** The services of this node, in start order. Felix, confd and the BGP speaker join here with their issues. */
  private List<NodeService> services() {
    CalicoIpam.Shared shared = new CalicoIpam.Shared(ipam, cfg.nodename(), new ReentrantLock());
    String prefix = cfg.felixOverrides().getOrDefault("interfaceprefix", "cali").split(",")[0].trim();
    CniAgent agent = new CniAgent(store, shared, cfg.nodename(), prefix.isEmpty() ? "cali" : prefix, metrics);
    List<NodeService> list = new ArrayList<>();
    list.add(new CniServer(cfg.cniSocket(), agent));
    if (cfg.kafka() != null) {
      feed = new ImageFeed(cfg.kafka(), cfg.kafkaTimeout(), cfg.nodename());
      org.calicoledger.felix.FelixContext felixCtx = new org.calicoledger.felix.FelixContext(cfg.nodename(),
          cfg.felixOverrides(), cfg.runDir(), store, cfg.actor(), cfg.backend().name(), learnedRoutes);
      org.calicoledger.felix.Felix felix = new org.calicoledger.felix.Felix(felixCtx,
          org.calicoledger.felix.FelixParts.all(felixCtx));
      feed.register(felix);
      list.add(new org.calicoledger.node.felix.FelixService(felix, metrics));
      if (cfg.backend() == NodeConfig.Backend.BIRD) {
        // real BIRD on confd's files (issue #8): confd registers with the feed; BIRD starts after the first render
        confd = new org.calicoledger.node.confd.ConfdService(cfg.nodename(),
            org.calicoledger.node.confd.ConfdSettings.fromEnvironment(System.getenv(), cfg.runDir()), feed, metrics);
        bgpStatusSource(confd.bgpStatus()); // calicoctl node status from birdc show protocols
        list.add(confd);
      }
      if (cfg.backend() == NodeConfig.Backend.BUILTIN) {
        // the built-in BGP speaker (bird module, issue #7): learned routes go to Felix through learnedRoutes
        org.calicoledger.node.bgp.BgpService bgp = new org.calicoledger.node.bgp.BgpService(cfg.nodename(), feed,
            learnedRoutes, System.getenv());
        bgpStatusSource(bgp);
        list.add(bgp);
      }
      // The change-log consumers (felix, confd, the BGP speaker) register with the feed here, before it starts,
      // and are added to the list ahead of it: they start first and wait for its first sync.
      list.add(feed);
    } else {
      LOG.log(System.Logger.Level.WARNING, "KAFKA_BOOTSTRAP_SERVERS is not set: no change-log feed, so felix, confd"
          + " and the BGP speaker do not run on this node");
    }
    return list;
  }

  /** The bus on which this node's BGP speaker hands learned routes to Felix. */
  public org.calicoledger.felix.calc.LearnedRoutes learnedRoutes() {
    return learnedRoutes;
  }

  /** confd and real BIRD ({@code CALICO_NETWORKING_BACKEND=bird} with a feed), else null. */
  public org.calicoledger.node.confd.ConfdService confd() {
    return confd;
  }

  /**
   * Sets what {@code GET /bgp/status} on the health port serves ({@code calicoctl node status}): the built-in speaker
   * sets itself; confd's backend sets BIRD's when {@code CALICO_NETWORKING_BACKEND=bird}.
   */
  public void bgpStatusSource(org.calicoledger.node.bgp.BgpStatusSource source) {
    bgpStatus = source;
    health.bgpStatus(() -> {
      org.calicoledger.node.bgp.BgpStatusSource s = bgpStatus;
      return s == null ? null : org.calicoledger.node.bgp.BgpStatusJson.render(s);
    });
  }

  public org.calicoledger.node.bgp.BgpStatusSource bgpStatusSource() {
    return bgpStatus;
  }

  /** The node's change-log feed, or null when {@code KAFKA_BOOTSTRAP_SERVERS} is not set. */
  public ImageFeed feed() {
    return feed;
  }

  private void startup() throws InterruptedException {
    long backoff = 500;
    while (!closed.get()) {
      EtcdStore s = EtcdStore.connect(cfg.store());
      try {
        s.ensureInitialized(version(), cfg.clusterType());
        NodeRegistration.register(s, cfg, IpDetection.interfaces());
        DefaultConfig.ensure(s, cfg, version());
        Ipam i = Ipam.builder(s).actor(cfg.actor()).build();
        TunnelAddresses.reconcile(s, i, cfg.nodename(), cfg.actor());
        store = s;
        ipam = i;
        return;
      } catch (StoreException e) {
        s.close();
        if (!(e instanceof StoreException.Unavailable) && !e.safeToRetry()) {
          throw e;
        }
        LOG.log(System.Logger.Level.WARNING, "etcd is not usable yet (" + e.getMessage() + "); retrying in "
            + backoff + " ms");
        Thread.sleep(backoff);
        backoff = Math.min(backoff * 2, 10_000);
      } catch (RuntimeException e) {
        s.close();
        throw e;
      }
    }
  }

  /** Pools decide the tunnel addresses: reconcile after every change to them (one at a time, latest wins). */
  private void watchPools() {
    poolWatch = store.watch(Keys.prefix(org.calicoledger.model.Kind.IP_POOL, null), 0, new Watch.Listener() {
      @Override
      public void onEvents(List<WatchEvent> events) {
        reconciler.execute(() -> {
          try {
            TunnelAddresses.reconcile(store, ipam, cfg.nodename(), cfg.actor());
          } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "tunnel addresses: " + e.getMessage());
          }
        });
      }

      @Override
      public void onError(StoreException error) {
        if (!closed.get()) {
          LOG.log(System.Logger.Level.WARNING, "IP pool watch ended: " + error.getMessage());
        }
      }
    });
  }

  public boolean ready() {
    return startedUp && !closed.get() && services.stream().allMatch(NodeService::ready);
  }

  private String serviceStates() {
    StringBuilder b = new StringBuilder("{\"startup\":").append(startedUp);
    for (NodeService s : services) {
      b.append(",\"").append(s.name()).append("\":").append(s.ready());
    }
    return b.append('}').toString();
  }

  public int healthPort() {
    return healthPort;
  }

  public Metrics metrics() {
    return metrics;
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    shutdownNote("stopping");
    for (int i = started.size() - 1; i >= 0; i--) {
      try {
        started.get(i).stop();
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "stopping " + started.get(i).name() + ": " + e.getMessage());
      }
    }
    if (poolWatch != null) {
      poolWatch.close();
    }
    reconciler.shutdownNow();
    try {
      reconciler.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    health.stop();
    if (store != null) {
      store.close();
    }
    vertx.close();
    shutdownNote("stopped");
  }

  /**
   * Written to stderr directly: on SIGTERM, java.util.logging's own shutdown hook removes the log handlers while this
   * node's hook runs, so logged lines could be lost.
   */
  private void shutdownNote(String what) {
    System.err.println(java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS)
        + " INFO calico-node: calico-node " + cfg.nodename() + ": " + what);
  }

  /** This build's version, as calicoctl prints it ({@code v} + the project version). */
  static String version() {
    Properties p = new Properties();
    try (InputStream in = CalicoNode.class.getResourceAsStream("version.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      // unknown
    }
    return "v" + p.getProperty("version", "unknown");
  }
}
