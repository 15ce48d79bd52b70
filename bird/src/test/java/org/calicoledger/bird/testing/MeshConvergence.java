package org.calicoledger.bird.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.calicoledger.bird.io.BgpSpeaker;
import org.calicoledger.bird.io.PeerConfig;
import org.calicoledger.bird.io.PeerStatus;
import org.calicoledger.bird.rib.RouteListener;
import org.calicoledger.bird.wire.Prefix;

/**
 * The mesh-convergence measurement shared by {@code MeshConvergenceIT} (which asserts on it) and the bench's
 * {@code bgp-mesh} rows (which run {@link BgpMeasure} in a child JVM inside a namespace of their own).
 *
 * <p>Input: N speakers and a number of rounds. It builds a full iBGP mesh of N of our speakers in this JVM
 * ({@code 10.97.0.1..N} on {@code lo} of the JVM's own namespace, port 179, Calico's passive rule), waits for every
 * session, then per round puts a new /26 on one speaker (round-robin) and measures from {@code setLocalRoutes} until
 * every other speaker's {@link RouteListener} has it (not a kernel: Felix is not in this loop). Output: a
 * {@link Result} with sorted per-round microseconds, or the number of speakers missing in a round that timed out
 * (10 s). Removes its addresses and stops its speakers, also on failure.
 */
public final class MeshConvergence {
  private MeshConvergence() {}

  /**
   * @param allUp whether all N*(N-1)/2 sessions came up within 60 s; {@code micros} sorted, one per completed round;
   *     {@code missing} speakers that lacked the route of the first round that timed out (0 when none timed out)
   */
  public record Result(int speakers, boolean allUp, long[] micros, long missing) {
    public double p50Ms() {
      return micros[micros.length / 2] / 1000.0;
    }

    public double p99Ms() {
      return micros[(int) Math.ceil(micros.length * 0.99) - 1] / 1000.0;
    }

    public String line() {
      return String.format(java.util.Locale.ROOT, "bench bgp-mesh-%d: new block on one speaker to the route at all"
          + " %d others' RouteListener: p50 %.2f ms, p99 %.2f ms (%d rounds; to the listener, not the kernel)",
          speakers, speakers - 1, p50Ms(), p99Ms(), micros.length);
    }
  }

  /** Calico's iBGP mesh (AS 64512, port 179) from {@code me} to every other address, passive towards greater ones. */
  public static List<PeerConfig> meshPeers(String me, List<String> addrs) {
    List<PeerConfig> peers = new ArrayList<>();
    for (String other : addrs) {
      if (!other.equals(me)) {
        peers.add(new PeerConfig(other, 179, 64512, "node-to-node mesh", other.compareTo(me) > 0, false, null, null));
      }
    }
    return peers;
  }

  public static Result run(int n, int rounds) throws Exception {
    if (System.getenv("BGP_IT_NETNS") == null) {
      throw new IllegalStateException("run inside a namespace of its own (BGP_IT_NETNS unset): it adds addresses "
          + "to lo");
    }
    List<BgpSpeaker> speakers = new ArrayList<>();
    List<String> addrs = new ArrayList<>();
    try {
      Map<String, CountDownLatch> waiting = new ConcurrentHashMap<>();
      for (int i = 1; i <= n; i++) {
        PeerNamespace.must("ip", "addr", "add", "10.97.0." + i + "/32", "dev", "lo");
        addrs.add("10.97.0." + i);
      }
      for (String me : addrs) {
        RouteListener l = new RouteListener() {
          @Override
          public void announce(Prefix prefix, Prefix nextHop) {
            CountDownLatch c = waiting.get(prefix.toString());
            if (c != null) {
              c.countDown();
            }
          }

          @Override
          public void withdraw(Prefix prefix) {}
        };
        BgpSpeaker s = BgpSpeaker.start(new BgpSpeaker.Settings(me, 179, 64512, Prefix.parse(me).lo(), -1, me, null,
            Duration.ofSeconds(30), Duration.ofSeconds(1), 0), l);
        speakers.add(s);
        s.setPeers(meshPeers(me, addrs));
      }
      boolean allUp = BirdProcess.await(Duration.ofSeconds(60), () -> speakers.stream().allMatch(
          s -> s.status().stream().allMatch(PeerStatus::up)));
      if (!allUp) {
        return new Result(n, false, new long[0], 0);
      }
      List<Set<Prefix>> local = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        local.add(new HashSet<>());
      }
      long[] micros = new long[rounds];
      for (int k = 0; k < rounds; k++) {
        int who = k % n;
        Prefix p = Prefix.parse("172.16." + k + ".0/26");
        CountDownLatch done = new CountDownLatch(n - 1);
        waiting.put(p.toString(), done);
        local.get(who).add(p);
        long t0 = System.nanoTime();
        speakers.get(who).setLocalRoutes(local.get(who));
        if (!done.await(10, TimeUnit.SECONDS)) {
          return new Result(n, true, Arrays.copyOf(micros, k), done.getCount());
        }
        micros[k] = (System.nanoTime() - t0) / 1000;
        Thread.sleep(20);
      }
      Arrays.sort(micros);
      return new Result(n, true, micros, 0);
    } finally {
      speakers.forEach(BgpSpeaker::close);
      for (String a : addrs) {
        new ProcessBuilder("ip", "addr", "del", a + "/32", "dev", "lo").start().waitFor();
      }
    }
  }
}
