package org.calicoledger.felix.calc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.calicoledger.felix.calc.CalcEvents.block;
import static org.calicoledger.felix.calc.CalcEvents.endpoint;
import static org.calicoledger.felix.calc.CalcEvents.node;
import static org.calicoledger.felix.calc.CalcEvents.pool;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.calicoledger.events.image.ClusterImage;
import org.calicoledger.felix.FelixContext;
import org.junit.jupiter.api.Test;

/**
 * Route shapes per pool mode and backend, tunnel devices, and the learned-routes bus. Topology: node {@code a}
 * (this node, 10.10.1.2/24), {@code b} in the same subnet (10.10.1.3), {@code c} behind a router (10.10.2.2/24);
 * each has one block of 10.20.0.0/16; {@code a} runs one workload on {@code cali1}.
 */
class CalcGraphTest {
  static final String MAC_A = "66:00:00:00:00:0a";
  static final String MAC_B = "66:00:00:00:00:0b";
  static final String MAC_C = "66:00:00:00:00:0c";

  static List<CalcEvents.Event> cluster(String ipip, String vxlan) {
    List<CalcEvents.Event> e = new ArrayList<>();
    e.add(pool("p", "10.20.0.0/16", ipip, vxlan));
    e.add(node("a", "10.10.1.2/24", "10.20.1.0", MAC_A, "10.20.1.1"));
    e.add(node("b", "10.10.1.3/24", "10.20.2.0", MAC_B, "10.20.2.1"));
    e.add(node("c", "10.10.2.2/24", "10.20.3.0", MAC_C, "10.20.3.1"));
    e.add(block("10.20.1.0/26", "a"));
    e.add(block("10.20.2.0/26", "b"));
    e.add(block("10.20.3.0/26", "c"));
    e.add(endpoint("pod1", "a", "cali1", "10.20.1.5"));
    e.add(endpoint("pod2", "b", "cali2", "10.20.2.5"));
    return e;
  }

  static DesiredDataplane desired(String backend, List<CalcEvents.Event> events, LearnedRoutes learned) {
    return new CalcGraph(CalcEvents.ctx("a", backend, learned)).update(CalcEvents.image(events));
  }

  @Test
  void vxlanAlwaysRoutesEveryRemoteBlockThroughTheTunnelWithNeighbourAndFdb() {
    DesiredDataplane d = desired("vxlan", cluster("Never", "Always"), null);
    assertThat(d.routes()).containsExactlyInAnyOrderEntriesOf(Map.of(
        "10.20.1.5/32", Route.local("10.20.1.5/32", "cali1"),
        "10.20.1.0/26", Route.blackhole("10.20.1.0/26"),
        "10.20.2.0/26", Route.tunnel("10.20.2.0/26", "10.20.2.0", "vxlan.calico"),
        "10.20.3.0/26", Route.tunnel("10.20.3.0/26", "10.20.3.0", "vxlan.calico")));
    assertThat(d.neighbours()).isEqualTo(Map.of("10.20.2.0", MAC_B, "10.20.3.0", MAC_C));
    assertThat(d.fdb()).isEqualTo(Map.of(MAC_B, "10.10.1.3", MAC_C, "10.10.2.2"));
    assertThat(d.vxlan()).isEqualTo(new VxlanDevice("10.20.1.0", MAC_A, 4096, 4789, "10.10.1.2", 1450));
    assertThat(d.ipip()).isNull();
    assertThat(d.endpoints()).isEqualTo(Map.of("cali1", List.of("10.20.1.5/32")));
    assertThat(Route.tunnel("10.20.2.0/26", "10.20.2.0", "vxlan.calico").replaceCommand(80))
        .isEqualTo("route replace 10.20.2.0/26 via 10.20.2.0 dev vxlan.calico onlink proto 80");
  }

