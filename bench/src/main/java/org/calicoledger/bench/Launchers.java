package org.calicoledger.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the project's launchers and other programs as separate processes, the way users do, and times them. */
final class Launchers {
  static final Path ROOT = Path.of(System.getProperty("calico.repo.root", ".")).toAbsolutePath().normalize();

  private Launchers() {}

  /** Runs {@code cmd} to completion; returns wall time in milliseconds; throws if it fails. */
  static double timeMillis(List<String> cmd, Map<String, String> env) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(ROOT.toFile()).redirectErrorStream(true);
    pb.environment().putAll(env);
    pb.environment().put("CALICO_NO_SETUP", "1");
    long t0 = System.nanoTime();
    Process p = pb.start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", cmd) + " failed: " + new String(out));
    }
    return (System.nanoTime() - t0) / 1e6;
  }
}
