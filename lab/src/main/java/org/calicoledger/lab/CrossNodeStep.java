package org.calicoledger.lab;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;

/**
 * Step 2: pods on different nodes ping each other in the default mode (the default pool's tunnel Always: IPIP where
 * the kernel has it, VXLAN otherwise). Shown: {@code calicoctl node status} run inside every node's namespace (as
 * Calico's reads the local calico-node), with every other node's BGP session Established for the BGP backends, and
 * each node's routes to the other nodes' blocks, which go through the tunnel device.
 */
final class CrossNodeStep implements Step {
  @Override
  public int number() {
    return 2;
  }

  @Override
  public String title() {
    return "pods on different nodes ping each other (default mode)";
  }

  @Override
  public void run(Walk w, Walk.Recorder r) {
    Cluster c = w.cluster;
    JsonNode spec = w.pool().path("spec");
    w.say("  default pool " + spec.path("cidr").asText() + ": ipipMode " + spec.path("ipipMode").asText("Never")
        + ", vxlanMode " + spec.path("vxlanMode").asText("Never") + (c.ipipSupported() ? ""
        : " (this kernel has no ipip module, so the cluster's default pool tunnels with VXLAN)"));
    List<Node> nodes = c.nodes();
    if (nodes.size() < 2) {
      r.check("a second node to ping", false, "the cluster has " + nodes.size() + " node(s)");
      return;
    }
    Node first = nodes.get(0);
    for (Node to : nodes.subList(1, nodes.size())) {
      ping(w, r, first, to);
    }
    ping(w, r, nodes.get(nodes.size() - 1), first);

    boolean bgp = c.options.backend() != Cluster.Backend.VXLAN;
    for (Node n : nodes) {
      String[] last = {""};
      boolean ok = Host.poll(Duration.ofSeconds(bgp ? 30 : 5), () -> {
        Host.Result s = n.calicoctl(null, "node", "status");
        last[0] = s.text();
        if (!s.ok() || !last[0].contains("Calico process is running")) {
          return false;
        }
        return bgp ? last[0].lines().filter(l -> l.contains("Established")).count() == nodes.size() - 1
            : last[0].contains("None of the BGP backend processes");
      });
      w.show(n.name + ": calicoctl node status", last[0]);
      r.check(n.name + ": calicoctl node status " + (bgp ? "shows " + (nodes.size() - 1) + " BGP peers Established"
          : "runs (vxlan backend: no BGP)"), ok, summary(last[0]));
    }

    String dev = c.tunnel().equals("ipip") ? "tunl0" : "vxlan.calico";
    for (Node n : nodes) {
      w.show(n.name + ": routes (without its own pods')", Walk.routes(n));
      for (Node other : nodes) {
        if (other == n) {
          continue;
        }
        String dst = other.podIp("pod-1");
        String route = Walk.routeGet(n, dst);
        r.check(n.name + " routes " + other.name + "'s pods through " + dev, route.contains("dev " + dev), route);
      }
    }
  }

  private static void ping(Walk w, Walk.Recorder r, Node from, Node to) {
    String dst = to.podIp("pod-1");
    w.say("  " + Walk.label(from, "pod-1") + " pings " + Walk.label(to, "pod-1"));
    boolean ok = from.pingWithin("pod-1", dst, Duration.ofSeconds(30));
    r.check(from.name + "/pod-1 -> " + to.name + "/pod-1 ping", ok, "ping " + dst
        + (ok ? ": answered" : ": no answer in 30 s") + "; route on " + from.name + ": " + Walk.routeGet(from, dst));
  }

  private static String summary(String status) {
    List<String> peers = status.lines().filter(l -> l.startsWith("|") && !l.contains("PEER ADDRESS"))
        .map(l -> l.replaceAll("\\s+", " ").strip()).toList();
    return peers.isEmpty() ? status.lines().reduce((a, b) -> a + " " + b).orElse("") : String.join("\n", peers);
  }
}