  @Test
  void vxlanCrossSubnetIsDirectInsideTheSubnetAndTunnelledAcrossIt() {
    DesiredDataplane d = desired("vxlan", cluster("Never", "CrossSubnet"), null);
    assertThat(d.routes().get("10.20.2.0/26")).isEqualTo(Route.direct("10.20.2.0/26", "10.10.1.3"));
    assertThat(d.routes().get("10.20.3.0/26")).isEqualTo(Route.tunnel("10.20.3.0/26", "10.20.3.0", "vxlan.calico"));
    assertThat(d.neighbours()).isEqualTo(Map.of("10.20.3.0", MAC_C));
    assertThat(d.fdb()).isEqualTo(Map.of(MAC_C, "10.10.2.2"));
    assertThat(Route.direct("10.20.2.0/26", "10.10.1.3").replaceCommand(80))
        .isEqualTo("route replace 10.20.2.0/26 via 10.10.1.3 proto 80");
  }

  @Test
  void vxlanCrossSubnetIsFelixsInTheBgpBackendsToo() {
    // BIRD's kernel filter rejects every route of a VXLAN pool, so with bird (and builtin) Felix routes the in-subnet
    // blocks of a CrossSubnet pool directly from their affinities, learned routes or not.
    for (String backend : List.of("bird", "builtin")) {
      DesiredDataplane d = desired(backend, cluster("Never", "CrossSubnet"), new LearnedRoutes());
      assertThat(d.routes().get("10.20.2.0/26")).as(backend).isEqualTo(Route.direct("10.20.2.0/26", "10.10.1.3"));
      assertThat(d.routes().get("10.20.3.0/26")).as(backend)
          .isEqualTo(Route.tunnel("10.20.3.0/26", "10.20.3.0", "vxlan.calico"));
    }
    DesiredDataplane never = desired("bird", cluster("Never", "Never"), new LearnedRoutes());
    assertThat(never.routes()).as("a Never pool's routes stay BIRD's").doesNotContainKeys("10.20.2.0/26", "10.20.3.0/26");
  }

  @Test
  void neverIsDirectInsideTheSubnetAndLeftToTheUnderlayAcrossIt() {
    DesiredDataplane d = desired("vxlan", cluster("Never", "Never"), null);
    assertThat(d.routes().get("10.20.2.0/26")).isEqualTo(Route.direct("10.20.2.0/26", "10.10.1.3"));
    assertThat(d.routes()).doesNotContainKey("10.20.3.0/26");
    assertThat(d.notes()).anyMatch(n -> n.contains("10.20.3.0/26") && n.contains("outside 10.10.1.0/24"));
    assertThat(d.vxlan()).isNull();
    assertThat(d.neighbours()).isEmpty();
  }

  @Test
  void ipipAlwaysRoutesThroughTunl0OnlinkToTheNodeAddress() {
    DesiredDataplane d = desired("vxlan", cluster("Always", "Never"), null);
    assertThat(d.routes().get("10.20.2.0/26")).isEqualTo(Route.tunnel("10.20.2.0/26", "10.10.1.3", "tunl0"));
    assertThat(d.routes().get("10.20.3.0/26")).isEqualTo(Route.tunnel("10.20.3.0/26", "10.10.2.2", "tunl0"));
    assertThat(d.ipip()).isEqualTo(new IpipDevice("10.20.1.1", 1480));
    assertThat(d.routes().get("10.20.3.0/26").replaceCommand(80))
        .isEqualTo("route replace 10.20.3.0/26 via 10.10.2.2 dev tunl0 onlink proto 80");
  }

