package org.calicoledger.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The commands benchmarks run around their measurements (namespaces, links): run, read, clean up. Public for the
 * mesh child's {@code bench.mesh} package.
 */
public final class Sh {
  private Sh() {}

  /** Runs {@code cmd}; returns its output (stdout and stderr); throws with that output on a non-zero exit or 30 s. */
  static String output(String... cmd) throws IOException, InterruptedException {
    return output(Duration.ofSeconds(30), cmd);
  }

  /** As {@link #output(String...)}, waiting up to {@code timeout} for the command to end. */
  public static String output(Duration timeout, String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
    }
    return out;
  }

  /** As {@link #output}, for a command whose output nobody reads. */
  static void run(String... cmd) throws IOException, InterruptedException {
    output(cmd);
  }

  /**
   * Kills every process in network namespace {@code ns}, waits for them, and deletes it. A failure is printed under
   * {@code bench}'s name, not thrown: the rest of a cleanup goes on.
   */
  static void removeNamespace(String ns, String bench) {
    try {
      for (String pid : output("ip", "netns", "pids", ns).lines().filter(l -> !l.isBlank()).toList()) {
        ProcessHandle.of(Long.parseLong(pid.strip())).ifPresent(h -> {
          h.destroyForcibly();
          h.onExit().orTimeout(5, TimeUnit.SECONDS).exceptionally(t -> h).join();
        });
      }
      run("ip", "netns", "del", ns);
    } catch (Exception e) {
      System.err.println("bench " + bench + ": cannot delete namespace " + ns + ": " + e.getMessage());
    }
  }
}
