package org.calicoledger.store.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.calicoledger.store.StoreConfig;

/**
 * A real etcd server, started from PATH as a child process of the test JVM on free loopback ports with a temporary
 * data directory. It can be stopped and started again on the same ports and data (to test reconnects); {@link #close()}
 * kills it and deletes the directory, also from a shutdown hook if a test dies first.
 */
public final class EtcdProcess implements AutoCloseable {
  private final Path dir;
  private final int clientPort;
  private final int peerPort;
  private final TestCa tls;
  private Process process;
  private final Thread cleanup;

  private EtcdProcess(TestCa tls) {
    this.tls = tls;
    try {
      this.dir = Files.createTempDirectory("etcd-test-");
      this.clientPort = freePort();
      this.peerPort = freePort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    this.cleanup = new Thread(this::destroy, "etcd-test-cleanup");
    Runtime.getRuntime().addShutdownHook(cleanup);
  }

  /** Starts a plain-HTTP etcd on 127.0.0.1. Fails (never skips) if etcd is not on PATH. */
  public static EtcdProcess start() {
    EtcdProcess p = new EtcdProcess(null);
    p.startProcess();
    return p;
  }

  /** Starts etcd serving HTTPS with {@code ca}'s server certificate and requiring client certificates. */
  public static EtcdProcess startTls(TestCa ca) {
    EtcdProcess p = new EtcdProcess(ca);
    p.startProcess();
    return p;
  }

  public static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress("127.0.0.1", 0));
      return s.getLocalPort();
    }
  }

  public String endpoint() {
    return (tls == null ? "http" : "https") + "://127.0.0.1:" + clientPort;
  }

  public StoreConfig config() {
    if (tls == null) {
      return StoreConfig.local(endpoint());
    }
    return new StoreConfig(List.of(endpoint()), tls.caCert(), tls.clientCert(), tls.clientKey(), null, null, null);
  }

  public Path dataDir() {
    return dir.resolve("data");
  }

  public synchronized void startProcess() {
    String etcd = onPath("etcd");
    List<String> cmd = new ArrayList<>(List.of(etcd, "--name", "test", "--data-dir", dataDir().toString(),
        "--listen-client-urls", endpoint(), "--advertise-client-urls", endpoint(),
        "--listen-peer-urls", "http://127.0.0.1:" + peerPort,
        "--initial-advertise-peer-urls", "http://127.0.0.1:" + peerPort,
        "--initial-cluster", "test=http://127.0.0.1:" + peerPort,
        "--log-level", "info", "--logger", "zap"));
    if (tls != null) {
      cmd.addAll(List.of("--cert-file", tls.serverCert().toString(), "--key-file", tls.serverKey().toString(),
          "--trusted-ca-file", tls.caCert().toString(), "--client-cert-auth"));
    }
    int logOffset = log().length();
    try {
      process = new ProcessBuilder(cmd).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("etcd.log").toFile())).start();
    } catch (IOException e) {
      throw new IllegalStateException("cannot start etcd (" + etcd + "): " + e.getMessage(), e);
    }
    awaitServing(logOffset, Duration.ofSeconds(20));
  }

  /** Ready once this run's log says it serves clients and the port accepts connections. */
  private void awaitServing(int logOffset, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("etcd exited with " + process.exitValue() + ":\n" + log());
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", clientPort), 200);
        if (log().substring(logOffset).contains("serving client traffic")) {
          return;
        }
      } catch (IOException notYet) {
        // keep polling
      }
      sleep(50);
    }
    throw new IllegalStateException("etcd did not start listening on " + endpoint() + " within " + timeout + ":\n" + log());
  }

  /** Stops etcd (SIGKILL: as abrupt as a crash); the data directory is kept for {@link #startProcess()}. */
  public synchronized void kill() {
    if (process != null) {
      process.destroyForcibly();
      try {
        process.waitFor();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      process = null;
    }
  }

  public String log() {
    try {
      Path log = dir.resolve("etcd.log");
      return Files.exists(log) ? Files.readString(log) : "";
    } catch (IOException e) {
      return "(cannot read etcd log: " + e + ")";
    }
  }

  static String onPath(String binary) {
    for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
      Path p = Path.of(d, binary);
      if (Files.isExecutable(p)) {
        return p.toString();
      }
    }
    for (String d : List.of("/usr/bin", "/usr/sbin", "/usr/local/bin")) {
      Path p = Path.of(d, binary);
      if (Files.isExecutable(p)) {
        return p.toString();
      }
    }
    throw new IllegalStateException(binary + " is not on PATH: integration tests need a real " + binary
        + "; run bin/setup (it installs Debian's etcd-server and etcd-client)");
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private synchronized void destroy() {
    kill();
    if (Files.exists(dir)) {
      try (Stream<Path> walk = Files.walk(dir)) {
        walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException ignored) {
        // best effort at exit
      }
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