  @Test
  void bgpBackendsProgramLearnedRoutesPerPoolModeAndNothingFromAffinitiesButVxlan() {
    LearnedRoutes learned = new LearnedRoutes();
    DesiredDataplane none = desired("builtin", cluster("Always", "Never"), learned);
    assertThat(none.routes()).containsOnlyKeys("10.20.1.5/32", "10.20.1.0/26");
    DesiredDataplane bird = desired("bird", cluster("Always", "Never"), learned);
    assertThat(bird.routes()).as("with bird, BIRD programs the blackholes").containsOnlyKeys("10.20.1.5/32");
    learned.announce("10.20.2.0/26", "10.10.1.3");
    learned.announce("10.20.3.0/26", "10.10.2.2");
    learned.announce("10.20.1.0/26", "10.10.1.3"); // our own block, learned back: the blackhole stays
    DesiredDataplane always = desired("builtin", cluster("Always", "Never"), learned);
    assertThat(always.routes().get("10.20.2.0/26")).isEqualTo(Route.tunnel("10.20.2.0/26", "10.10.1.3", "tunl0"));
    assertThat(always.routes().get("10.20.3.0/26")).isEqualTo(Route.tunnel("10.20.3.0/26", "10.10.2.2", "tunl0"));
    assertThat(always.routes().get("10.20.1.0/26")).isEqualTo(Route.blackhole("10.20.1.0/26"));
    DesiredDataplane cross = desired("builtin", cluster("CrossSubnet", "Never"), learned);
    assertThat(cross.routes().get("10.20.2.0/26")).isEqualTo(Route.direct("10.20.2.0/26", "10.10.1.3"));
    assertThat(cross.routes().get("10.20.3.0/26")).isEqualTo(Route.tunnel("10.20.3.0/26", "10.10.2.2", "tunl0"));
    DesiredDataplane never = desired("builtin", cluster("Never", "Never"), learned);
    assertThat(never.routes().get("10.20.2.0/26")).isEqualTo(Route.direct("10.20.2.0/26", "10.10.1.3"));
    assertThat(never.routes()).doesNotContainKey("10.20.3.0/26");
    learned.withdraw("10.20.2.0/26");
    assertThat(desired("builtin", cluster("Always", "Never"), learned).routes()).doesNotContainKey("10.20.2.0/26");
  }

  @Test
  void aGraphNoticesLearnedRoutesWithoutANewImage() {
    LearnedRoutes learned = new LearnedRoutes();
    CalcGraph g = new CalcGraph(CalcEvents.ctx("a", "builtin", learned));
    ClusterImage img = CalcEvents.image(cluster("Always", "Never"));
    DesiredDataplane before = g.update(img);
    assertThat(g.update(img)).isSameAs(before);
    int[] woken = {0};
    learned.onChange(() -> woken[0]++);
    learned.announce("10.20.2.0/26", "10.10.1.3");
    learned.announce("10.20.2.0/26", "10.10.1.3"); // same again: no change, no wake
    assertThat(woken[0]).isEqualTo(1);
    assertThat(g.update(img).routes()).containsKey("10.20.2.0/26");
  }

  @Test
  void aRemoteNodeWithoutAVtepMacHasNoVxlanRouteYet() {
    List<CalcEvents.Event> e = cluster("Never", "Always");
    e.add(node("c", "10.10.2.2/24", "10.20.3.0", null, null));
    DesiredDataplane d = desired("vxlan", e, null);
    assertThat(d.routes()).doesNotContainKey("10.20.3.0/26");
    assertThat(d.notes()).anyMatch(n -> n.contains("VTEP MAC"));
    assertThat(d.fdb()).doesNotContainKey(MAC_C);
  }

  @Test
  void theVxlanDeviceFollowsFelixConfigurationAndEnvironment() {
    List<CalcEvents.Event> e = cluster("Never", "Always");
    e.add(new CalcEvents.Event(CalcEvents.RES + "felixconfigurations/default", "{\"kind\":\"FelixConfiguration\","
        + "\"apiVersion\":\"projectcalico.org/v3\",\"metadata\":{\"name\":\"default\"},\"spec\":{\"vxlanVNI\":5000,"
        + "\"vxlanMTU\":1400,\"routeRefreshInterval\":\"2s\"}}"));
    e.add(new CalcEvents.Event(CalcEvents.RES + "felixconfigurations/node.a", "{\"kind\":\"FelixConfiguration\","
        + "\"apiVersion\":\"projectcalico.org/v3\",\"metadata\":{\"name\":\"node.a\"},\"spec\":{\"vxlanMTU\":1300}}"));
    ClusterImage img = CalcEvents.image(e);
    assertThat(new CalcGraph(CalcEvents.ctx("a", "vxlan", null)).update(img).vxlan())
        .isEqualTo(new VxlanDevice("10.20.1.0", MAC_A, 5000, 4789, "10.10.1.2", 1300));
    FelixContext env = new FelixContext("a", Map.of("vxlanvni", "6000", "routerefreshinterval", "0.5"), null, null,
        "test", "vxlan", null);
    assertThat(new CalcGraph(env).update(img).vxlan().vni()).isEqualTo(6000);
    assertThat(org.calicoledger.felix.FelixSettings.of(img, "a", env.envOverrides()).routeRefreshInterval())
        .hasMillis(500);
    assertThat(org.calicoledger.felix.FelixSettings.of(img, "a", Map.of()).routeRefreshInterval()).hasSeconds(2);
    FelixContext bad = new FelixContext("a", Map.of("vxlanvni", "lots"), null, null, "test", "vxlan", null);
    assertThatThrownBy(() -> org.calicoledger.felix.FelixSettings.of(img, "a", bad.envOverrides()))
        .hasMessageContaining("FELIX_VXLANVNI='lots'").hasMessageContaining("whole number");
    DesiredDataplane kept = new CalcGraph(bad).update(img);
    assertThat(kept.vxlan().vni()).isEqualTo(4096);
    assertThat(kept.notes()).anyMatch(n -> n.contains("FELIX_VXLANVNI"));
  }

