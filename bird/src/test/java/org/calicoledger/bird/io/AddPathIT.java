package org.calicoledger.bird.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.calicoledger.bird.rib.LocRib;
import org.calicoledger.bird.rib.RibPeer;
import org.calicoledger.bird.rib.Route;
import org.calicoledger.bird.testing.BirdProcess;
import org.calicoledger.bird.testing.PeerNamespace;
import org.calicoledger.bird.wire.Prefix;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * ADD-PATH (RFC 7911) against real BIRD 2 configured with {@code add paths tx}: BIRD holds two routes to one prefix
 * (two static protocols, told apart by local preference) and, since our OPEN offers to receive several paths, sends
 * both with their path ids. They must arrive as two Adj-RIB-In entries of that one peer; the Loc-RIB takes the better
 * one; BIRD withdrawing one path (its static protocol disabled) leaves the other, and the route stays.
 */
class AddPathIT {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final Prefix P = Prefix.parse("10.210.5.0/24");
  private static final Prefix P6 = Prefix.parse("fd00:210::/64");
  private PeerNamespace ns;
  private BirdProcess bird;
  private BgpSpeaker ours;
  private final RecordingListener learned = new RecordingListener();

  @BeforeEach
  void namespace() throws Exception {
    ns = PeerNamespace.create();
  }

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

  private String birdConfig(String addPaths) {
    return "log stderr all;\nrouter id " + ns.peerV4() + ";\nprotocol device { }\n"
        + "protocol static pathlow { ipv4 { import filter { bgp_local_pref = 100; accept; }; };"
        + " route " + P + " blackhole; }\n"
        + "protocol static pathhigh { ipv4 { import filter { bgp_local_pref = 200; accept; }; };"
        + " route " + P + " blackhole; }\n"
        + "protocol static pathlow6 { ipv6 { import filter { bgp_local_pref = 100; accept; }; };"
        + " route " + P6 + " blackhole; }\n"
        + "protocol static pathhigh6 { ipv6 { import filter { bgp_local_pref = 200; accept; }; };"
        + " route " + P6 + " blackhole; }\n"
        + "protocol bgp ours {\n  local " + ns.peerV4() + " port 179 as 64512;\n"
        + "  neighbor " + ns.ourV4() + " port 179 as 64512;\n"
        + "  hold time 9; keepalive time 3;\n"
        + "  connect retry time 1; connect delay time 1; error wait time 1, 2; direct; passive on;\n"
        + "  ipv4 { import all; export all; next hop self; add paths " + addPaths + "; };\n"
        + "  ipv6 { import all; export all; next hop address " + ns.peerV6() + "; add paths " + addPaths + "; };\n"
        + "}\n";
  }

  private void startBoth(String addPaths) throws Exception {
    bird = BirdProcess.start(birdConfig(addPaths), ns.name());
    ours = BgpSpeaker.start(new BgpSpeaker.Settings(ns.ourV4(), 179, 64512, Prefix.parse(ns.ourV4()).lo(), -1,
        ns.ourV4(), ns.ourV6(), Duration.ofSeconds(9), Duration.ofSeconds(1), 120), learned);
    ours.setPeers(List.of(new PeerConfig(ns.peerV4(), 179, 64512, "global", false, false, null, null)));
  }

  private List<Route> paths(Prefix p) {
    return ours.call(() -> {
      LocRib rib = ours.ribUnsafe().locRib();
      for (RibPeer peer : rib.peers()) {
        if (!peer.local()) {
          return List.copyOf(rib.adjIn(peer, p));
        }
      }
      return List.<Route>of();
    });
  }

  private long localPrefOfBest(Prefix p) {
    return ours.call(() -> ours.ribUnsafe().locRib().best(p).attributes().localPref());
  }

  @Test
  void twoPathsFromBirdAreTwoEntriesAndWithdrawingOneKeepsTheOther() throws Exception {
    startBoth("tx");
    assertThat(BirdProcess.await(WAIT, () -> paths(P).size() == 2 && paths(P6).size() == 2))
        .as("both paths of each prefix; ours: %s / %s; BIRD:\n%s\n%s", paths(P), paths(P6),
            bird.birdc("show protocols all ours"), bird.log())
        .isTrue();
    assertThat(paths(P)).extracting(Route::pathId).doesNotHaveDuplicates();
    assertThat(paths(P)).extracting(r -> r.attributes().localPref()).containsExactlyInAnyOrder(100L, 200L);
    assertThat(paths(P6)).extracting(r -> r.attributes().localPref()).containsExactlyInAnyOrder(100L, 200L);
    assertThat(localPrefOfBest(P)).isEqualTo(200);
    assertThat(learned.routes).containsEntry(P.toString(), ns.peerV4()).containsEntry(P6.toString(), ns.peerV6());

    bird.birdc("disable pathhigh"); // BIRD withdraws that path only (by its path id)
    bird.birdc("disable pathlow6");
    assertThat(BirdProcess.await(WAIT, () -> paths(P).size() == 1 && paths(P6).size() == 1))
        .as("one path left: %s / %s", paths(P), paths(P6)).isTrue();
    assertThat(paths(P).get(0).attributes().localPref()).isEqualTo(100);
    assertThat(paths(P6).get(0).attributes().localPref()).isEqualTo(200);
    assertThat(localPrefOfBest(P)).isEqualTo(100);
    assertThat(learned.routes).as("the route stays while a path is left").containsKeys(P.toString(), P6.toString());

    bird.birdc("disable pathlow");
    assertThat(BirdProcess.await(WAIT, () -> paths(P).isEmpty() && !learned.routes.containsKey(P.toString())))
        .isTrue();
    assertThat(learned.routes).containsKey(P6.toString());
    assertThat(ours.status().get(0).up()).as("the session stayed up throughout").isTrue();
  }

  @Test
  void withoutAddPathBirdSendsOnlyItsBestPath() throws Exception {
    startBoth("off");
    assertThat(BirdProcess.await(WAIT, () -> learned.routes.containsKey(P.toString()))).isTrue();
    Thread.sleep(500);
    assertThat(paths(P)).hasSize(1);
    assertThat(paths(P).get(0).pathId()).isZero();
    assertThat(localPrefOfBest(P)).isIn(100L, 200L); // BIRD ranks static routes by its own rules, not local pref
  }
}
