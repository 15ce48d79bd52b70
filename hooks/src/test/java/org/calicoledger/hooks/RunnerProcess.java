package org.calicoledger.hooks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code calico-hooks} as a separate OS process (the packaged jar and its lib/, as bin/calico-hooks runs it), so a test
 * can kill it with SIGKILL at any moment. Its output goes to a log kept under hooks/target/runner-logs/.
 */
final class RunnerProcess implements AutoCloseable {
  static final Path ROOT = Path.of(System.getProperty("calico.repo.root", "..")).toAbsolutePath().normalize();

  private final Map<String, String> env;
  private final List<String> args;
  private final Path log;
  private Process process;

  RunnerProcess(Map<String, String> env, String... args) throws IOException {
    this.env = env;
    this.args = List.of(args);
    this.log = Files.createTempFile("calico-hooks-", ".log");
  }

  RunnerProcess start() throws IOException {
    Path jar = ROOT.resolve("hooks/target/calico-hooks.jar");
    if (!Files.exists(jar)) {
      throw new IllegalStateException(jar + " is missing: integration tests run after `mvn package`");
    }
    List<String> cmd = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp",
        jar + ":" + ROOT.resolve("hooks/target/lib") + "/*", "org.calicoledger.hooks.HooksMain"));
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().putAll(env);
    pb.environment().put("CALICO_LOG_LEVEL", "info");
    process = pb.start();
    return this;
  }

  /** SIGKILL: no shutdown hook, no final status write, no resignation. */
  void kill() throws InterruptedException {
    if (process != null) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
      process = null;
    }
  }

  /** SIGTERM: a clean stop. */
  void stop() throws InterruptedException {
    if (process != null) {
      process.destroy();
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
      process = null;
    }
  }

  String log() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  @Override
  public void close() throws Exception {
    kill();
    Path keep = ROOT.resolve("hooks/target/runner-logs");
    Files.createDirectories(keep);
    Files.move(log, keep.resolve(log.getFileName()), StandardCopyOption.REPLACE_EXISTING);
  }
}
