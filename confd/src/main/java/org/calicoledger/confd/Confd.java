package org.calicoledger.confd;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.calicoledger.confd.render.BirdRenderer;
import org.calicoledger.confd.render.ClusterBgp;
import org.calicoledger.confd.render.Peering;
import org.calicoledger.confd.render.RenderedConfig;
import org.calicoledger.model.SecretResolver;
import org.calicoledger.confd.write.ConfigWriter;
import org.calicoledger.confd.write.WriteResult;
import org.calicoledger.events.image.BlockAffinity;
import org.calicoledger.events.image.Change;
import org.calicoledger.events.image.ClusterDelta;
import org.calicoledger.events.image.ClusterImage;
import org.calicoledger.events.image.Concern;
import org.calicoledger.events.subscriber.ImagePublisher;

/**
 * confd for one node: a change-log subscriber that keeps {@code CALICO_CONFD_DIR} equal to the rendering of the latest
 * image, and tells its listener (the BIRD supervisor's reload) after each write that changed a file.
 *
 * <pre>
 *  feed thread:   onSynced / onUpdate --(touches this node's BGP inputs?)--> latest image (replaces any pending one)
 *  confd thread:  latest --> BirdRenderer.render --> ConfigWriter.write --(files changed)--> listener.written(result)
 * </pre>
 *
 * <p>Invariants: the feed thread never renders or does I/O (it only decides relevance and hands the image over);
 * renders run one at a time on confd's own thread, always on the newest image handed over, so a burst of changes
 * costs one render; a change to none of {@link ClusterBgp}'s inputs (nodes, pools, BGP peers, BGP configurations,
 * this node's block affinities) is not rendered at all; a change to this node's blocks alone renders only the two
 * block files again (the others are the previous render's, which is what a full render would give); nothing is
 * written before the first sync. A render that
 * fails ({@code RenderException}: bad input) leaves the files as they were and is reported through
 * {@link #lastError}; the next relevant change tries again.
 */
public final class Confd implements ImagePublisher, AutoCloseable {
  private static final System.Logger LOG = System.getLogger("confd");

  /**
   * Told after the first write since start (changed or not: a restarted node finds its files as it left them) and
   * after every later write that changed at least one file, on confd's thread.
   */
  @FunctionalInterface
  public interface Listener {
    void written(WriteResult result, RenderedConfig config);
  }

  private final String nodename;
  private final SecretResolver secrets;
  private final ConfigWriter writer;
  private final Listener listener;
  private final ExecutorService thread;
  private final AtomicReference<ClusterImage> pending = new AtomicReference<>();
  private final AtomicLong renders = new AtomicLong();
  private final AtomicLong filesWritten = new AtomicLong();
  private volatile boolean synced;
  private boolean told;
  // confd's thread only: what the last successful render was made from, to render less next time
  private RenderedConfig last;
  private ClusterImage lastImage;
  private final java.util.Map<org.calicoledger.model.Node, org.calicoledger.confd.render.NodeBgp> knownNodes =
      new java.util.IdentityHashMap<>();
  private volatile long renderedRevision = -1;
  private volatile WriteResult lastWrite;
  private volatile String lastError;
  private volatile List<Peering> peerings = List.of();

