package org.calicoledger.node.confd;

import java.io.IOException;
import org.calicoledger.confd.Confd;
import org.calicoledger.confd.bird.BirdControl;
import org.calicoledger.confd.bird.BirdSupervisor;
import org.calicoledger.confd.render.RenderedConfig;
import org.calicoledger.model.SecretResolver;
import org.calicoledger.confd.write.ConfigWriter;
import org.calicoledger.confd.write.WriteResult;
import org.calicoledger.node.NodeService;
import org.calicoledger.node.bgp.BgpStatusSource;
import org.calicoledger.node.feed.ImageFeed;

/**
 * The real-BIRD backend ({@code CALICO_NETWORKING_BACKEND=bird}): confd renders this node's BIRD configuration from the
 * node's change-log feed into {@code CALICO_CONFD_DIR}, and real BIRD runs on it as a supervised child process.
 *
 * <p>Order of events: the first rendering after the feed's sync starts BIRD ({@code bird -f -c <dir>/bird.cfg -s
 * <runDir>/bird.ctl}); every later write that changed a file is followed by {@code birdc configure} (sessions whose
 * configuration did not change keep running); BIRD that exits is restarted with backoff; {@link #stop} stops BIRD
 * (routes it programmed stay in the kernel, {@code persist}, as with Calico) and confd. {@link #ready} once the files
 * are written and BIRD answers on its socket. {@link #bgpStatus} answers {@code calicoctl node status}.
 */
public final class ConfdService implements NodeService {
  private static final System.Logger LOG = System.getLogger("calico-node.confd");
  private final Confd confd;
  private final BirdSupervisor bird;
  private final BirdBgpStatus status;
  private volatile String lastReloadError;
  private volatile long reloads;

  /** Registers confd with {@code feed}, which must not have started yet, and its gauges with {@code metrics}. */
  public ConfdService(String nodename, ConfdSettings settings, ImageFeed feed,
      org.calicoledger.node.health.Metrics metrics) {
    this.bird = new BirdSupervisor("bird", settings.dir().resolve("bird.cfg"),
        new BirdControl("birdc", settings.socket()), settings.log());
    this.confd = new Confd(nodename, SecretResolver.files(settings.secretsDir()), new ConfigWriter(settings.dir()),
        this::written);
    this.status = new BirdBgpStatus(bird, confd);
    feed.register(confd);
    metrics.gauge("confd_rendered_revision", "The change-log revision confd last rendered and wrote (-1: none yet).",
        confd::renderedRevision);
    metrics.gauge("confd_renders", "Renderings since start (changes that concern this node's BIRD configuration).",
        confd::renders);
    metrics.gauge("confd_files_written", "BIRD configuration files rewritten since start.", confd::filesWritten);
    metrics.gauge("confd_render_error", "1 while the last rendering failed (see the log).",
        () -> confd.lastError() == null ? 0 : 1);
    metrics.gauge("bird_up", "1 while BIRD runs and answers on its control socket.", () -> bird.running() ? 1 : 0);
    metrics.gauge("bird_starts", "Times BIRD was started (1 + restarts).", bird::starts);
    metrics.gauge("bird_reloads", "Successful birdc configure since start.", () -> reloads);
  }

  private void written(WriteResult result, RenderedConfig config) {
    if (bird.starts() == 0) {
      LOG.log(System.Logger.Level.INFO, "confd: first configuration written (revision " + result.revision()
          + "); starting BIRD");
      bird.start();
      return;
    }
    try {
      if (bird.reload()) {
        reloads++;
        lastReloadError = null;
        LOG.log(System.Logger.Level.INFO, "confd: BIRD reconfigured for revision " + result.revision());
      }
    } catch (IOException e) {
      lastReloadError = e.getMessage();
      LOG.log(System.Logger.Level.WARNING, "confd: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String name() {
    return "confd";
  }

  @Override
  public void start() {
    // nothing to do until the feed syncs: the first rendering starts BIRD
  }

  @Override
  public boolean ready() {
    return confd.written() && bird.running();
  }

  @Override
  public void stop() {
    bird.stop();
    confd.close();
  }

  public Confd confd() {
    return confd;
  }

  public BirdSupervisor bird() {
    return bird;
  }

  /** How many {@code birdc configure} succeeded; the last one's error, or null. */
  public long reloads() {
    return reloads;
  }

  public String lastReloadError() {
    return lastReloadError;
  }

  /** What {@code calicoctl node status} shows on this node. */
  public BgpStatusSource bgpStatus() {
    return status;
  }
}
