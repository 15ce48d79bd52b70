package org.calicoledger.felix;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.calicoledger.events.image.ClusterDelta;
import org.calicoledger.events.image.ClusterImage;
import org.calicoledger.events.image.Concern;
import org.calicoledger.events.subscriber.ImagePublisher;

/**
 * Felix's driver: the change log in, the kernel out, on one thread of its own.
 *
 * <pre>
 *   ImageFeed --onUpdate/onSynced--> latest image --+
 *   LearnedRoutes --wake-----------------------------+--> felix thread: every part's onImage (calc), then one
 *   timers: routeRefreshInterval,                   |    Sequencer pass (removals backwards, applies forwards),
 *           iptablesRefreshInterval, retries -------+    full (kernel read back) on start and per refresh interval
 *   reportingInterval -------------------------------> status key in etcd (on a thread of its own)
 * </pre>
 *
 * <p>Invariants:
 * <ul>
 *   <li>Nothing is programmed before the feed's first sync ({@link #onSynced}); the first pass is a full one.</li>
 *   <li>Bursts coalesce: the thread always works on the latest image; images that arrived during a pass are one
 *       more pass, not one each.</li>
 *   <li>A part that throws is logged (once per distinct message), counted in {@link #errorsByPart()}, and retried on
 *       the next pass (backoff 1 s doubling to 30 s); the other parts carry on. A part that waits for a device
 *       ({@link SequencedPart#pending()}) is retried the same way.</li>
 *   <li>{@link #inSync()} is true after a full pass, while the last pass had no errors.</li>
 *   <li>Full resync: parts named {@code iptables} or {@code ipsets} every {@code iptablesRefreshInterval}, the others
 *       every {@code routeRefreshInterval} (zero: only at start), from the effective {@link FelixSettings}.</li>
 * </ul>
 * The feed's callbacks only hand over the image and return (they run on the feed's thread and must not block).
 */
public final class Felix implements ImagePublisher, AutoCloseable {
  private static final System.Logger LOG = System.getLogger("felix");
  private static final Set<String> IPTABLES_PARTS = Set.of("iptables", "ipsets");
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
  private final FelixContext ctx;
  private final List<FelixPart> parts;
  private final StatusReporter status;
  private final ExecutorService statusWriter = Executors.newSingleThreadExecutor(r -> daemon(r, "felix-status"));
  private final Object lock = new Object();
  private final Map<String, AtomicLong> errors = new ConcurrentHashMap<>();
  private final Map<String, String> lastError = new ConcurrentHashMap<>();
  private final AtomicLong passes = new AtomicLong();
  private final AtomicLong fullPasses = new AtomicLong();
  private final long startNanos = System.nanoTime();
  private final Thread thread;
  private ClusterImage latest = ClusterImage.EMPTY;
  private boolean synced;
  private boolean dirty;
  private volatile boolean running = true;
  private volatile boolean inSync;
  private volatile boolean fullDone;
  private volatile long lastPassMillis;
  private volatile Throwable feedFailure;
  private FelixSettings settings = FelixSettings.DEFAULTS;
  private Object settingsSeen;

