package org.calicoledger.confd.bird;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs real BIRD ({@code bird -f -c CONFIG -s SOCKET}) as a child process and keeps it running: when it exits, it is
 * started again after a backoff (1 s doubling to 30 s; back to 1 s after it ran for a minute). {@link #reload} asks the
 * running BIRD to re-read its configuration ({@code birdc configure}), which keeps the sessions whose configuration did
 * not change; when BIRD is not running the next start reads the files anyway.
 *
 * <p>BIRD writes its pid to {@code bird.pid} next to the log, so that a BIRD orphaned by a killed calico-node is
 * stopped by the next one instead of holding the BGP port with a stale configuration.
 *
 * <p>Threads: one supervisor thread owns the process; {@link #reload} and {@link #stop} may be called from any
 * thread. {@link #stop} is final: BIRD gets SIGTERM (SIGKILL after 10 s) and is not restarted. BIRD's output goes to
 * {@code log} (appended).
 */
public final class BirdSupervisor {
  private static final System.Logger LOG = System.getLogger("confd.bird");
  private final String bird;
  private final Path config;
  private final BirdControl control;
  private final Path log;
  private final AtomicInteger starts = new AtomicInteger();
  private volatile boolean stopped;
  private volatile boolean pendingReload;
  private volatile Process process;
  private Thread thread;

  private final Path pidFile;

  /** BIRD's pid is kept in {@code log}'s directory as {@code bird.pid} (see {@link #start}). */
  public BirdSupervisor(String bird, Path config, BirdControl control, Path log) {
    this.bird = bird;
    this.config = config;
    this.control = control;
    this.log = log;
    this.pidFile = log.resolveSibling("bird.pid");
  }

  /**
   * Starts supervising. A BIRD left running by a previous supervisor of the same run directory (one that was killed
   * without stopping it: its pid file names a live {@code bird}) is stopped first, since it holds the BGP port and
   * the old configuration.
   */
  public synchronized void start() {
    if (thread != null) {
      return;
    }
    stopLeftover();
    thread = new Thread(this::supervise, "bird-supervisor");
    thread.setDaemon(true);
    thread.start();
  }

  private void supervise() {
    long backoff = 1000;
    while (!stopped) {
      long t0 = System.nanoTime();
      try {
        Files.deleteIfExists(control.socket()); // a stale socket of a killed BIRD makes birdc talk to nobody
        Files.createDirectories(log.getParent());
        pendingReload = false; // a BIRD that starts now reads the files as they are now
        Process p = new ProcessBuilder(List.of(bird, "-f", "-c", config.toString(), "-s", control.socket().toString(),
            "-P", pidFile.toString()))
            .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        process = p;
        starts.incrementAndGet();
        LOG.log(System.Logger.Level.INFO, "BIRD started (pid " + p.pid() + "): " + config);
        if (stopped) {
          p.destroy();
        }
        catchUp(p);
        int code = p.waitFor();
        if (stopped) {
          break;
        }
        LOG.log(System.Logger.Level.WARNING, "BIRD exited with " + code + "; restarting in " + backoff + " ms (log: "
            + log + ")");
      } catch (IOException e) {
        LOG.log(System.Logger.Level.WARNING, "BIRD could not be started (" + e.getMessage() + "); retrying in "
            + backoff + " ms");
      } catch (InterruptedException e) {
        break;
      }
      if (Duration.ofNanos(System.nanoTime() - t0).toSeconds() >= 60) {
        backoff = 1000;
      }
      try {
        Thread.sleep(backoff);
      } catch (InterruptedException e) {
        break;
      }
      backoff = Math.min(backoff * 2, 30_000);
    }
  }

  /**
   * Waits (up to 10 s) for the new BIRD's control socket; if files changed while it was starting (a reload that
   * could not be sent yet), sends it now, so BIRD never keeps a configuration older than the files.
   */
  private void catchUp(Process p) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (p.isAlive() && !Files.exists(control.socket()) && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    if (p.isAlive() && pendingReload) {
      pendingReload = false;
      try {
        control.configure();
      } catch (IOException e) {
        LOG.log(System.Logger.Level.WARNING, e.getMessage());
      }
    }
  }

  private void stopLeftover() {
    long pid;
    try {
      pid = Long.parseLong(Files.readString(pidFile).strip());
    } catch (IOException | NumberFormatException e) {
      return; // no pid file: nothing was left
    }
    ProcessHandle.of(pid).filter(h -> h.info().command().map(c -> c.endsWith("/bird") || c.equals("bird"))
        .orElse(false)).ifPresent(h -> {
          LOG.log(System.Logger.Level.WARNING, "stopping BIRD (pid " + pid + ") left by a previous calico-node");
          h.destroy();
          try {
            h.onExit().get(10, TimeUnit.SECONDS);
          } catch (Exception e) {
            h.destroyForcibly();
          }
        });
  }

  /** Whether BIRD runs and answers on its control socket. */
  public boolean running() {
    Process p = process;
    return p != null && p.isAlive() && Files.exists(control.socket());
  }

  /** How many times BIRD was started. */
  public int starts() {
    return starts.get();
  }

  public Process process() {
    return process;
  }

  public BirdControl control() {
    return control;
  }

  /**
   * {@code birdc configure} when BIRD runs; returns false when it does not (the next start reads the new files; a
   * BIRD still starting gets the reload as soon as its socket exists).
   *
   * @throws IOException when BIRD refused the new configuration (it keeps the old one)
   */
  public boolean reload() throws IOException, InterruptedException {
    if (!running()) {
      Process p = process;
      if (p != null && p.isAlive()) {
        pendingReload = true; // starting: sent once its socket exists
      }
      return false;
    }
    control.configure();
    return true;
  }

  /** Stops supervising but leaves BIRD running, as a killed calico-node does (tests of the orphan case). */
  void abandon() {
    stopped = true;
    Thread t = thread;
    if (t != null) {
      t.interrupt();
    }
  }

  public void stop() {
    stopped = true;
    Process p = process;
    if (p != null && p.isAlive()) {
      p.destroy();
      try {
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          p.waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    Thread t = thread;
    if (t != null) {
      t.interrupt();
    }
  }
}