  public Confd(String nodename, SecretResolver secrets, ConfigWriter writer, Listener listener) {
    this.nodename = nodename;
    this.secrets = secrets;
    this.writer = writer;
    this.listener = listener;
    this.thread = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "confd-" + nodename);
      t.setDaemon(true);
      return t;
    });
  }

  @Override
  public void onSynced(ClusterImage image) {
    synced = true;
    submit(image);
  }

  @Override
  public void onUpdate(ClusterDelta delta, ClusterImage image) {
    if (synced && relevant(delta, nodename)) {
      submit(image);
    }
  }

  @Override
  public void onFailure(Throwable error) {
    lastError = "change-log feed stopped: " + error;
  }

  /** Whether {@code delta} changes anything the rendering for {@code nodename} reads. */
  public static boolean relevant(ClusterDelta delta, String nodename) {
    if (delta.touches(Concern.NODES) || delta.touches(Concern.IP_POOLS) || delta.touches(Concern.BGP_PEERS)
        || delta.touches(Concern.BGP_CONFIGURATIONS)) {
      return true;
    }
    if (!delta.touches(Concern.BLOCK_AFFINITIES)) {
      return false;
    }
    String prefix = nodename + "/";
    for (Change<BlockAffinity> c : delta.blockAffinities().all()) {
      if (c.id().startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether, between two images, only block affinities may differ among the rendering's inputs (sub-images of a
   * concern that no change touched are the same instance).
   */
  static boolean onlyBlocksChanged(ClusterImage before, ClusterImage after) {
    return before.get(Concern.NODES) == after.get(Concern.NODES)
        && before.get(Concern.IP_POOLS) == after.get(Concern.IP_POOLS)
        && before.get(Concern.BGP_PEERS) == after.get(Concern.BGP_PEERS)
        && before.get(Concern.BGP_CONFIGURATIONS) == after.get(Concern.BGP_CONFIGURATIONS);
  }

  private void submit(ClusterImage image) {
    if (pending.getAndSet(image) == null) {
      thread.execute(this::renderPending);
    }
  }

  private void renderPending() {
    ClusterImage image = pending.getAndSet(null);
    if (image == null) {
      return;
    }
    try {
      RenderedConfig cfg;
      if (last != null && lastImage != null && onlyBlocksChanged(lastImage, image)) {
        cfg = BirdRenderer.withBlocks(last, ClusterBgp.blocks(image, nodename), image.revision());
      } else {
        ClusterBgp c = ClusterBgp.of(image, nodename, knownNodes);
        cfg = BirdRenderer.render(c, image.revision(), nodename, secrets);
      }
      renders.incrementAndGet();
      peerings = cfg.peerings();
      WriteResult r = writer.write(cfg);
      last = cfg;
      lastImage = image;
      renderedRevision = image.revision();
      lastWrite = r;
      lastError = null;
      boolean first = !told;
      if (r.changedAnything()) {
        filesWritten.addAndGet(r.changed().size());
        LOG.log(System.Logger.Level.INFO, "confd: revision " + r.revision() + " rewrote " + r.changed());
      }
      if (r.changedAnything() || first) {
        told = true;
        listener.written(r, cfg);
      }
      if (r.changedAnything()) {
        writer.record(cfg); // audit copy after the reload was asked for: off the path from change to BIRD
      }
    } catch (RuntimeException e) {
      last = null; // the next change renders everything again
      lastError = e.getMessage();
      LOG.log(System.Logger.Level.WARNING, "confd: revision " + image.revision() + " not rendered: " + e.getMessage());
    }
  }

  /** Whether the first sync has been rendered and written. */
  public boolean written() {
    return renderedRevision >= 0;
  }

  /** The revision of the image last rendered and written (-1 before the first). */
  public long renderedRevision() {
    return renderedRevision;
  }

  public WriteResult lastWrite() {
    return lastWrite;
  }

  public String lastError() {
    return lastError;
  }

  /** The sessions of the last rendering (IPv4 then IPv6), for status: protocol name to peer address and type. */
  public List<Peering> peerings() {
    return peerings;
  }

  public long renders() {
    return renders.get();
  }

  public long filesWritten() {
    return filesWritten.get();
  }

  public ConfigWriter writer() {
    return writer;
  }

  /** Waits until the work handed over so far is done (tests, benchmarks). */
  public void drain() throws InterruptedException {
    java.util.concurrent.CountDownLatch l = new java.util.concurrent.CountDownLatch(1);
    thread.execute(l::countDown);
    l.await();
  }

  @Override
  public void close() {
    thread.shutdownNow();
    try {
      thread.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
