package org.calicoledger.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The built-in BGP speaker's rows. Each measurement is {@code org.calicoledger.bird.testing.BgpMeasure} (bird's
 * test-jar, the same code {@code BulkTransferIT} and {@code MeshConvergenceIT} assert on) in a child JVM that runs in a
 * network namespace this bench creates ({@code bgq-<pid>-<what>}), because the speakers bind addresses and create veth
 * pairs that must not live in the host's root namespace. The namespace, the child's peer namespaces
 * ({@code bgp-<childpid>-N}) and anything left running in them are removed afterwards, also on failure.
 *
 * <ul>
 *   <li>{@code bgp-200k}: 200,000 IPv4 /32s from real BIRD, three runs (medians); ours = Established to all in our
 *       Loc-RIB, anchor = a second BIRD receiving the same table from the same sender in the same run; heap per
 *       route; sessions down after a 4 s wait with a 3 s hold time (a missed keepalive), summed over the runs.</li>
 *   <li>{@code bgp-mesh}: 20 of our speakers in ONE JVM (full iBGP mesh on lo), a new block on one speaker to the
 *       route at every other speaker's RouteListener (the RIB's output; no kernel, no Felix), p50 and p99 over 60
 *       rounds. No anchor is measured.</li>
 * </ul>
 */
final class BgpBench implements Benchmark {
  private static final int BULK_RUNS = 3;
  private final String id = "bgq-" + ProcessHandle.current().pid();

  @Override
  public String name() {
    return "bgp";
  }

  @Override
  public List<Row> run() throws Exception {
    List<Row> rows = new ArrayList<>();
    double[] ours = new double[BULK_RUNS];
    double[] bird = new double[BULK_RUNS];
    double[] heap = new double[BULK_RUNS];
    double lost = 0;
    for (int i = 0; i < BULK_RUNS; i++) { // each run: the anchor, then ours, in one fresh child JVM
      String[] bulk = measure("bulk", "200000");
      ours[i] = Double.parseDouble(bulk[0]);
      bird[i] = Double.parseDouble(bulk[1]);
      heap[i] = Double.parseDouble(bulk[2]);
      lost += Double.parseDouble(bulk[3]);
    }
    rows.add(Row.of("bgp-200k-ipv4: Established to all in Loc-RIB, median of " + BULK_RUNS + " (vs BIRD to BIRD)",
        median(ours), median(bird), "ms", Row.Goal.ratioAtMost(1.5)));
    rows.add(Row.of("bgp-200k-ipv4: heap per route, median", median(heap), Double.NaN, "B",
        Row.Goal.oursAtMost(300)));
    rows.add(Row.of("bgp-200k-ipv4: sessions lost in all runs (3 s hold, 4 s after)", lost, Double.NaN, "",
        Row.Goal.oursAtMost(0)));
    String[] mesh = measure("mesh", "20", "60");
    rows.add(Row.of("bgp-mesh-20 (one JVM): new block to all 19 RouteListeners, p50", Double.parseDouble(mesh[0]),
        Double.NaN, "ms", Row.Goal.none()));
    rows.add(Row.of("bgp-mesh-20 (one JVM): new block to all 19 RouteListeners, p99", Double.parseDouble(mesh[1]),
        Double.NaN, "ms", Row.Goal.none()));
    return rows;
  }

  private static double median(double[] v) {
    return Stats.median(java.util.Arrays.stream(v).boxed().toList());
  }

  /** Runs BgpMeasure in a fresh namespace and returns the numbers of its RESULT line. */
  private String[] measure(String... args) throws Exception {
    String ns = id + "-" + args[0];
    Path log = Files.createTempFile("bgq-bench-", ".log");
    Process child = null;
    try {
      Sh.run("ip", "netns", "add", ns);
      Sh.run("ip", "-n", ns, "link", "set", "lo", "up");
      List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns, "env", "BGP_IT_NETNS=" + ns,
          Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g", "-cp",
          System.getProperty("java.class.path"), "org.calicoledger.bird.testing.BgpMeasure"));
      cmd.addAll(List.of(args));
      child = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      boolean done = child.waitFor(5, TimeUnit.MINUTES);
      String out = Files.readString(log, StandardCharsets.UTF_8);
      if (!done || child.exitValue() != 0) {
        throw new IllegalStateException("BgpMeasure " + String.join(" ", args) + (done ? " exited "
            + child.exitValue() : " timed out") + ":\n" + out);
      }
      return out.lines().filter(l -> l.startsWith("RESULT ")).reduce((x, y) -> y)
          .orElseThrow(() -> new IllegalStateException("no RESULT line:\n" + out)).substring(7).split(" ");
    } finally {
      long childPid = child == null ? -1 : child.pid();
      if (child != null && child.isAlive()) {
        child.destroyForcibly();
        child.waitFor(30, TimeUnit.SECONDS);
      }
      Sh.removeNamespace(ns, "bgp");
      if (childPid > 0) {
        for (String n : Sh.output("ip", "netns", "list").lines().map(l -> l.split(" ")[0]).toList()) {
          if (n.startsWith("bgp-" + childPid + "-")) {
            Sh.removeNamespace(n, "bgp");
          }
        }
      }
      Files.deleteIfExists(log);
    }
  }
}
