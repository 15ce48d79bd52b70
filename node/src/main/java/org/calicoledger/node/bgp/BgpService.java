package org.calicoledger.node.bgp;

import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import org.calicoledger.bird.calico.CalicoSpeaker;
import org.calicoledger.bird.rib.RouteListener;
import org.calicoledger.bird.wire.Prefix;
import org.calicoledger.felix.calc.LearnedRoutes;
import org.calicoledger.model.SecretResolver;
import org.calicoledger.node.NodeService;
import org.calicoledger.node.confd.ConfdSettings;
import org.calicoledger.node.feed.ImageFeed;

/**
 * The built-in BGP speaker on calico-node ({@code CALICO_NETWORKING_BACKEND=builtin}, the default, with a change-log
 * feed): a {@link CalicoSpeaker} registered with the node's {@link ImageFeed}, whose learned IPv4 routes inside the
 * pools go to Felix's {@link LearnedRoutes}; it answers {@code calicoctl node status} as a {@link BgpStatusSource}.
 *
 * <p>Settings: {@code CALICO_BGP_PORT} (listen port, default the BGPConfiguration's {@code listenPort} or 179) and
 * {@code CALICO_BGP_HOLD_TIME} (seconds, default 90); {@code CALICO_BGP_SECRETS_DIR} (default
 * {@code /etc/calico/bgp-secrets}) holds the TCP MD5 passwords' {@code secretKeyRef}s as {@code <name>/<key>} files,
 * read as confd reads them. Ready once the feed has synced (the speaker then runs whatever
 * the image says, including nothing when this Node has no {@code spec.bgp.ipv4Address}).
 */
public final class BgpService implements NodeService, BgpStatusSource {
  private static final System.Logger LOG = System.getLogger("calico-node");
  /** How long routes kept over a restart wait for the peers' End-of-RIB: the restart time the speaker offers. */
  static final Duration STALE_WAIT = Duration.ofSeconds(120);
  private final CalicoSpeaker speaker;
  private final LearnedRoutes learned;
  private volatile Thread staleReleaser;

  public BgpService(String nodename, ImageFeed feed, LearnedRoutes learned, java.util.Map<String, String> env) {
    int port = Integer.parseInt(env.getOrDefault("CALICO_BGP_PORT", "0").trim());
    long hold = Long.parseLong(env.getOrDefault("CALICO_BGP_HOLD_TIME", "90").trim());
    String dir = env.get("CALICO_BGP_SECRETS_DIR");
    SecretResolver secrets = SecretResolver.files(dir == null || dir.isBlank() ? ConfdSettings.DEFAULT_SECRETS_DIR
        : Path.of(dir.trim()));
    this.speaker = new CalicoSpeaker(nodename, Duration.ofSeconds(hold), port, new ToFelix(learned), secrets);
    this.learned = learned;
    feed.register(speaker);
    int kept = retainProgrammedRoutes(learned);
    if (kept > 0) {
      LOG.log(System.Logger.Level.INFO, "graceful restart: keeping " + kept + " route(s) learned before this start"
          + " until every BGP peer has sent End-of-RIB (at most " + STALE_WAIT.toSeconds() + " s)");
      Thread t = new Thread(this::releaseStaleWhenSynced, "bgp-stale-routes");
      t.setDaemon(true);
      staleReleaser = t;
    }
  }

