package org.calicoledger.felix.dataplane.routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.calicoledger.felix.calc.CalcEvents.block;
import static org.calicoledger.felix.calc.CalcEvents.endpoint;
import static org.calicoledger.felix.calc.CalcEvents.node;
import static org.calicoledger.felix.calc.CalcEvents.pool;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.calicoledger.events.image.ClusterImage;
import org.calicoledger.felix.FelixContext;
import org.calicoledger.felix.calc.CalcEvents;
import org.calicoledger.felix.calc.CalcGraph;
import org.calicoledger.felix.dataplane.devices.TunnelDevices;
import org.calicoledger.felix.dataplane.sysctl.Sysctls;
import org.calicoledger.felix.kernel.IpTool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The routes, devices and sysctls parts against a real kernel, in a namespace this test creates: what they program,
 * what they leave alone (other protocols' routes), how a full pass repairs changes made by hand while an incremental
 * pass trusts its record, routes that wait for their device, and removal order (routes before the device).
 */
class RouteTableIT {
  static final String MAC_A = "66:00:00:00:00:0a";
  static final String MAC_C = "66:00:00:00:00:0c";
  String ns;
  Path runDir;
  IpTool ip;
  CalcGraph graph;
  TunnelDevices devices;
  Sysctls sysctls;
  RouteTable routes;

  @BeforeEach
  void namespace() throws Exception {
    ns = "fxa-" + ProcessHandle.current().pid() + "-routes";
    sh("ip netns add " + ns);
    in("ip link set lo up && ip link add up0 type veth peer name up1 && ip addr add 10.10.1.2/24 dev up0"
        + " && ip link set up0 up && ip link set up1 up && ip route add default via 10.10.1.254"
        + " && ip link add cali1 type veth peer name pod1 && ip link set cali1 up && ip link set pod1 up"
        + " && ip route add 10.20.1.5 dev cali1 scope link"
        + " && ip route add 10.88.0.0/24 via 10.10.1.254 proto static"
        + " && ip route add 10.99.0.0/24 via 10.10.1.254 proto 80"
        + " && echo 0 > /proc/sys/net/ipv4/conf/cali1/proxy_arp && echo 0 > /proc/sys/net/ipv4/ip_forward");
    runDir = Files.createTempDirectory("fxa-run-");
    ip = new IpTool(ns);
    FelixContext ctx = new FelixContext("a", Map.of(), runDir, null, "test", "vxlan", null);
    graph = new CalcGraph(ctx);
    devices = new TunnelDevices(ctx, graph, ip);
    sysctls = new Sysctls(graph, ip);
    routes = new RouteTable(graph, ip);
  }

  @AfterEach
  void cleanup() throws Exception {
    sh("ip netns del " + ns);
    try (var w = Files.walk(runDir)) {
      w.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
    assertThat(run("ip netns list")).doesNotContain(ns);
  }

  static List<CalcEvents.Event> cluster(String ipip, String vxlan) {
    List<CalcEvents.Event> e = new ArrayList<>();
    e.add(pool("p", "10.20.0.0/16", ipip, vxlan));
    e.add(node("a", "10.10.1.2/24", "10.20.1.0", MAC_A, "10.20.1.1"));
    e.add(node("b", "10.10.1.3/24", null, null, "10.20.2.1"));
    e.add(node("c", "10.10.2.2/24", "10.20.3.0", MAC_C, "10.20.3.1"));
    e.add(block("10.20.1.0/26", "a"));
    e.add(block("10.20.2.0/26", "b"));
    e.add(block("10.20.3.0/26", "c"));
    e.add(endpoint("pod1", "a", "cali1", "10.20.1.5"));
    e.add(endpoint("pod7", "a", "cali7", "10.20.1.7"));
    return e;
  }

  /** One pass as Felix's sequencer runs it: removals backwards, then applies forwards. */
  void pass(ClusterImage img, boolean full) throws Exception {
    devices.onImage(img);
    sysctls.onImage(img);
    routes.onImage(img);
    routes.applyRemovals(full);
    devices.applyRemovals(full);
    devices.apply(full);
    sysctls.apply(full);
    routes.apply(full);
  }

  @Test
  void programsRepairsWaitsAndRemovesInOrder() throws Exception {
    ClusterImage img = CalcEvents.image(cluster("Never", "CrossSubnet"));
    pass(img, true);
    String table = in("ip route show proto 80");
    assertThat(table).contains("10.20.1.5 dev cali1 scope link")
        .contains("blackhole 10.20.1.0/26")
        .contains("10.20.2.0/26 via 10.10.1.3 dev up0")
        .contains("10.20.3.0/26 via 10.20.3.0 dev vxlan.calico onlink")
        .doesNotContain("10.99.0.0/24")
        .doesNotContain("10.20.1.7");
    assertThat(in("ip route show 10.88.0.0/24")).contains("proto static");
    assertThat(in("ip neigh show dev vxlan.calico")).contains("10.20.3.0 lladdr " + MAC_C + " PERMANENT");
    assertThat(in("bridge fdb show dev vxlan.calico")).contains(MAC_C + " dst 10.10.2.2 self permanent");
    assertThat(in("ip -d addr show dev vxlan.calico")).contains("link/ether " + MAC_A)
        .contains("vxlan id 4096 local 10.10.1.2").contains("dstport 4789").contains("nolearning")
        .contains("inet 10.20.1.0/32");
    assertThat(in("cat /proc/sys/net/ipv4/conf/cali1/proxy_arp /proc/sys/net/ipv4/ip_forward"
        + " /proc/sys/net/ipv4/neigh/cali1/proxy_delay")).isEqualTo("1\n1\n0\n");
    assertThat(routes.pending()).as("cali7 does not exist yet").isTrue();

    // the device appears: the next (incremental) pass programs its route with one ip process
    in("ip link add cali7 type veth peer name pod7 && ip link set cali7 up");
    long spawns = ip.spawns();
    pass(img, false);
    assertThat(in("ip route show proto 80")).contains("10.20.1.7 dev cali7 scope link");
    assertThat(routes.pending()).isFalse();
    System.out.println("RouteTableIT: processes for one new endpoint route: " + (ip.spawns() - spawns));

    // by hand: a route deleted, a neighbour changed, a stray route of ours added
    in("ip route del 10.20.3.0/26 && ip neigh replace 10.20.3.0 lladdr 66:00:00:00:00:99 dev vxlan.calico nud"
        + " permanent && ip route add 10.99.0.0/24 via 10.10.1.254 proto 80");
    pass(img, false);
    assertThat(in("ip route show proto 80")).as("an incremental pass trusts its record")
        .doesNotContain("10.20.3.0/26");
    pass(img, true);
    assertThat(in("ip route show proto 80")).contains("10.20.3.0/26 via 10.20.3.0 dev vxlan.calico onlink")
        .doesNotContain("10.99.0.0/24");
    assertThat(in("ip neigh show dev vxlan.calico")).contains("10.20.3.0 lladdr " + MAC_C);

    // VXLAN off: its routes, then the device, go
    ClusterImage never = CalcEvents.apply(img, List.of(pool("p", "10.20.0.0/16", "Never", "Never")));
    pass(never, false);
    assertThat(in("ip link show")).doesNotContain("vxlan.calico");
    assertThat(in("ip route show proto 80")).doesNotContain("10.20.3.0/26").contains("10.20.2.0/26 via 10.10.1.3");
    assertThat(in("ip route show 10.88.0.0/24")).contains("proto static");
  }

  @Test
  void ipipRoutesWaitForTunl0WhichThisKernelMayNotHave() throws Exception {
    ClusterImage img = CalcEvents.image(cluster("Always", "Never"));
    pass(img, true);
    boolean ipip = Boolean.TRUE.equals(devices.ipipSupported());
    if (!ipip) {
      assertThat(devices.ipipSupported()).isFalse();
      assertThat(routes.pending()).isTrue();
      assertThat(in("ip route show proto 80")).doesNotContain("10.20.2.0/26").doesNotContain("10.20.3.0/26")
          .contains("blackhole 10.20.1.0/26");
      System.out.println("RouteTableIT: this kernel has no ipip: tunl0 is not created and IPIP routes wait"
          + " (shapes proven by CalcGraphTest)");
    }
    org.junit.jupiter.api.Assumptions.assumeTrue(ipip, "this kernel has no ipip module: tunl0 routes cannot be"
        + " programmed here");
    assertThat(in("ip route show proto 80")).contains("10.20.3.0/26 via 10.10.2.2 dev tunl0 onlink");
  }

  @Test
  void inABgpBackendLearnedRoutesAreProgrammedPerPoolModeAndWithdrawn() throws Exception {
    org.calicoledger.felix.calc.LearnedRoutes learned = new org.calicoledger.felix.calc.LearnedRoutes();
    FelixContext ctx = new FelixContext("a", Map.of(), runDir, null, "test", "builtin", learned);
    graph = new CalcGraph(ctx);
    devices = new TunnelDevices(ctx, graph, ip);
    sysctls = new Sysctls(graph, ip);
    routes = new RouteTable(graph, ip);
    ClusterImage img = CalcEvents.image(cluster("Never", "Never"));
    pass(img, true);
    assertThat(in("ip route show proto 80")).as("nothing from affinities in a BGP backend")
        .doesNotContain("10.20.2.0/26").contains("blackhole 10.20.1.0/26");
    learned.announce("10.20.2.0/26", "10.10.1.3");
    learned.announce("10.20.3.0/26", "10.10.2.2"); // outside this node's subnet: the underlay's business
    pass(img, false);
    assertThat(in("ip route show proto 80")).contains("10.20.2.0/26 via 10.10.1.3 dev up0")
        .doesNotContain("10.20.3.0/26");
    learned.withdraw("10.20.2.0/26");
    pass(img, false);
    assertThat(in("ip route show proto 80")).doesNotContain("10.20.2.0/26");
  }

  String in(String script) {
    return run("ip netns exec " + ns + " sh -c '" + script + "'");
  }

  static void sh(String cmd) {
    run(cmd);
  }

  static String run(String cmd) {
    try {
      Process p = new ProcessBuilder("sh", "-c", cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      if (p.waitFor() != 0) {
        throw new AssertionError(cmd + " failed: " + out);
      }
      return out;
    } catch (java.io.IOException | InterruptedException e) {
      throw new AssertionError(e);
    }
  }
}