  @Test
  void learnedRoutesRefuseBadInputNamingTheValue() {
    LearnedRoutes l = new LearnedRoutes();
    assertThatThrownBy(() -> l.announce("10.0.0.0/33", "10.1.1.1")).hasMessageContaining("10.0.0.0/33");
    assertThatThrownBy(() -> l.announce("10.0.0.0/24", "nope")).hasMessageContaining("'nope'");
    assertThatThrownBy(() -> l.announce("10.0.0.0/24", "fd00::1")).hasMessageContaining("not IPv4");
    l.announce("10.0.0.7/24", "10.1.1.1");
    assertThat(l.snapshot()).isEqualTo(Map.of("10.0.0.0/24", "10.1.1.1"));
    l.withdraw("10.0.0.0/24");
    assertThat(l.snapshot()).isEmpty();
    assertThat(l.version()).isEqualTo(2);
  }

  @Test
  void theFastAddressParserAgreesWithTheGeneralOne() {
    assertThat(LocalEndpointResolver.hostRoute("10.0.0.5/32")).isEqualTo("10.0.0.5/32");
    assertThat(LocalEndpointResolver.hostRoute("10.0.0.5")).isEqualTo("10.0.0.5/32");
    assertThat(LocalEndpointResolver.hostRoute("0.0.0.0/32")).isEqualTo("0.0.0.0/32");
    for (String bad : new String[] {"10.0.0.256/32", "10.0.0/32", "10.0.0.5/24", "10.00.0.5", "1.2.3.4.5", "fd00::1/128",
        "a.b.c.d", "10..0.5", ""}) {
      assertThat(LocalEndpointResolver.hostRoute(bad)).as(bad).isNull();
    }
  }

  @Test
  void endpointsFollowAddsMovesAndDeletesOneAtATime() {
    CalcGraph g = new CalcGraph(CalcEvents.ctx("a", "vxlan", null));
    List<CalcEvents.Event> base = cluster("Never", "Always");
    ClusterImage img = CalcEvents.image(base);
    g.update(img);
    img = CalcEvents.apply(img, List.of(endpoint("pod3", "a", "cali3", "10.20.1.9")));
    assertThat(g.update(img).routes()).containsEntry("10.20.1.9/32", Route.local("10.20.1.9/32", "cali3"));
    img = CalcEvents.apply(img, List.of(endpoint("pod3", "a", "cali4", "10.20.1.10")));
    DesiredDataplane d = g.update(img);
    assertThat(d.routes()).doesNotContainKey("10.20.1.9/32")
        .containsEntry("10.20.1.10/32", Route.local("10.20.1.10/32", "cali4"));
    assertThat(d.endpoints()).doesNotContainKey("cali3").containsKey("cali4");
    img = CalcEvents.apply(img, List.of(CalcEvents.delete(CalcEvents.RES + "workloadendpoints/default/pod3"),
        endpoint("pod5", "a", "cali1", "10.20.1.11")));
    d = g.update(img);
    assertThat(d.routes()).doesNotContainKey("10.20.1.10/32").containsKey("10.20.1.11/32");
    assertThat(d.endpoints().get("cali1")).containsExactly("10.20.1.11/32", "10.20.1.5/32");
    assertThat(d).isEqualTo(new CalcGraph(CalcEvents.ctx("a", "vxlan", null)).update(img));
  }
}