  /**
   * The routes Felix programmed before this start towards other hosts ({@code ip -json route show table main proto
   * 80} entries with a gateway, not on a workload or VXLAN device), handed to {@link LearnedRoutes#retainStale}. None
   * when {@code ip} fails (no restart to protect then).
   */
  static int retainProgrammedRoutes(LearnedRoutes learned) {
    java.util.Map<String, String> previous = new java.util.TreeMap<>();
    try {
      Process p = new ProcessBuilder("ip", "-json", "route", "show", "table", "main", "proto", "80")
          .redirectErrorStream(false).start();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS) || p.exitValue() != 0) {
        return 0;
      }
      for (com.fasterxml.jackson.databind.JsonNode r : new com.fasterxml.jackson.databind.ObjectMapper().readTree(out)) {
        String dst = r.path("dst").asText("");
        String gw = r.path("gateway").asText("");
        String dev = r.path("dev").asText("");
        if (!r.path("type").asText("unicast").equals("unicast") || dst.isEmpty() || gw.isEmpty()
            || dev.startsWith("cali") || dev.startsWith("vxlan")) {
          continue;
        }
        previous.put(dst.contains("/") ? dst : dst + "/32", gw);
      }
    } catch (java.io.IOException | RuntimeException e) {
      return 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    }
    learned.retainStale(previous);
    return learned.staleCount();
  }

  private void releaseStaleWhenSynced() {
    long deadline = System.nanoTime() + STALE_WAIT.toNanos();
    try {
      while (!speaker.initialRoutesIn() && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
    } catch (InterruptedException e) {
      return; // stopping: the routes stay (a stop is a graceful restart too)
    }
    int dropped = learned.releaseStale();
    LOG.log(System.Logger.Level.INFO, "graceful restart: BGP peers' initial routes are in"
        + (dropped > 0 ? "; dropped " + dropped + " kept route(s) they no longer announce" : ""));
  }

  /** Learned routes to Felix: IPv4 only (Felix programs IPv4 routes); IPv6 ones stay in the speaker's RIB. */
  static final class ToFelix implements RouteListener {
    private final LearnedRoutes learned;

    ToFelix(LearnedRoutes learned) {
      this.learned = learned;
    }

    @Override
    public void announce(Prefix prefix, Prefix nextHop) {
      if (!prefix.v6() && !nextHop.v6()) {
        learned.announce(prefix.toString(), nextHop.toString().replaceAll("/\\d+$", ""));
      }
    }

    @Override
    public void withdraw(Prefix prefix) {
      if (!prefix.v6()) {
        learned.withdraw(prefix.toString());
      }
    }
  }

  public CalicoSpeaker speaker() {
    return speaker;
  }

  @Override
  public String name() {
    return "bgp";
  }

  @Override
  public void start() {
    // the feed drives the speaker: it starts with the first image that gives this node an address
    Thread t = staleReleaser;
    if (t != null) {
      t.start();
    }
  }

  @Override
  public boolean ready() {
    return speaker.synced() && speaker.failure() == null;
  }

  /**
   * A stop is a graceful restart, as calico-node with BIRD ({@code persist} in the kernel protocol, graceful restart on
   * the sessions): the routes learned stay in the kernel, and peers keep this node's routes as stale until it is back
   * (or the offered restart time passes). A node that leaves for good is removed with {@code calicoctl delete node},
   * which takes it out of every peer list, and its routes with it.
   */
  @Override
  public void stop() {
    Thread t = staleReleaser;
    if (t != null) {
      t.interrupt();
    }
    speaker.closeForRestart();
  }

  @Override
  public String backend() {
    return "builtin";
  }

  @Override
  public boolean running() {
    return speaker.speaker() != null;
  }

  @Override
  public List<BgpStatusSource.PeerStatus> peers() {
    List<BgpStatusSource.PeerStatus> out = new ArrayList<>();
    for (org.calicoledger.bird.io.PeerStatus p : speaker.status()) {
      String info = p.up() ? "Established" : p.state() + (p.lastError().isEmpty() ? "" : " " + p.lastError());
      out.add(new BgpStatusSource.PeerStatus(p.peer().display(), p.peer().type(), p.up() ? "up" : "start",
          since(p.since()), info));
    }
    return out;
  }

  /** BIRD's way: the time of day for today, else the date. */
  static String since(java.time.Instant t) {
    var z = t.atZone(ZoneId.systemDefault());
    return z.toLocalDate().equals(LocalDate.now()) ? z.format(DateTimeFormatter.ofPattern("HH:mm:ss"))
        : z.toLocalDate().toString();
  }
}
