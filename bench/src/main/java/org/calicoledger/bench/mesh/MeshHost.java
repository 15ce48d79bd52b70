package org.calicoledger.bench.mesh;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.calicoledger.bench.Sh;

/**
 * What the mesh measurement creates on this host: network namespaces (all named {@code <prefix>-...}), the processes
 * it starts, a temporary directory. {@link #close} kills every process it started (and anything else left inside
 * its namespaces), deletes the namespaces and the directory; it runs on failure too (and from a shutdown hook).
 */
final class MeshHost implements AutoCloseable {
  final String prefix;
  final Path dir;
  private final Set<String> namespaces = new LinkedHashSet<>();
  private final List<Process> processes = new ArrayList<>();
  private final Thread hook = new Thread(this::cleanup, "mesh-cleanup");

  MeshHost(String prefix) throws IOException {
    this.prefix = prefix;
    this.dir = Files.createTempDirectory(prefix + "-");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  String namespace(String suffix) throws Exception {
    String ns = prefix + "-" + suffix;
    run("ip", "netns", "add", ns);
    namespaces.add(ns);
    run("ip", "-n", ns, "link", "set", "lo", "up");
    return ns;
  }

  /** A namespace with {@code eth0} at {@code address/24}, its peer enslaved to {@code bridge} in {@code switchNs}. */
  String attached(String suffix, String switchNs, String bridge, String address) throws Exception {
    String ns = namespace(suffix);
    String peer = "v" + suffix;
    run("ip", "link", "add", "eth0", "netns", ns, "type", "veth", "peer", "name", peer, "netns", switchNs);
    run("ip", "-n", ns, "addr", "add", address + "/24", "dev", "eth0");
    run("ip", "-n", ns, "link", "set", "eth0", "up");
    run("ip", "-n", switchNs, "link", "set", peer, "master", bridge);
    run("ip", "-n", switchNs, "link", "set", peer, "up");
    return ns;
  }

  /** Starts {@code cmd}, output to {@code log}; the process is killed by {@link #close}. */
  Process spawn(List<String> cmd, Path log) throws IOException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    synchronized (processes) {
      processes.add(p);
    }
    return p;
  }

  static String run(String... cmd) throws Exception {
    return Sh.output(Duration.ofSeconds(60), cmd);
  }

  static String read(Path p) {
    try {
      return Files.exists(p) ? Files.readString(p) : "";
    } catch (IOException e) {
      return "";
    }
  }

  static String tail(Path p, int lines) {
    List<String> all = read(p).lines().toList();
    return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
  }

  @Override
  public void close() {
    cleanup();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the hook runs anyway
    }
  }

  private synchronized void cleanup() {
    List<Process> all;
    synchronized (processes) {
      all = new ArrayList<>(processes);
      processes.clear();
    }
    for (Process p : all) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
    for (Process p : all) {
      try {
        p.waitFor(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    List<String> nss = new ArrayList<>(namespaces);
    java.util.Collections.reverse(nss);
    for (String ns : nss) {
      try {
        for (String pid : run("ip", "netns", "pids", ns).lines().filter(l -> !l.isBlank()).toList()) {
          ProcessHandle.of(Long.parseLong(pid.strip())).ifPresent(ProcessHandle::destroyForcibly);
        }
        run("ip", "netns", "del", ns);
      } catch (Exception e) {
        System.err.println("mesh: cannot delete namespace " + ns + ": " + e.getMessage());
      }
    }
    namespaces.clear();
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
    } catch (IOException ignored) {
      // best effort
    }
  }
}
