package org.calicoledger.bird.testing;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.calicoledger.bird.io.BgpSpeaker;
import org.calicoledger.bird.io.PeerConfig;
import org.calicoledger.bird.io.PeerStatus;
import org.calicoledger.bird.rib.RouteListener;
import org.calicoledger.bird.wire.Prefix;

/**
 * The bulk-transfer measurement shared by {@code BulkTransferIT} (which asserts on it) and the bench's {@code bgp-200k}
 * rows (which run {@link BgpMeasure} in a child JVM inside a namespace of their own).
 *
 * <p>Input: the number of IPv4 /32 prefixes a real BIRD sends. Output: a {@link Result}: the time from Established to
 * all prefixes in the receiver's table, first for a second BIRD receiving from the same sender (the anchor), then for
 * our speaker (counted at its {@link RouteListener}, checked against the Loc-RIB size); our heap growth per route
 * after a GC; and both sessions' states after 4 s more, longer than the 3 s hold time, so a missed keepalive on either
 * side shows as a session that is down. Must run in a JVM inside its own namespace ({@link PeerNamespace}).
 */
public final class BulkTransfer {
  private BulkTransfer() {}

  /**
   * What one run measured.
   *
   * @param received prefixes at our listener; {@code locRib} the Loc-RIB size; {@code birdReceived} the anchor's
   *     count line; {@code ours} our session after the hold-time wait; {@code birdSession} the sender's protocol line
   */
  public record Result(int routes, double oursMs, double birdMs, double bytesPerRoute, int received, int locRib,
      String birdReceived, PeerStatus ours, String birdSession) {
    public String line() {
      return String.format(java.util.Locale.ROOT, "bench bgp-200k-ipv4: ours %.0f ms, BIRD %.0f ms, ratio %.2fx"
          + " (goal <= 1.5x); memory %.0f B per route (goal < 300 B); session %s, BIRD %s", oursMs, birdMs,
          oursMs / birdMs, bytesPerRoute, ours.state(), birdSession.contains("Established") ? "Established"
              : birdSession);
    }
  }

  static String senderConfig(PeerNamespace a, String peer, int routes, String mode) {
    StringBuilder b = new StringBuilder("log stderr { warning, error, fatal };\nrouter id ").append(a.peerV4())
        .append(";\nprotocol device { }\nprotocol static s4 { ipv4;\n");
    for (int i = 0; i < routes; i++) {
      b.append(" route 100.").append(64 + (i >> 16)).append('.').append((i >> 8) & 0xFF).append('.')
          .append(i & 0xFF).append("/32 blackhole;\n");
    }
    b.append("}\nprotocol bgp snd {\n  local ").append(a.peerV4()).append(" as 64512;\n  neighbor ").append(peer)
        .append(" as 64512;\n  hold time 3; keepalive time 1; ").append(mode).append(";\n")
        .append("  connect retry time 1; connect delay time 1;\n  ipv4 { import none; export all; next hop self; };\n}\n");
    return b.toString();
  }

  public static Result run(int routes) throws Exception {
    try (PeerNamespace a = PeerNamespace.create(); PeerNamespace b = PeerNamespace.create()) {
      PeerNamespace.must("sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
      PeerNamespace.must("ip", "-n", a.name(), "route", "add", "10.99.0.0/16", "via", a.ourV4());
      PeerNamespace.must("ip", "-n", b.name(), "route", "add", "10.99.0.0/16", "via", b.ourV4());
      double birdMs;
      String birdCount;
      try (BirdProcess receiver = BirdProcess.start("log stderr { warning, error, fatal };\nrouter id " + b.peerV4()
          + ";\nprotocol device { }\nprotocol bgp rcv {\n  local " + b.peerV4() + " as 64512;\n  neighbor " + a.peerV4()
          + " as 64512;\n  hold time 3; keepalive time 1; multihop;\n  passive on;\n"
          + "  ipv4 { import all; export none; };\n}\n", b.name());
           BirdProcess sender = BirdProcess.start(senderConfig(a, b.peerV4(), routes, "multihop"), a.name())) {
        String full = routes + " of " + routes + " routes";
        long up = 0;
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < end) {
          if (up == 0 && receiver.birdc("show protocols rcv").contains("Established")) {
            up = System.nanoTime();
          }
          if (up != 0 && receiver.birdc("show route count").contains(full)) {
            break;
          }
          Thread.sleep(2);
        }
        birdMs = (System.nanoTime() - up) / 1e6;
        birdCount = receiver.birdc("show route count");
      }
      AtomicInteger count = new AtomicInteger();
      RouteListener counter = new RouteListener() {
        @Override
        public void announce(Prefix prefix, Prefix nextHop) {
          count.incrementAndGet();
        }

        @Override
        public void withdraw(Prefix prefix) {
          count.decrementAndGet();
        }
      };
      System.gc();
      long heap0 = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
      try (BgpSpeaker ours = BgpSpeaker.start(new BgpSpeaker.Settings(a.ourV4(), 179, 64512, Prefix.parse(a.ourV4())
          .lo(), -1, a.ourV4(), null, Duration.ofSeconds(3), Duration.ofSeconds(1), 0), counter);
           BirdProcess send = BirdProcess.start(senderConfig(a, a.ourV4(), routes, "direct"), a.name())) {
        ours.setPeers(List.of(new PeerConfig(a.peerV4(), 179, 64512, "global", true, false, null, null)));
        long up = 0;
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < end) {
          if (up == 0 && ours.status().get(0).up()) {
            up = System.nanoTime();
          }
          if (up != 0 && count.get() == routes) {
            break;
          }
          Thread.sleep(1);
        }
        double oursMs = (System.nanoTime() - up) / 1e6;
        int locRib = ours.call(() -> ours.ribUnsafe().locRib().size());
        Thread.sleep(4000); // longer than the 3 s hold time: a missed keepalive on either side drops the session
        PeerStatus st = ours.status().get(0);
        String birdState = send.birdc("show protocols snd");
        System.gc();
        long heap1 = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        return new Result(routes, oursMs, birdMs, (heap1 - heap0) / (double) routes, count.get(), locRib, birdCount,
            st, birdState);
      }
    }
  }
}
