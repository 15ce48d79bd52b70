package org.calicoledger.bird.rib;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.calicoledger.bird.fsm.FsmAction;
import org.calicoledger.bird.fsm.FsmEvent;
import org.calicoledger.bird.fsm.SessionConfig;
import org.calicoledger.bird.fsm.SessionFsm;
import org.calicoledger.bird.wire.BgpMessage;
import org.calicoledger.bird.wire.Family;
import org.calicoledger.bird.wire.PathAttribute;
import org.calicoledger.bird.wire.Prefix;
import org.junit.jupiter.api.Test;

class RibProcessorTest {
  final RecordingListener listener = new RecordingListener();
  final Map<String, String> learned = listener.learned;
  final RibProcessor rib = new RibProcessor(new ExportPolicy(64512, 1, -1), listener);
  final RibPeer a = new RibPeer("10.0.0.2", Prefix.parse("10.0.0.2"), 2, 64512, false, false);
  final RibPeer b = new RibPeer("10.0.0.3", Prefix.parse("10.0.0.3"), 3, 64512, false, false);

  static BgpMessage.Update announce(String nh, long localPref, int pathLen, String... prefixes) {
    List<Long> path = new ArrayList<>();
    for (int i = 0; i < pathLen; i++) {
      path.add(65000L + i);
    }
    List<PathAttribute> attrs = new ArrayList<>(List.of(PathAttribute.Origin.IGP,
        pathLen == 0 ? PathAttribute.AsPath.EMPTY
            : new PathAttribute.AsPath(List.of(new PathAttribute.AsPath.Segment(2, path))),
        new PathAttribute.NextHop(Prefix.parse(nh)), new PathAttribute.LocalPref(localPref)));
    return new BgpMessage.Update(List.of(), attrs, Stream.of(prefixes).map(Prefix::parse).toList());
  }

  private static final class Stream {
    static java.util.stream.Stream<String> of(String... s) {
      return java.util.Arrays.stream(s);
    }
  }

  @Test
  void holdTimerExpiryWithdrawsThePeersRoutes() {
    SessionFsm fsm = new SessionFsm(new SessionConfig(64512, 1, 64512, Duration.ofSeconds(3), Duration.ofSeconds(5),
        false, List.of(Family.IPV4_UNICAST), 0));
    fsm.handle(new FsmEvent.Start(), 0);
    fsm.handle(new FsmEvent.TcpConnected(), 0);
    fsm.handle(new FsmEvent.OpenReceived(new BgpMessage.Open(4, 64512, 3, 2, List.of())), 0);
    fsm.handle(new FsmEvent.KeepaliveReceived(), 0);
    rib.update(a, announce("10.0.0.2", 100, 0, "10.1.0.0/26", "10.1.0.64/26"), List.of());
    assertThat(learned).containsOnlyKeys("10.1.0.0/26", "10.1.0.64/26");
    for (FsmAction act : fsm.tick(3_000_000_000L)) {
      if (act instanceof FsmAction.Down d) {
        rib.peerDown(a, d.retainForRestart());
      }
    }
    assertThat(fsm.state()).isEqualTo(SessionFsm.State.IDLE);
    assertThat(learned).isEmpty();
    assertThat(rib.locRib().size()).isZero();
  }

  @Test
  void decisionPrefersLocalPrefThenShorterPathThenLowerRouterId() {
    rib.update(a, announce("10.0.0.2", 100, 2, "10.9.0.0/24"), List.of());
    rib.update(b, announce("10.0.0.3", 200, 3, "10.9.0.0/24"), List.of());
    assertThat(learned).containsEntry("10.9.0.0/24", "10.0.0.3/32");
    rib.update(b, announce("10.0.0.3", 100, 3, "10.9.0.0/24"), List.of());
    assertThat(learned).containsEntry("10.9.0.0/24", "10.0.0.2/32");
    rib.update(b, announce("10.0.0.3", 100, 2, "10.9.0.0/24"), List.of());
    assertThat(learned).containsEntry("10.9.0.0/24", "10.0.0.2/32"); // tie down to router ID 2 < 3
    rib.peerDown(a, false);
    assertThat(learned).containsEntry("10.9.0.0/24", "10.0.0.3/32");
  }

