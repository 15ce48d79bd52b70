package org.calicoledger.bird.io;

import static org.assertj.core.api.Assertions.assertThat;

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
import org.calicoledger.bird.rib.RouteListener;
import org.calicoledger.bird.testing.BirdProcess;
import org.calicoledger.bird.testing.PeerNamespace;
import org.calicoledger.bird.wire.Prefix;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Mesh convergence at 20 speakers: a full iBGP mesh of 20 of our speakers in the test JVM (10.97.0.1-20 on {@code lo}
 * of the ITs' own namespace, port 179), then 60 times a new block on one speaker; measured from
 * {@code setLocalRoutes} to the route at every other speaker's {@link RouteListener} (not a kernel: Felix is not in
 * this loop). Prints p50 and p99 in the bench rows' format.
 */
class MeshConvergenceIT {
  private static final int N = 20;
  private final List<BgpSpeaker> speakers = new ArrayList<>();
  private final List<String> addrs = new ArrayList<>();

  @AfterEach
  void cleanUp() throws Exception {
    speakers.forEach(BgpSpeaker::close);
    for (String a : addrs) {
      new ProcessBuilder("ip", "addr", "del", a + "/32", "dev", "lo").start().waitFor();
    }
  }

  @Test
  void newBlockReachesEveryOtherSpeaker() throws Exception {
    if (System.getenv("BGP_IT_NETNS") == null) {
      throw new IllegalStateException("run inside bird's IT namespace (Failsafe jvm netns-jvm/bin/java)");
    }
    Map<String, CountDownLatch> waiting = new ConcurrentHashMap<>();
    for (int i = 1; i <= N; i++) {
      addrs.add("10.97.0." + i);
      PeerNamespace.must("ip", "addr", "add", "10.97.0." + i + "/32", "dev", "lo");
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
      List<PeerConfig> peers = new ArrayList<>();
      for (String other : addrs) {
        if (!other.equals(me)) {
          peers.add(new PeerConfig(other, 179, 64512, "node-to-node mesh", other.compareTo(me) > 0, false, null,
              null));
        }
      }
      s.setPeers(peers);
    }
    assertThat(BirdProcess.await(Duration.ofSeconds(60), () -> speakers.stream().allMatch(
        s -> s.status().stream().allMatch(PeerStatus::up)))).as("all 190 sessions up").isTrue();
    List<Set<Prefix>> local = new ArrayList<>();
    for (int i = 0; i < N; i++) {
      local.add(new HashSet<>());
    }
    int rounds = 60;
    long[] micros = new long[rounds];
    for (int k = 0; k < rounds; k++) {
      int who = k % N;
      Prefix p = Prefix.parse("172.16." + k + ".0/26");
      CountDownLatch done = new CountDownLatch(N - 1);
      waiting.put(p.toString(), done);
      local.get(who).add(p);
      long t0 = System.nanoTime();
      speakers.get(who).setLocalRoutes(local.get(who));
      assertThat(done.await(10, TimeUnit.SECONDS)).as("round %d: %d speakers missing", k, done.getCount()).isTrue();
      micros[k] = (System.nanoTime() - t0) / 1000;
      Thread.sleep(20);
    }
    Arrays.sort(micros);
    double p50 = micros[rounds / 2] / 1000.0;
    double p99 = micros[(int) Math.ceil(rounds * 0.99) - 1] / 1000.0;
    System.out.printf("bench bgp-mesh-20: new block on one speaker to the route at all 19 others' RouteListener:"
        + " p50 %.2f ms, p99 %.2f ms (%d rounds; to the listener, not the kernel)%n", p50, p99, rounds);
    assertThat(p99).isLessThan(1000);
  }
}
