package org.calicoledger.bench.mesh;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Mesh convergence to the kernel, ours against BIRD in one run: {@code n} calico-nodes ({@link OurMesh}) and
 * {@code n} BIRDs ({@link BirdMesh}) in namespaces; {@code ip -ts monitor route} ({@link RouteWatch}) runs in every
 * node namespace before the first change. Each round picks node {@code K = round mod n}, adds a new block on BIRD K
 * and times it until the route is in the other {@code n - 1} BIRD namespaces' kernels, then does the same with a new
 * IPAM block of calico-node K. A round's time is the LAST of the {@code n - 1} kernels (the route is in every other
 * node's kernel; the kernel-side times are {@code ip}'s timestamps, microseconds), from: for BIRD, the clock read
 * before its configuration is written; for ours, the moment an etcd watch in this JVM saw the block's affinity
 * confirmed (the block exists for the cluster; the journal watches the same etcd), and also from the clock read before
 * the IPAM call (which adds IPAM's etcd transactions). The first {@code warmup} rounds are not counted.
 *
 * <p>Runs as a child JVM inside the switch namespace {@code <prefix>-s} that {@code bin/bench} created (so etcd,
 * Kafka and the bridges are not in the host's namespace); creates {@code <prefix>-nK} and {@code <prefix>-bK} and
 * deletes them, with every process it started, at the end or on failure.
 *
 * <p>Usage: {@code MeshKernel PREFIX SWITCH_NS N ROUNDS WARMUP REPO_ROOT NODE_JAVA_OPTS}. Prints one line per round
 * and {@code RESULT ours_p50 ours_p99 bird_p50 bird_p99 rounds ours_call_p50 ours_call_p99 ipam_call_p50}
 * (milliseconds; ours from the confirmed affinity, ours_call from the IPAM call's start).
 */
public final class MeshKernel {
  private MeshKernel() {}

  public static void main(String[] args) throws Exception {
    String prefix = args[0];
    String switchNs = args[1];
    int n = Integer.parseInt(args[2]);
    int rounds = Integer.parseInt(args[3]);
    int warmup = Integer.parseInt(args[4]);
    Path root = Path.of(args[5]);
    String javaOpts = args[6];
    List<RouteWatch> watches = new ArrayList<>();
    try (MeshHost host = new MeshHost(prefix); OurMesh ours = new OurMesh(host, switchNs, root, n)) {
      long t = System.nanoTime();
      BirdMesh bird = new BirdMesh(host, switchNs, n);
      bird.start();
      ours.start(javaOpts);
      bird.awaitMesh(Duration.ofSeconds(120));
      ours.awaitMesh(Duration.ofSeconds(600));
      System.out.printf(Locale.ROOT, "mesh: %d calico-nodes and %d BIRDs up, full meshes Established, in %d s%n", n, n,
          (System.nanoTime() - t) / 1_000_000_000L);
      List<RouteWatch> ourWatch = new ArrayList<>();
      List<RouteWatch> birdWatch = new ArrayList<>();
      for (int k = 0; k < n; k++) {
        ourWatch.add(new RouteWatch(ours.namespaces.get(k)));
        birdWatch.add(new RouteWatch(bird.namespaces.get(k)));
      }
      watches.addAll(ourWatch);
      watches.addAll(birdWatch);
      Thread.sleep(1000);
      List<Double> oursMs = new ArrayList<>();
      List<Double> birdMs = new ArrayList<>();
      List<Double> assignMs = new ArrayList<>();
      List<Double> oursCallMs = new ArrayList<>();
      for (int r = 0; r < warmup + rounds; r++) {
        int k = r % n;
        String birdBlock = "10.31." + (r / 4) + "." + (r % 4) * 64 + "/26";
        long b0 = nowMicros();
        bird.newBlock(k, birdBlock);
        double b = lastArrival(birdWatch, k, birdBlock, BirdMesh.address(k), b0, () -> "BIRD " + k);
        Thread.sleep(200);
        long o0 = nowMicros();
        String block = ours.newBlock(k, r, "mesh-" + r);
        double assigned = (nowMicros() - o0) / 1000.0;
        double o = lastArrival(ourWatch, k, block, OurMesh.address(k), o0, () -> "calico-node " + k + ":\n"
            + ours.logTail(k));
        double fromCommit = o - (ours.confirmedAt(k, block, Duration.ofSeconds(10)) - o0) / 1000.0;
        System.out.printf(Locale.ROOT, "round %d node %d: BIRD %s %.2f ms; ours %s %.2f ms from the confirmed"
            + " affinity in etcd, %.2f ms from the IPAM call's start (call %.2f ms)%s%n",
            r, k, birdBlock, b, block, fromCommit, o, assigned, r < warmup ? " warm-up" : "");
        if (r >= warmup) {
          birdMs.add(b);
          oursMs.add(fromCommit);
          oursCallMs.add(o);
          assignMs.add(assigned);
        }
        Thread.sleep(300);
      }
      System.out.printf(Locale.ROOT, "RESULT %.2f %.2f %.2f %.2f %d %.2f %.2f %.2f%n", pct(oursMs, 50),
          pct(oursMs, 99), pct(birdMs, 50), pct(birdMs, 99), oursMs.size(), pct(oursCallMs, 50), pct(oursCallMs, 99),
          pct(assignMs, 50));
    } finally {
      watches.forEach(RouteWatch::close);
    }
  }

  /** Waits for {@code dst via gateway} in every watch but {@code origin}'s; the last arrival after {@code t0}, ms. */
  private static double lastArrival(List<RouteWatch> watches, int origin, String dst, String gateway, long t0,
      Supplier<String> what) throws Exception {
    List<RouteWatch> others = new ArrayList<>(watches);
    others.remove(origin);
    // polling only decides when to stop waiting: the times are ip's timestamps
    await(Duration.ofSeconds(60), 2, () -> RouteWatch.allSeen(others, dst, gateway), () -> {
      List<Integer> missing = new ArrayList<>();
      for (int i = 0; i < watches.size(); i++) {
        if (i != origin && watches.get(i).seen(dst, gateway) == null) {
          missing.add(i);
        }
      }
      return dst + " via " + gateway + " in every other kernel (missing on " + missing + "); " + what.get();
    });
    long last = others.stream().mapToLong(w -> w.seen(dst, gateway)).max().orElseThrow();
    return (last - t0) / 1000.0;
  }

  static long nowMicros() {
    return ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
  }

  /** Nearest-rank percentile. */
  static double pct(List<Double> v, int p) {
    List<Double> s = v.stream().sorted().toList();
    int i = (int) Math.ceil(p / 100.0 * s.size()) - 1;
    return s.get(Math.max(0, Math.min(s.size() - 1, i)));
  }

  /** Polls every 300 ms (set-up waits: logs, HTTP, birdc). */
  static void await(Duration timeout, BooleanSupplier condition, Supplier<String> what) throws Exception {
    await(timeout, 300, condition, what);
  }

  static void await(Duration timeout, long pollMillis, BooleanSupplier condition, Supplier<String> what)
      throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (condition.getAsBoolean()) {
        return;
      }
      Thread.sleep(pollMillis);
    }
    throw new IllegalStateException("timed out after " + timeout.toSeconds() + " s waiting for: " + what.get());
  }
}
