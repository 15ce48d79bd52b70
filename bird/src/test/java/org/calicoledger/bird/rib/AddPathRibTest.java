package org.calicoledger.bird.rib;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.calicoledger.bird.wire.BgpMessage;
import org.calicoledger.bird.wire.Family;
import org.calicoledger.bird.wire.PathAttribute;
import org.calicoledger.bird.wire.Prefix;
import org.junit.jupiter.api.Test;

/**
 * RFC 7911 in the RIB: a peer's paths are keyed by (prefix, path id); several paths of one peer to one prefix are
 * separate Adj-RIB-In entries, the Loc-RIB picks the best of them, and withdrawing one path leaves the others.
 */
class AddPathRibTest {
  final RecordingListener listener = new RecordingListener();
  final Map<String, String> learned = listener.learned;
  final RibProcessor rib = new RibProcessor(new ExportPolicy(64512, 1, -1), listener);
  final RibPeer a = new RibPeer("10.0.0.2", Prefix.parse("10.0.0.2"), 2, 64512, false, false);
  final RibPeer b = new RibPeer("10.0.0.3", Prefix.parse("10.0.0.3"), 3, 64512, false, false);
  static final Prefix P = Prefix.parse("10.9.0.0/24");

  static BgpMessage.Update path(String nh, long localPref, int id) {
    List<PathAttribute> attrs = new ArrayList<>(List.of(PathAttribute.Origin.IGP, PathAttribute.AsPath.EMPTY,
        new PathAttribute.NextHop(Prefix.parse(nh)), new PathAttribute.LocalPref(localPref)));
    return new BgpMessage.Update(List.of(), attrs, List.of(P), List.of(), List.of(), List.of(id));
  }

  static BgpMessage.Update withdraw(int id) {
    return new BgpMessage.Update(List.of(P), List.of(), List.of(), List.of(), List.of(id), List.of());
  }

  @Test
  void twoPathsOfOnePeerAreTwoEntriesAndWithdrawingOneKeepsTheOther() {
    rib.update(a, path("10.0.0.21", 100, 1), List.of());
    rib.update(a, path("10.0.0.22", 200, 2), List.of());
    LocRib loc = rib.locRib();
    assertThat(loc.adjInSize(a)).isEqualTo(2);
    assertThat(loc.adjIn(a, P)).extracting(Route::pathId).containsExactly(1, 2);
    assertThat(learned).containsEntry("10.9.0.0/24", "10.0.0.22/32"); // local pref 200 wins
    assertThat(loc.best(P).pathId()).isEqualTo(2);

    rib.update(a, withdraw(2), List.of());
    assertThat(loc.adjIn(a, P)).extracting(Route::pathId).containsExactly(1);
    assertThat(learned).containsEntry("10.9.0.0/24", "10.0.0.21/32");

    rib.update(a, withdraw(7), List.of()); // an id the peer never sent changes nothing
    assertThat(loc.adjInSize(a)).isEqualTo(1);

    rib.update(a, withdraw(1), List.of());
    assertThat(loc.adjInSize(a)).isZero();
    assertThat(learned).isEmpty();
  }

  @Test
  void aPathIdAnnouncedAgainReplacesOnlyThatPath() {
    rib.update(a, path("10.0.0.21", 300, 1), List.of());
    rib.update(a, path("10.0.0.22", 200, 2), List.of());
    assertThat(learned).containsEntry("10.9.0.0/24", "10.0.0.21/32");
    rib.update(a, path("10.0.0.23", 100, 1), List.of()); // path 1 gets worse: path 2 is now best
    assertThat(rib.locRib().adjIn(a, P)).hasSize(2);
    assertThat(learned).containsEntry("10.9.0.0/24", "10.0.0.22/32");
  }

  @Test
  void pathsOfOnePeerCompeteWithOtherPeersAndTiesGoToTheLowerId() {
    rib.update(a, path("10.0.0.21", 100, 9), List.of());
    rib.update(a, path("10.0.0.22", 100, 4), List.of());
    assertThat(rib.locRib().best(P).pathId()).isEqualTo(4);
    rib.update(b, path("10.0.0.3", 150, 1), List.of());
    assertThat(learned).containsEntry("10.9.0.0/24", "10.0.0.3/32");
    rib.peerDown(b, false);
    assertThat(learned).containsEntry("10.9.0.0/24", "10.0.0.22/32");
  }

  @Test
  void gracefulRestartPurgesOnlyThePathsNotSentAgain() {
    rib.update(a, path("10.0.0.21", 100, 1), List.of());
    rib.update(a, path("10.0.0.22", 200, 2), List.of());
    rib.peerDown(a, true);
    assertThat(rib.locRib().staleCount(a)).isEqualTo(2);
    rib.update(a, path("10.0.0.21", 100, 1), List.of());
    rib.purgeStale(a, Family.IPV4_UNICAST);
    assertThat(rib.locRib().adjIn(a, P)).extracting(Route::pathId).containsExactly(1);
    assertThat(rib.locRib().staleCount(a)).isZero();
    assertThat(learned).containsEntry("10.9.0.0/24", "10.0.0.21/32");
  }
}
