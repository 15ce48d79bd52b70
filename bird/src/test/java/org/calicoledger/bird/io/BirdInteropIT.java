package org.calicoledger.bird.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.calicoledger.bird.testing.BirdProcess;
import org.calicoledger.bird.testing.PeerNamespace;
import org.calicoledger.bird.wire.Prefix;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Our speaker against real BIRD 2 in a network namespace ({@link PeerNamespace}: BIRD on 10.99.N.2, us on 10.99.N.1,
 * port 179 on both sides):
 * sessions in both directions, IPv4 and IPv6 routes both ways, withdrawals, hold timer expiry and graceful restart.
 * BIRD runs without a kernel protocol, so nothing outside the test's processes changes.
 */
class BirdInteropIT {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private final int birdPort = 179;
  private final int ourPort = 179;
  private PeerNamespace ns;
  private BirdProcess bird;
  private BgpSpeaker ours;
  private final RecordingListener learned = new RecordingListener();

  @AfterEach
  void cleanUp() {
    if (ours != null) {
      ours.close();
    }
    if (bird != null) {
      bird.close();
    }
    if (ns != null) {
      ns.close();
    }
  }

  @BeforeEach
  void namespace() throws Exception {
    ns = PeerNamespace.create();
  }

  private String birdConfig(int birdPort, int ourPort, boolean passive, List<String> v4, List<String> v6, int hold) {
    StringBuilder b = new StringBuilder();
    b.append("log stderr all;\nrouter id ").append(ns.peerV4()).append(";\nprotocol device { }\n");
    b.append("protocol static s4 { ipv4;");
    v4.forEach(r -> b.append(" route ").append(r).append(" blackhole;"));
    b.append(" }\nprotocol static s6 { ipv6;");
    v6.forEach(r -> b.append(" route ").append(r).append(" blackhole;"));
    b.append(" }\n");
    b.append("protocol bgp ours {\n  local ").append(ns.peerV4()).append(" port ").append(birdPort)
        .append(" as 64512;\n")
        .append("  neighbor ").append(ns.ourV4()).append(" port ").append(ourPort).append(" as 64512;\n")
        .append("  hold time ").append(hold).append("; keepalive time ").append(Math.max(1, hold / 3)).append(";\n")
        .append("  connect retry time 1; connect delay time 1; error wait time 1, 2;\n")
        .append("  graceful restart on; direct;\n")
        .append(passive ? "  passive on;\n" : "")
        .append("  ipv4 { import all; export all; next hop self; };\n")
        .append("  ipv6 { import all; export all; next hop address " + ns.peerV6() + "; };\n}\n");
    return b.toString();
  }

  private BgpSpeaker.Settings settings(int port, int hold) {
    return new BgpSpeaker.Settings(ns.ourV4(), port, 64512, Prefix.parse(ns.ourV4()).lo(), -1, ns.ourV4(),
        ns.ourV6(), Duration.ofSeconds(hold), Duration.ofSeconds(1), 120);
  }

  private PeerConfig birdPeer(boolean passive) {
    return new PeerConfig(ns.peerV4(), birdPort, 64512, "global", passive, false, null, null);
  }

  private boolean established() {
    return ours.status().stream().anyMatch(PeerStatus::up);
  }

  private boolean birdHas(String prefix) {
    String out = bird.birdc("show route " + prefix + " all");
    return out.contains(prefix.replaceAll("/.*", "")) && out.contains("ours");
  }

  @Test
  void weConnectAndRoutesFlowBothWaysThenWithdraw() throws Exception {
    bird = BirdProcess.start(birdConfig(birdPort, ourPort, true, List.of("10.200.1.0/24", "10.200.2.0/24"),
        List.of("fd00:200::/64"), 9), ns.name());
    ours = BgpSpeaker.start(settings(ourPort, 9), learned);
    ours.setLocalRoutes(Set.of(Prefix.parse("10.100.1.0/26"), Prefix.parse("fd00:100::/122")));
    ours.setPeers(List.of(birdPeer(false)));

    assertThat(BirdProcess.await(WAIT, this::established)).as("session up; BIRD log:\n%s", bird.log()).isTrue();
    assertThat(BirdProcess.await(WAIT, () -> learned.routes.size() == 3)).as("learned %s", learned.routes).isTrue();
    assertThat(learned.routes).containsEntry("10.200.1.0/24", ns.peerV4()).containsEntry("10.200.2.0/24", ns.peerV4())
        .containsEntry("fd00:200::/64", ns.peerV6());
    assertThat(BirdProcess.await(WAIT, () -> birdHas("10.100.1.0/26") && birdHas("fd00:100::/122")))
        .as("BIRD has our routes: %s", bird.birdc("show route all")).isTrue();
    assertThat(bird.birdc("show route 10.100.1.0/26 all")).contains("BGP.next_hop: " + ns.ourV4());
    // BIRD asks for our routes again (ROUTE-REFRESH): still there afterwards, the session untouched
    assertThat(bird.birdc("reload in ours")).doesNotContain("rror");
    Thread.sleep(300);
    assertThat(birdHas("10.100.1.0/26")).isTrue();
    assertThat(established()).isTrue();

    // we withdraw one of ours; BIRD withdraws its IPv4 routes
    ours.setLocalRoutes(Set.of(Prefix.parse("fd00:100::/122")));
    assertThat(BirdProcess.await(WAIT, () -> !birdHas("10.100.1.0/26"))).isTrue();
    assertThat(birdHas("fd00:100::/122")).isTrue();
    bird.birdc("disable s4");
    assertThat(BirdProcess.await(WAIT, () -> learned.routes.size() == 1)).as("left %s", learned.routes).isTrue();
    assertThat(learned.routes).containsOnlyKeys("fd00:200::/64");
    assertThat(ours.call(() -> ours.ribUnsafe().locRib().size())).isEqualTo(2); // fd00:200::/64 and our fd00:100::/122
  }

