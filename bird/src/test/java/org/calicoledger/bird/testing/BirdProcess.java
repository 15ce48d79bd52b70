package org.calicoledger.bird.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A real BIRD 2 daemon started by a test: {@code bird -f -c FILE -s SOCK -P PID}, optionally inside a network
 * namespace ({@code ip netns exec}); queried with {@code birdc}. {@link #close} kills it (SIGKILL if it does not stop)
 * and deletes its files; {@link #pause}/{@link #resume} send SIGSTOP/SIGCONT (to let a hold timer run out).
 */
public final class BirdProcess implements AutoCloseable {
  private final Path dir;
  private final Path socket;
  private final String netns;
  private final Process process;

  private BirdProcess(Path dir, String netns, Process process) {
    this.dir = dir;
    this.socket = dir.resolve("bird.ctl");
    this.netns = netns;
    this.process = process;
  }

  /** Checks the config with {@code bird -p}, starts BIRD and waits until its control socket answers. */
  public static BirdProcess start(String config, String netns) throws Exception {
    Path dir = Files.createTempDirectory("bgp-bird-");
    Path conf = dir.resolve("bird.conf");
    Files.writeString(conf, config);
    Process check = new ProcessBuilder("bird", "-p", "-c", conf.toString()).redirectErrorStream(true).start();
    String out = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (check.waitFor() != 0) {
      Files.deleteIfExists(conf);
      Files.deleteIfExists(dir);
      throw new IllegalStateException("bird -p refused the generated config: " + out + "\n" + config);
    }
    List<String> cmd = new ArrayList<>();
    if (netns != null) {
      cmd.addAll(List.of("ip", "netns", "exec", netns));
    }
    cmd.addAll(List.of("bird", "-f", "-c", conf.toString(), "-s", dir.resolve("bird.ctl").toString(), "-P",
        dir.resolve("bird.pid").toString()));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(dir.resolve("bird.log").toFile()).start();
    BirdProcess b = new BirdProcess(dir, netns, p);
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < end) {
      if (Files.exists(b.socket) && b.birdc("show status").contains("Daemon is up")) {
        return b;
      }
      if (!p.isAlive()) {
        break;
      }
      Thread.sleep(50);
    }
    String log = Files.exists(dir.resolve("bird.log")) ? Files.readString(dir.resolve("bird.log")) : "";
    b.close();
    throw new IllegalStateException("BIRD did not come up: " + log);
  }

  /** Runs one birdc command and returns its output. */
  public String birdc(String command) {
    try {
      List<String> cmd = new ArrayList<>();
      if (netns != null) {
        cmd.addAll(List.of("ip", "netns", "exec", netns));
      }
      cmd.addAll(List.of("birdc", "-s", socket.toString()));
      cmd.addAll(List.of(command.split(" ")));
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      p.waitFor(10, TimeUnit.SECONDS);
      return out;
    } catch (IOException e) {
      return "birdc failed: " + e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }

  public long pid() {
    try {
      return Long.parseLong(Files.readString(dir.resolve("bird.pid")).trim());
    } catch (IOException | NumberFormatException e) {
      return process.pid();
    }
  }

  public void pause() throws Exception {
    signal("STOP");
  }

  public void resume() throws Exception {
    signal("CONT");
  }

  private void signal(String sig) throws Exception {
    new ProcessBuilder("kill", "-" + sig, Long.toString(pid())).inheritIO().start().waitFor();
  }

  /** SIGKILL, as a crash looks to the peer (its kernel closes the connection). */
  public void kill() throws Exception {
    long pid = pid();
    new ProcessBuilder("kill", "-KILL", Long.toString(pid)).inheritIO().start().waitFor();
    process.waitFor(5, TimeUnit.SECONDS);
  }

  public String log() {
    try {
      return Files.readString(dir.resolve("bird.log"));
    } catch (IOException e) {
      return "";
    }
  }

  /** Polls {@code condition} until true or {@code timeout}; returns whether it became true. */
  public static boolean await(Duration timeout, BooleanSupplier condition) throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < end) {
      if (condition.getAsBoolean()) {
        return true;
      }
      Thread.sleep(25);
    }
    return condition.getAsBoolean();
  }

  @Override
  public void close() {
    try {
      if (process.isAlive()) {
        signal("CONT");
        long pid = pid();
        new ProcessBuilder("kill", "-TERM", Long.toString(pid)).inheritIO().start().waitFor();
        if (!process.waitFor(3, TimeUnit.SECONDS)) {
          new ProcessBuilder("kill", "-KILL", Long.toString(pid)).inheritIO().start().waitFor();
          process.destroyForcibly().waitFor(3, TimeUnit.SECONDS);
        }
      }
    } catch (Exception e) {
      process.destroyForcibly();
    }
    try (var files = Files.list(dir)) {
      for (Path f : files.toList()) {
        Files.deleteIfExists(f);
      }
      Files.deleteIfExists(dir);
    } catch (IOException e) {
      // best effort: a temp directory
    }
  }
}