  @Test
  void gracefulRestartKeepsStaleRoutesUntilEndOfRib() {
    rib.update(a, announce("10.0.0.2", 100, 0, "10.1.0.0/26", "10.1.0.64/26"), List.of());
    rib.peerDown(a, true);
    assertThat(learned).containsOnlyKeys("10.1.0.0/26", "10.1.0.64/26");
    assertThat(rib.locRib().staleCount(a)).isEqualTo(2);
    rib.update(a, announce("10.0.0.2", 100, 0, "10.1.0.0/26"), List.of());
    rib.purgeStale(a, Family.IPV4_UNICAST);
    assertThat(learned).containsOnlyKeys("10.1.0.0/26");
    assertThat(rib.locRib().staleCount(a)).isZero();
  }

  @Test
  void localRoutesGoToPeersWithOurNextHopAndIbgpRoutesAreNotReflected() {
    List<BgpMessage> toA = new ArrayList<>();
    List<BgpMessage> toB = new ArrayList<>();
    rib.peerUp(a, Set.of(Family.IPV4_UNICAST), Prefix.parse("10.0.0.1"), null, toA::add);
    rib.peerUp(b, Set.of(Family.IPV4_UNICAST), Prefix.parse("10.0.0.1"), null, toB::add);
    assertThat(toA).containsExactly(BgpMessage.Update.endOfRib(Family.IPV4_UNICAST));
    rib.setLocal(Set.of(Prefix.parse("10.5.0.0/26")));
    assertThat(rib.adjRibOut(a)).containsOnlyKeys(Prefix.parse("10.5.0.0/26"));
    assertThat(rib.adjRibOut(a).get(Prefix.parse("10.5.0.0/26")).nextHop()).isEqualTo(Prefix.parse("10.0.0.1"));
    rib.update(a, announce("10.0.0.2", 100, 0, "10.1.0.0/26"), List.of());
    assertThat(rib.adjRibOut(b)).doesNotContainKey(Prefix.parse("10.1.0.0/26"));
    rib.setLocal(Set.of());
    assertThat(rib.adjRibOut(b)).isEmpty();
    assertThat(toB.get(toB.size() - 1)).isEqualTo(new BgpMessage.Update(List.of(Prefix.parse("10.5.0.0/26")),
        List.of(), List.of()));
  }

  @Test
  void learnedRoutesGoToEbgpPeersOnlyInsideTheExportFilter() {
    RibPeer tor = new RibPeer("10.0.0.254", Prefix.parse("10.0.0.254"), 254, 65000, true, false);
    rib.peerUp(tor, Set.of(Family.IPV4_UNICAST), Prefix.parse("10.0.0.1"), null, m -> { });
    rib.update(a, announce("10.0.0.2", 100, 0, "10.1.0.0/26", "172.16.0.0/24"), List.of());
    assertThat(rib.adjRibOut(tor)).containsOnlyKeys(Prefix.parse("10.1.0.0/26"), Prefix.parse("172.16.0.0/24"));
    assertThat(rib.adjRibOut(tor).get(Prefix.parse("10.1.0.0/26")).asPath().firstAs()).isEqualTo(64512);
    rib.setLearnedExportFilter(p -> Prefix.parse("10.0.0.0/8").contains(p));
    assertThat(rib.adjRibOut(tor)).containsOnlyKeys(Prefix.parse("10.1.0.0/26"));
  }

  @Test
  void aRouteReflectorReflectsClientRoutesWithOriginatorAndClusterList() {
    RibProcessor rr = new RibProcessor(new ExportPolicy(64512, 1, 0x01020304L), listener);
    RibPeer client = new RibPeer("10.0.0.2", Prefix.parse("10.0.0.2"), 2, 64512, false, true);
    RibPeer other = new RibPeer("10.0.0.3", Prefix.parse("10.0.0.3"), 3, 64512, false, true);
    rr.peerUp(other, Set.of(Family.IPV4_UNICAST), Prefix.parse("10.0.0.1"), null, m -> { });
    rr.update(client, announce("10.0.0.2", 100, 0, "10.1.0.0/26"), List.of());
    RouteAttributes sent = rr.adjRibOut(other).get(Prefix.parse("10.1.0.0/26"));
    assertThat(sent.originatorId()).isEqualTo(2);
    assertThat(sent.clusterList()).containsExactly(0x01020304L);
    assertThat(sent.nextHop()).isEqualTo(Prefix.parse("10.0.0.2"));
  }
}