  @Test
  void birdConnectsToUsWhenWeArePassive() throws Exception {
    bird = BirdProcess.start(birdConfig(birdPort, ourPort, false, List.of("10.200.1.0/24"), List.of(), 9), ns.name());
    ours = BgpSpeaker.start(settings(ourPort, 9), learned);
    ours.setLocalRoutes(Set.of(Prefix.parse("10.100.7.0/26")));
    ours.setPeers(List.of(birdPeer(true)));
    assertThat(BirdProcess.await(WAIT, this::established)).as("BIRD log:\n%s", bird.log()).isTrue();
    assertThat(BirdProcess.await(WAIT, () -> learned.routes.containsKey("10.200.1.0/24"))).isTrue();
    assertThat(BirdProcess.await(WAIT, () -> birdHas("10.100.7.0/26"))).isTrue();
    assertThat(ours.status().get(0).state()).isEqualTo("Established");
  }

  @Test
  void holdTimerExpiryWithdrawsThePeersRoutes() throws Exception {
    bird = BirdProcess.start(birdConfig(birdPort, ourPort, true, List.of("10.200.1.0/24"), List.of(), 3), ns.name());
    ours = BgpSpeaker.start(settings(ourPort, 3), learned);
    ours.setPeers(List.of(birdPeer(false)));
    assertThat(BirdProcess.await(WAIT, () -> learned.routes.containsKey("10.200.1.0/24"))).isTrue();
    bird.pause(); // BIRD stops sending KEEPALIVEs; the TCP connection stays open
    try {
      long t0 = System.nanoTime();
      assertThat(BirdProcess.await(Duration.ofSeconds(10), () -> learned.routes.isEmpty())).isTrue();
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertThat(ms).as("withdrawn after the 3 s hold time").isBetween(1000L, 6000L);
      assertThat(ours.status().get(0).lastError()).contains("Hold timer expired");
    } finally {
      bird.resume();
    }
    assertThat(BirdProcess.await(WAIT, () -> learned.routes.containsKey("10.200.1.0/24"))).as("session comes back")
        .isTrue();
  }

  @Test
  void gracefulRestartKeepsRoutesUntilEndOfRib() throws Exception {
    String cfg1 = birdConfig(birdPort, ourPort, true, List.of("10.200.1.0/24", "10.200.9.0/24"), List.of(), 9);
    bird = BirdProcess.start(cfg1, ns.name());
    ours = BgpSpeaker.start(settings(ourPort, 9), learned);
    ours.setPeers(List.of(birdPeer(false)));
    assertThat(BirdProcess.await(WAIT, () -> learned.routes.size() == 2)).isTrue();
    bird.kill();
    bird.close();
    bird = null;
    Thread.sleep(1500);
    assertThat(established()).isFalse();
    assertThat(learned.routes).as("kept while the peer restarts").containsKeys("10.200.1.0/24", "10.200.9.0/24");
    // BIRD comes back with one route fewer and one more: after its End-of-RIB the missing one goes
    bird = BirdProcess.start(birdConfig(birdPort, ourPort, true, List.of("10.200.1.0/24", "10.200.3.0/24"),
        List.of(), 9), ns.name());
    assertThat(BirdProcess.await(WAIT, () -> learned.routes.containsKey("10.200.3.0/24")
        && !learned.routes.containsKey("10.200.9.0/24"))).as("after End-of-RIB: %s", learned.routes).isTrue();
    assertThat(learned.routes).containsOnlyKeys("10.200.1.0/24", "10.200.3.0/24");
  }
}
