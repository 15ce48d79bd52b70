package org.calicoledger.bird.calico;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.calicoledger.bird.io.BgpSpeaker;
import org.calicoledger.bird.io.PeerStatus;
import org.calicoledger.bird.rib.RouteListener;
import org.calicoledger.bird.wire.Prefix;
import org.calicoledger.events.image.ClusterDelta;
import org.calicoledger.events.image.ClusterImage;
import org.calicoledger.events.subscriber.ImagePublisher;
import org.calicoledger.model.SecretResolver;

/**
 * The speaker of one Calico node, driven by the change log: every image gives a {@link BgpPlan}; a plan that needs a
 * new identity (address, AS, cluster, port) restarts the speaker, anything else is applied in place (peers that did
 * not change keep their sessions; only the difference of the exported blocks is advertised).
 *
 * <p>Runs plans on its own thread (the feed's thread only computes the plan and hands it over; the latest wins).
 * Learned routes inside the pools go to the {@link RouteListener}; others stay in the RIB only.
 */
public final class CalicoSpeaker implements ImagePublisher, AutoCloseable {
  private static final System.Logger LOG = System.getLogger("bird.calico");
  private final String nodename;
  private final Duration holdTime;
  private final int portOverride;
  private final RouteListener felix;
  private final SecretResolver secrets;
  private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "bgp-plan");
    t.setDaemon(true);
    return t;
  });
  private volatile BgpPlan plan;
  private volatile BgpSpeaker speaker;
  private volatile boolean synced;
  private volatile String failure;

  /** @param portOverride listen port to use instead of the plan's (0: the plan's, normally 179) */
  public CalicoSpeaker(String nodename, Duration holdTime, int portOverride, RouteListener felix) {
    this(nodename, holdTime, portOverride, felix, SecretResolver.NONE);
  }

  /** @param secrets reads the BGP passwords' {@code secretKeyRef}s (calico-node: {@code CALICO_BGP_SECRETS_DIR}) */
  public CalicoSpeaker(String nodename, Duration holdTime, int portOverride, RouteListener felix,
      SecretResolver secrets) {
    this.secrets = secrets;
    this.nodename = nodename;
    this.holdTime = holdTime;
    this.portOverride = portOverride;
    this.felix = felix;
  }

  @Override
  public void onUpdate(ClusterDelta delta, ClusterImage image) {
    BgpPlan p = BgpPlanner.plan(image, nodename, holdTime, secrets);
    worker.execute(() -> apply(p));
  }

  @Override
  public void onSynced(ClusterImage image) {
    synced = true;
  }

  public boolean synced() {
    return synced;
  }

  /** Why the last plan could not be applied, or null. */
  public String failure() {
    return failure;
  }

  public BgpSpeaker speaker() {
    return speaker;
  }

  public List<PeerStatus> status() {
    BgpSpeaker s = speaker;
    return s == null ? List.of() : s.status();
  }

  private synchronized void apply(BgpPlan p) {
    BgpPlan old = plan;
    plan = p;
    try {
      if (p == null) {
        stopSpeaker();
        return;
      }
      if (speaker == null || !p.sameSpeaker(old)) {
        stopSpeaker();
        int port = portOverride > 0 ? portOverride : p.listenPort();
        speaker = BgpSpeaker.start(new BgpSpeaker.Settings(p.address(), port, p.localAs(), p.routerId(),
            p.clusterId(), p.address(), p.address6(), holdTime, Duration.ofSeconds(5), 120), new PoolFilter());
        LOG.log(System.Logger.Level.INFO, "BGP speaker for " + nodename + " on " + p.address() + ":" + port
            + " AS " + p.localAs());
      }
      speaker.setLearnedExportPrefixes(p.pools());
      speaker.setPeers(p.peers());
      speaker.setLocalRoutes(p.exports());
      failure = null;
    } catch (Exception e) {
      failure = e.getMessage();
      LOG.log(System.Logger.Level.ERROR, "BGP plan for " + nodename + " not applied: " + e.getMessage());
    }
  }

  private void stopSpeaker() {
    if (speaker != null) {
      speaker.close();
      speaker = null;
    }
  }

  /** Passes on learned routes inside the current pools. */
  private final class PoolFilter implements RouteListener {
    @Override
    public void announce(Prefix prefix, Prefix nextHop) {
      BgpPlan p = plan;
      if (p != null && p.inPools(prefix) && nextHop != null) {
        felix.announce(prefix, nextHop);
      }
    }

    @Override
    public void withdraw(Prefix prefix) {
      felix.withdraw(prefix);
    }
  }

  /**
   * Whether the speaker runs with its peer list and every peer has sent its initial routes (End-of-RIB): the point
   * where routes kept over a restart of this node can be dropped if they were not learned again.
   */
  public synchronized boolean initialRoutesIn() {
    return speaker != null && plan != null && speaker.endOfRibFromAllPeers();
  }

  /** Stops for a restart: peers keep our routes, learned routes are not withdrawn ({@link BgpSpeaker#closeForRestart}). */
  public void closeForRestart() {
    worker.shutdownNow();
    synchronized (this) {
      if (speaker != null) {
        speaker.closeForRestart();
        speaker = null;
      }
    }
  }

  @Override
  public void close() {
    worker.shutdownNow();
    synchronized (this) {
      stopSpeaker();
    }
  }
}
