package org.calicoledger.store.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.calicoledger.store.StoreConfig;

/**
 * A 3-member etcd cluster of child processes on free 127.0.0.1 ports, for failover tests. Members are 1-3;
 * {@link #kill} is SIGKILL and keeps the member's data, so {@link #restart} brings it back into the cluster.
 * {@link #close} kills all and deletes the data, also from a shutdown hook if the test JVM dies first.
 */
public final class EtcdCluster implements AutoCloseable {
  private final Path dir;
  private final int[] client = new int[3];
  private final int[] peer = new int[3];
  private final Process[] process = new Process[3];
  private final Thread cleanup = new Thread(this::destroy, "etcd-cluster-cleanup");

  private EtcdCluster() throws IOException {
    dir = Files.createTempDirectory("etcd-cluster-");
    for (int i = 0; i < 3; i++) {
      client[i] = EtcdProcess.freePort();
      peer[i] = EtcdProcess.freePort();
    }
    Runtime.getRuntime().addShutdownHook(cleanup);
  }

  /** Starts all three members at once and waits until each is healthy. */
  public static EtcdCluster start() throws IOException {
    EtcdCluster c = new EtcdCluster();
    try {
      for (int i = 1; i <= 3; i++) {
        c.launch(i);
      }
      for (int i = 1; i <= 3; i++) {
        c.awaitHealthy(i);
      }
      return c;
    } catch (RuntimeException | Error e) {
      c.close();
      throw e;
    }
  }

  /** Member {@code i}'s client URL. */
  public String endpoint(int i) {
    return "http://127.0.0.1:" + client[i - 1];
  }

  /** All three client URLs. */
  public List<String> endpoints() {
    return List.of(endpoint(1), endpoint(2), endpoint(3));
  }

  public StoreConfig config() {
    return new StoreConfig(endpoints(), null, null, null, null, null, Duration.ofSeconds(10));
  }

  /** SIGKILL to member {@code i}; its data stays for {@link #restart}. */
  public synchronized void kill(int i) {
    Process p = process[i - 1];
    if (p != null) {
      p.destroyForcibly();
      try {
        p.waitFor();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      process[i - 1] = null;
    }
  }

  /** Starts member {@code i} again on its data and waits until it is healthy. */
  public void restart(int i) {
    launch(i);
    awaitHealthy(i);
  }

  public String log(int i) {
    try {
      return Files.readString(dir.resolve("etcd-" + i + ".log"));
    } catch (IOException e) {
      return "";
    }
  }

  private synchronized void launch(int i) {
    List<String> members = new ArrayList<>();
    for (int m = 1; m <= 3; m++) {
      members.add("m" + m + "=http://127.0.0.1:" + peer[m - 1]);
    }
    List<String> cmd = List.of(EtcdProcess.onPath("etcd"), "--name", "m" + i,
        "--data-dir", dir.resolve("m" + i).toString(),
        "--listen-client-urls", endpoint(i), "--advertise-client-urls", endpoint(i),
        "--listen-peer-urls", "http://127.0.0.1:" + peer[i - 1],
        "--initial-advertise-peer-urls", "http://127.0.0.1:" + peer[i - 1],
        "--initial-cluster", String.join(",", members), "--initial-cluster-state", "new",
        "--initial-cluster-token", dir.getFileName().toString());
    try {
      process[i - 1] = new ProcessBuilder(cmd).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("etcd-" + i + ".log").toFile())).start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start etcd member " + i, e);
    }
  }

  private void awaitHealthy(int i) {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      Process p = process[i - 1];
      if (p == null || !p.isAlive()) {
        throw new IllegalStateException("etcd member " + i + " exited:\n" + log(i));
      }
      try {
        HttpURLConnection c = (HttpURLConnection) URI.create(endpoint(i) + "/health").toURL().openConnection();
        c.setConnectTimeout(500);
        c.setReadTimeout(2000);
        if (c.getResponseCode() == 200 && new String(c.getInputStream().readAllBytes()).contains("\"health\":\"true\"")) {
          return;
        }
      } catch (IOException notYet) {
        // keep polling
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    throw new IllegalStateException("etcd member " + i + " not healthy within 60 s:\n" + log(i));
  }

  private void destroy() {
    for (int i = 1; i <= 3; i++) {
      kill(i);
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException ignored) {
      // best effort
    }
  }

  @Override
  public void close() {
    destroy();
    try {
      Runtime.getRuntime().removeShutdownHook(cleanup);
    } catch (IllegalStateException shuttingDown) {
      // the hook runs anyway
    }
  }
}
