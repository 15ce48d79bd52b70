package org.calicoledger.events.journal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code calico-journal} as a separate OS process (the packaged jar, as bin/calico-journal runs it), so tests can
 * kill it with SIGKILL at any point. Its output goes to a log file the test can print on failure.
 */
final class JournalProcess implements AutoCloseable {
  static final Path ROOT = Path.of(System.getProperty("calico.repo.root", "..")).toAbsolutePath().normalize();

  private final String name;
  private final String etcd;
  private final String kafka;
  private final Path log;
  private Process process;

  JournalProcess(String name, String etcd, String kafka) throws IOException {
    this.name = name;
    this.etcd = etcd;
    this.kafka = kafka;
    this.log = Files.createTempFile("journal-" + name, ".log");
  }

  JournalProcess start() throws IOException {
    Path jar = ROOT.resolve("events/target/events.jar");
    if (!Files.exists(jar)) {
      throw new IllegalStateException(jar + " is missing: integration tests run after `mvn package`");
    }
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-XX:+UseSerialGC", "-cp", jar + ":" + ROOT.resolve("events/target/lib") + "/*",
        "org.calicoledger.events.journal.JournalMain", "--name", name, "--election-ttl", "3s", "--max-batch", "500"));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().put("ETCD_ENDPOINTS", etcd);
    pb.environment().put("KAFKA_BOOTSTRAP_SERVERS", kafka);
    pb.environment().put("CALICO_LOG_LEVEL", "info");
    process = pb.start();
    return this;
  }

  /** SIGKILL: no shutdown hook, no resignation, no flush. */
  void kill() throws InterruptedException {
    if (process != null) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
      process = null;
    }
  }

  /** SIGTERM: a clean shutdown (resigns leadership). */
  void stop() throws InterruptedException {
    if (process != null) {
      process.destroy();
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
      process = null;
    }
  }

  boolean alive() {
    return process != null && process.isAlive();
  }

  String log() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  /** Kills the process; its log is kept under events/target/journal-logs/ for a failed run to be read. */
  @Override
  public void close() throws Exception {
    kill();
    Path keep = ROOT.resolve("events/target/journal-logs");
    Files.createDirectories(keep);
    Files.move(log, keep.resolve(log.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }
}