  public Felix(FelixContext ctx, List<FelixPart> parts) {
    this.ctx = ctx;
    this.parts = List.copyOf(parts);
    this.status = new StatusReporter(ctx.store(), ctx.nodename(), java.time.Instant.now());
    this.thread = daemon(this::loop, "felix");
    ctx.learnedRoutes().onChange(this::wake);
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  /** Starts the Felix thread (it waits for the first sync). */
  public void start() {
    thread.start();
  }

  @Override
  public void onUpdate(ClusterDelta delta, ClusterImage image) {
    synchronized (lock) {
      latest = image;
      dirty = true;
      lock.notifyAll();
    }
  }

  @Override
  public void onSynced(ClusterImage image) {
    synchronized (lock) {
      latest = image;
      synced = true;
      dirty = true;
      lock.notifyAll();
    }
  }

  @Override
  public void onFailure(Throwable error) {
    feedFailure = error;
    LOG.log(System.Logger.Level.ERROR, "the change-log feed stopped; the data plane stays as last programmed: "
        + error);
  }

  /** Asks for a pass soon (new learned routes). */
  public void wake() {
    synchronized (lock) {
      dirty = true;
      lock.notifyAll();
    }
  }

  /** Whether the data plane matches the latest image: a full pass is done and the last pass had no errors. */
  public boolean inSync() {
    return inSync && feedFailure == null;
  }

  public long passes() {
    return passes.get();
  }

  public long fullPasses() {
    return fullPasses.get();
  }

  /** Errors so far, by part name. */
  public Map<String, Long> errorsByPart() {
    Map<String, Long> m = new java.util.TreeMap<>();
    errors.forEach((k, v) -> m.put(k, v.get()));
    return m;
  }

  public long errorsTotal() {
    return errors.values().stream().mapToLong(AtomicLong::get).sum();
  }

  public long lastPassMillis() {
    return lastPassMillis;
  }

  public List<FelixPart> parts() {
    return parts;
  }

  private void loop() {
    long nextRoutes = 0;
    long nextIptables = 0;
    long retryAt = Long.MAX_VALUE;
    long nextStatus = Long.MAX_VALUE;
    long backoff = 1000;
    ClusterImage applied = null;
    while (running) {
      ClusterImage image;
      boolean wasDirty;
      try {
        synchronized (lock) {
          while (running) {
            long now = nowMillis();
            long due = Math.min(Math.min(nextRoutes, nextIptables), Math.min(retryAt, nextStatus));
            if (synced && (dirty || now >= due)) {
              break;
            }
            lock.wait(synced ? Math.max(1, Math.min(due - now, 60_000)) : 1000);
          }
          image = latest;
          wasDirty = dirty;
          dirty = false;
        }
      } catch (InterruptedException e) {
        return;
      }
      if (!running) {
        return;
      }
      long now = nowMillis();
      updateSettings(image);
      boolean fullRoutes = now >= nextRoutes;
      boolean fullIptables = now >= nextIptables;
      if (wasDirty || fullRoutes || fullIptables || now >= retryAt) {
        if (image != applied || wasDirty) {
          for (FelixPart p : parts) {
            try {
              p.onImage(image);
            } catch (RuntimeException e) {
              record(p.name(), e);
            }
          }
          applied = image;
        }
        long t0 = System.nanoTime();
        Sequencer.Outcome o = Sequencer.pass(parts, p -> IPTABLES_PARTS.contains(p.name()) ? fullIptables : fullRoutes);
        lastPassMillis = (System.nanoTime() - t0) / 1_000_000;
        passes.incrementAndGet();
        o.errors().forEach(this::record);
        for (FelixPart p : parts) {
          if (!o.errors().containsKey(p.name())) {
            lastError.remove(p.name());
          }
        }
        if (fullRoutes) {
          fullPasses.incrementAndGet();
          fullDone = true;
          nextRoutes = next(now, settings.routeRefreshInterval());
        }
        if (fullIptables) {
          nextIptables = next(now, settings.iptablesRefreshInterval());
        }
        if (o.errors().isEmpty() && !o.pending()) {
          retryAt = Long.MAX_VALUE;
          backoff = 1000;
        } else {
          retryAt = now + backoff;
          backoff = Math.min(backoff * 2, MAX_BACKOFF.toMillis());
        }
        boolean wasInSync = inSync;
        inSync = fullDone && o.errors().isEmpty();
        if (inSync && !wasInSync) {
          LOG.log(System.Logger.Level.INFO, "felix is in sync (pass " + passes.get() + ", " + lastPassMillis + " ms)");
        }
        if (nextStatus == Long.MAX_VALUE) {
          nextStatus = now; // the first report right after the first pass
        }
      }
      if (nowMillis() >= nextStatus) {
        Duration every = settings.reportingInterval();
        nextStatus = every.isZero() ? Long.MAX_VALUE - 1 : nowMillis() + every.toMillis();
        if (!every.isZero() || status != null) {
          java.time.Instant at = java.time.Instant.now();
          statusWriter.execute(() -> {
            try {
              status.report(at);
            } catch (RuntimeException e) {
              LOG.log(System.Logger.Level.WARNING, "felix status report failed (next one retries): " + e.getMessage());
            }
          });
        }
      }
    }
  }

  private static long next(long now, Duration every) {
    return every.isZero() ? Long.MAX_VALUE - 1 : now + every.toMillis();
  }

  private void updateSettings(ClusterImage image) {
    Object fc = image.get(Concern.FELIX_CONFIGURATIONS);
    if (fc == settingsSeen) {
      return;
    }
    settingsSeen = fc;
    try {
      settings = FelixSettings.of(image, ctx.nodename(), ctx.envOverrides());
    } catch (IllegalArgumentException e) {
      LOG.log(System.Logger.Level.WARNING, e.getMessage() + " (the previous Felix settings stay in force)");
    }
  }

  /** The settings in force. */
  public FelixSettings settings() {
    return settings;
  }

  private void record(String part, Exception e) {
    errors.computeIfAbsent(part, k -> new AtomicLong()).incrementAndGet();
    String msg = String.valueOf(e.getMessage());
    if (!msg.equals(lastError.put(part, msg))) {
      LOG.log(System.Logger.Level.WARNING, "felix part " + part + " failed (retried at the next pass): " + e);
    }
  }

  private long nowMillis() {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }

  /** Stops the thread; programs and removes nothing (a restarted Felix resyncs what it finds). */
  @Override
  public void close() {
    running = false;
    synchronized (lock) {
      lock.notifyAll();
    }
    thread.interrupt();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    statusWriter.shutdownNow();
    for (FelixPart p : parts) {
      try {
        p.close();
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "closing felix part " + p.name() + ": " + e.getMessage());
      }
    }
  }
}
