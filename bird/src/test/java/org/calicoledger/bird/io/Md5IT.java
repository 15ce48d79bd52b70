package org.calicoledger.bird.io;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.epoll.Epoll;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.calicoledger.bird.testing.BirdProcess;
import org.calicoledger.bird.testing.PeerNamespace;
import org.calicoledger.bird.wire.Prefix;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * TCP MD5 (RFC 2385) against real BIRD 2, which signs with the kernel's TCP_MD5SIG when its protocol has
 * {@code password}: the same secret comes up (we connect to a passive BIRD, and BIRD connects to a passive us, so both
 * the connecting socket's key and the listener's keys are used), a different secret never does, and two of our
 * speakers with a mesh password come up and exchange a route. Skips, saying why, only when Netty's epoll transport
 * (which carries TCP_MD5SIG) is not available.
 */
class Md5IT {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private PeerNamespace ns;
  private BirdProcess bird;
  private final List<BgpSpeaker> speakers = new ArrayList<>();
  private final List<String> loAddrs = new ArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    Assumptions.assumeTrue(Epoll.isAvailable(), () -> "Netty epoll transport unavailable: "
        + Epoll.unavailabilityCause());
    ns = PeerNamespace.create();
  }

  @AfterEach
  void cleanUp() throws Exception {
    speakers.forEach(BgpSpeaker::close);
    if (bird != null) {
      bird.close();
    }
    if (ns != null) {
      ns.close();
    }
    for (String a : loAddrs) {
      new ProcessBuilder("ip", "addr", "del", a + "/32", "dev", "lo").start().waitFor();
    }
  }

  private String birdConfig(String password, boolean passive) {
    return "log stderr all;\nrouter id " + ns.peerV4() + ";\nprotocol device { }\n"
        + "protocol static s4 { ipv4; route 10.200.1.0/24 blackhole; }\n"
        + "protocol bgp ours {\n  local " + ns.peerV4() + " as 64512;\n  neighbor " + ns.ourV4() + " as 64512;\n"
        + "  hold time 9; keepalive time 3; connect retry time 1; connect delay time 1; error wait time 1, 2;\n"
        + "  direct;\n  password \"" + password + "\";\n" + (passive ? "  passive on;\n" : "")
        + "  ipv4 { import all; export all; next hop self; };\n}\n";
  }

  private BgpSpeaker ours(RecordingListener l) throws Exception {
    BgpSpeaker s = BgpSpeaker.start(new BgpSpeaker.Settings(ns.ourV4(), 179, 64512, Prefix.parse(ns.ourV4()).lo(),
        -1, ns.ourV4(), null, Duration.ofSeconds(9), Duration.ofSeconds(1), 0), l);
    speakers.add(s);
    return s;
  }

  private static boolean up(BgpSpeaker s) {
    return s.status().stream().allMatch(PeerStatus::up);
  }

  @Test
  void sameSecretWithBirdComesUpWhoeverConnects() throws Exception {
    for (boolean weConnect : new boolean[] {true, false}) {
      bird = BirdProcess.start(birdConfig("s3cret-md5", weConnect), ns.name());
      RecordingListener learned = new RecordingListener();
      BgpSpeaker s = ours(learned);
      s.setPeers(List.of(new PeerConfig(ns.peerV4(), 179, 64512, "global", !weConnect, false, "s3cret-md5", null)));
      assertThat(BirdProcess.await(WAIT, () -> up(s))).as("we connect %s: session up; ours %s; BIRD log:\n%s",
          weConnect, s.status(), bird.log()).isTrue();
      assertThat(BirdProcess.await(WAIT, () -> learned.routes.containsKey("10.200.1.0/24"))).isTrue();
      assertThat(bird.birdc("show protocols ours")).contains("Established");
      s.close();
      speakers.remove(s);
      bird.close();
      bird = null;
    }
  }

  @Test
  void differentSecretNeverComesUp() throws Exception {
    bird = BirdProcess.start(birdConfig("bird-secret", false), ns.name());
    BgpSpeaker s = ours(new RecordingListener());
    s.setPeers(List.of(new PeerConfig(ns.peerV4(), 179, 64512, "global", false, false, "our-secret", null)));
    long end = System.nanoTime() + Duration.ofSeconds(8).toNanos();
    int checks = 0;
    while (System.nanoTime() < end) {
      assertThat(s.status().get(0).state()).isNotIn("Established", "OpenConfirm");
      assertThat(bird.birdc("show protocols ours")).doesNotContain("Established");
      checks++;
      Thread.sleep(100);
    }
    assertThat(checks).isGreaterThan(10);
    // and no password on our side against BIRD's password: not either
    s.setPeers(List.of(new PeerConfig(ns.peerV4(), 179, 64512, "global", false, false, null, null)));
    end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (System.nanoTime() < end) {
      assertThat(s.status().get(0).state()).isNotIn("Established", "OpenConfirm");
      Thread.sleep(100);
    }
    // the control: the right secret comes up on the same BIRD
    s.setPeers(List.of(new PeerConfig(ns.peerV4(), 179, 64512, "global", false, false, "bird-secret", null)));
    assertThat(BirdProcess.await(WAIT, () -> up(s))).as("right secret: %s; BIRD log:\n%s", s.status(), bird.log())
        .isTrue();
  }

  @Test
  void twoOfOursWithAMeshPassword() throws Exception {
    String a = "10.97.1.1";
    String b = "10.97.1.2";
    for (String x : List.of(a, b)) {
      PeerNamespace.must("ip", "addr", "add", x + "/32", "dev", "lo");
      loAddrs.add(x);
    }
    RecordingListener atB = new RecordingListener();
    BgpSpeaker sa = BgpSpeaker.start(new BgpSpeaker.Settings(a, 179, 64512, Prefix.parse(a).lo(), -1, a, null,
        Duration.ofSeconds(9), Duration.ofSeconds(1), 0), new RecordingListener());
    speakers.add(sa);
    BgpSpeaker sb = BgpSpeaker.start(new BgpSpeaker.Settings(b, 179, 64512, Prefix.parse(b).lo(), -1, b, null,
        Duration.ofSeconds(9), Duration.ofSeconds(1), 0), atB);
    speakers.add(sb);
    sa.setPeers(List.of(new PeerConfig(b, 179, 64512, "node-to-node mesh", true, false, "mesh-pw", null)));
    sb.setPeers(List.of(new PeerConfig(a, 179, 64512, "node-to-node mesh", false, false, "mesh-pw", null)));
    sa.setLocalRoutes(Set.of(Prefix.parse("172.16.9.0/26")));
    assertThat(BirdProcess.await(WAIT, () -> up(sa) && up(sb))).as("%s %s", sa.status(), sb.status()).isTrue();
    assertThat(BirdProcess.await(WAIT, () -> atB.routes.containsKey("172.16.9.0/26"))).isTrue();
  }
}
