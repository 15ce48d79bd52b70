package org.calicoledger.lab;

import java.time.Duration;
import java.util.Optional;

/**
 * Step 4: the pool's encapsulation modes, each with every node's routes shown. Always: every other node's pods through
 * the tunnel device. Never: a node in the same subnet directly ({@code via <its address> dev eth0}), a node in the
 * other subnet unreachable, because the fabric has no routes to pod addresses (as in the seed). CrossSubnet: direct
 * in the subnet, tunnel across, everything reachable. IPIP where the kernel has it; without the ipip module the step
 * says so and uses VXLAN ({@code vxlanMode}). Leaves the pool in CrossSubnet.
 */
final class ModesStep implements Step {
  private static final Duration CONVERGE = Duration.ofSeconds(30);

  @Override
  public int number() {
    return 4;
  }

  @Override
  public String title() {
    return "encapsulation modes Always, Never, CrossSubnet";
  }

  @Override
  public void run(Walk w, Walk.Recorder r) {
    Cluster c = w.cluster;
    boolean ipip = c.tunnel().equals("ipip");
    String field = ipip ? "ipipMode" : "vxlanMode";
    String dev = ipip ? "tunl0" : "vxlan.calico";
    if (!c.ipipSupported()) {
      w.say("  this kernel has no ipip module (ip link add ... type ipip fails): the tunnel modes use VXLAN");
    } else if (!ipip) {
      w.say("  the vxlan backend routes pods with VXLAN: the tunnel modes use vxlanMode");
    }
    Node a = c.node(1);
    Optional<Node> same = c.nodes().stream().filter(n -> n != a && n.subnet == a.subnet).findFirst();
    Optional<Node> other = c.nodes().stream().filter(n -> n.subnet != a.subnet).findFirst();
    if (same.isEmpty() || other.isEmpty()) {
      r.check("a node in node-1's subnet and one in the other subnet", false,
          "the modes need at least 3 nodes; this cluster has " + c.nodes().size());
      return;
    }
    Node b = same.get();
    Node x = other.get();
    String bDst = b.podIp("pod-1");
    String xDst = x.podIp("pod-1");

    w.say("  -- " + field + ": Always");
    Host.Result always = w.patch("ippool", Walk.POOL, modes(ipip, "Always"), "demo step 4: " + field + " Always");
    r.check(field + " Always set", always.ok(), always.text());
    expectRoute(r, a, b, bDst, "dev " + dev, "Always");
    expectRoute(r, a, x, xDst, "dev " + dev, "Always");
    expectPing(r, a, b, bDst, "Always");
    expectPing(r, a, x, xDst, "Always");
    showRoutes(w, c, "Always");

    w.say("  -- " + field + ": Never");
    Host.Result never = w.patch("ippool", Walk.POOL, modes(ipip, "Never"), "demo step 4: " + field + " Never");
    r.check(field + " Never set", never.ok(), never.text());
    expectRoute(r, a, b, bDst, "via " + b.ip + " dev eth0", "Never");
    boolean noTunnel = Host.poll(CONVERGE, () -> !Walk.routeGet(a, xDst).contains("dev " + dev));
    String toX = Walk.routeGet(a, xDst);
    r.check("Never: node-1 sends " + x.name + "'s pods (subnet " + x.subnet + ") to the fabric " + a.gateway()
        + ", which has no pod routes", noTunnel && toX.contains("via " + a.gateway()), toX);
    expectPing(r, a, b, bDst, "Never");
    boolean unreachable = Walk.allPingsFail(a, "pod-1", xDst, 3);
    r.check("Never: node-1/pod-1 -> " + x.name + "/pod-1 fails (the fabric has no pod routes)", unreachable,
        unreachable ? "3 pings to " + xDst + ", no answer" : "answered");
    showRoutes(w, c, "Never");

    w.say("  -- " + field + ": CrossSubnet");
    Host.Result cross = w.patch("ippool", Walk.POOL, modes(ipip, "CrossSubnet"),
        "demo step 4: " + field + " CrossSubnet");
    r.check(field + " CrossSubnet set", cross.ok(), cross.text());
    expectRoute(r, a, b, bDst, "via " + b.ip + " dev eth0", "CrossSubnet");
    expectRoute(r, a, x, xDst, "dev " + dev, "CrossSubnet");
    expectPing(r, a, b, bDst, "CrossSubnet");
    expectPing(r, a, x, xDst, "CrossSubnet");
    expectPing(r, x, b, bDst, "CrossSubnet");
    showRoutes(w, c, "CrossSubnet");
  }

  private static String modes(boolean ipip, String mode) {
    return ipip ? "{\"spec\":{\"ipipMode\":\"" + mode + "\",\"vxlanMode\":\"Never\"}}"
        : "{\"spec\":{\"vxlanMode\":\"" + mode + "\",\"ipipMode\":\"Never\"}}";
  }

  private static void expectRoute(Walk.Recorder r, Node from, Node to, String dst, String part, String mode) {
    boolean ok = Walk.awaitRoute(from, dst, part, CONVERGE);
    r.check(mode + ": " + from.name + " routes " + to.name + "'s pods " + part, ok, Walk.routeGet(from, dst));
  }

  private static void expectPing(Walk.Recorder r, Node from, Node to, String dst, String mode) {
    boolean ok = from.pingWithin("pod-1", dst, CONVERGE);
    r.check(mode + ": " + from.name + "/pod-1 -> " + to.name + "/pod-1 ping", ok,
        "ping " + dst + (ok ? ": answered" : ": no answer in " + CONVERGE.toSeconds() + " s"));
  }

  private static void showRoutes(Walk w, Cluster c, String mode) {
    for (Node n : c.nodes()) {
      w.show(mode + ", " + n.name + " routes", Walk.routes(n));
    }
  }
}
