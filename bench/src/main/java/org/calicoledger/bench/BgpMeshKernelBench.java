package org.calicoledger.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code bgp-mesh-kernel}: issue #7's mesh convergence row. 20 real {@code bin/calico-node} processes (our BGP speaker
 * and Felix, heaps of 128 MB) in namespaces on one bridge, full iBGP mesh; a new IPAM block affine to one node to the
 * route in all 19 other nodes' kernels ({@code ip -ts monitor route} timestamps), from the block's confirmed affinity
 * as an etcd watch sees it, and from the start of the IPAM call that claims it; p50 and p99 over 40 changes (two
 * per node, after 4 warm-up changes); the anchor is the same change on 20 real BIRD 2 daemons in an iBGP mesh in the
 * same run (a static block route added, {@code birdc configure}, to the route in the 19 other kernels).
 *
 * <p>The measurement ({@code org.calicoledger.bench.mesh.MeshKernel}) runs in a child JVM inside a switch namespace
 * this bench creates ({@code msh-<pid>-s}); every namespace named {@code msh-<pid>-...} and every process left inside
 * one is removed afterwards, also when the child fails or times out.
 */
final class BgpMeshKernelBench implements Benchmark {
  static final int NODES = 20;
  static final int ROUNDS = 40;
  static final int WARMUP = 4;
  static final String NODE_JAVA_OPTS = "-XX:+UseSerialGC -Xms32m -Xmx128m -XX:CICompilerCount=2"
      + " -Djdk.lang.Process.launchMechanism=VFORK";
  private final String prefix = "msh-" + ProcessHandle.current().pid();

  @Override
  public String name() {
    return "bgp-mesh-kernel";
  }

  @Override
  public List<Row> run() throws Exception {
    String[] r = measure();
    String what = "bgp-mesh-kernel-" + NODES + " (calico-nodes): new block to the route in all " + (NODES - 1)
        + " other kernels over " + r[4] + " changes, ";
    double birdP50 = Double.parseDouble(r[2]);
    double birdP99 = Double.parseDouble(r[3]);
    return List.of(
        Row.of(what + "from the confirmed affinity in etcd, p50 (vs BIRD 2 mesh from configure)",
            Double.parseDouble(r[0]), birdP50, "ms", Row.Goal.none()),
        Row.of(what + "from the confirmed affinity in etcd, p99 (vs BIRD 2 mesh from configure)",
            Double.parseDouble(r[1]), birdP99, "ms", Row.Goal.none()),
        Row.of(what + "from the IPAM call's start, p50 (vs BIRD 2 mesh from configure)", Double.parseDouble(r[5]),
            birdP50, "ms", Row.Goal.none()),
        Row.of(what + "from the IPAM call's start, p99 (vs BIRD 2 mesh from configure)", Double.parseDouble(r[6]),
            birdP99, "ms", Row.Goal.none()));
  }

  private String[] measure() throws Exception {
    String switchNs = prefix + "-s";
    Path log = Files.createTempFile("msh-bench-", ".log");
    Process child = null;
    try {
      Sh.run("ip", "netns", "add", switchNs);
      Sh.run("ip", "-n", switchNs, "link", "set", "lo", "up");
      String root = System.getProperty("calico.repo.root", Path.of("").toAbsolutePath().toString());
      List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", switchNs,
          Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m", "-cp",
          System.getProperty("java.class.path"), "org.calicoledger.bench.mesh.MeshKernel", prefix, switchNs,
          String.valueOf(NODES), String.valueOf(ROUNDS), String.valueOf(WARMUP), root, NODE_JAVA_OPTS));
      child = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      boolean done = child.waitFor(30, TimeUnit.MINUTES);
      String out = Files.readString(log, StandardCharsets.UTF_8);
      out.lines().filter(l -> l.startsWith("round ") || l.startsWith("mesh: "))
          .forEach(l -> System.err.println("  " + l));
      if (!done || child.exitValue() != 0) {
        throw new IllegalStateException("MeshKernel" + (done ? " exited " + child.exitValue() : " timed out")
            + ":\n" + out);
      }
      return out.lines().filter(l -> l.startsWith("RESULT ")).reduce((x, y) -> y)
          .orElseThrow(() -> new IllegalStateException("no RESULT line:\n" + out)).substring(7).split(" ");
    } finally {
      if (child != null && child.isAlive()) {
        child.destroy(); // its shutdown hook stops what it started
        if (!child.waitFor(60, TimeUnit.SECONDS)) {
          child.destroyForcibly();
          child.waitFor(30, TimeUnit.SECONDS);
        }
      }
      List<String> mine = new ArrayList<>(Sh.output("ip", "netns", "list").lines().map(l -> l.split(" ")[0])
          .filter(n -> n.startsWith(prefix + "-")).toList());
      mine.remove(switchNs);
      mine.add(switchNs); // last: the child ran there
      for (String ns : mine) {
        Sh.removeNamespace(ns, "bgp-mesh-kernel");
      }
      Files.deleteIfExists(log);
      removeLeftDirectories();
    }
  }

  /** The child's temporary directory ({@code msh-<pid>-*}), when it was killed before removing it. */
  private void removeLeftDirectories() throws IOException {
    try (var dirs = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      for (Path d : dirs.filter(p -> p.getFileName().toString().startsWith(prefix + "-")).toList()) {
        try (var walk = Files.walk(d)) {
          walk.sorted(java.util.Comparator.reverseOrder()).map(Path::toFile).forEach(java.io.File::delete);
        }
      }
    }
  }
}
