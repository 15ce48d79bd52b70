package org.calicoledger.lab;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Step 1: two pods on node-1 ping each other. Evidence as in the seed: each pod's {@code /32 dev cali...} route on the
 * host, proxy ARP on the host side of the veth, and the pod's neighbour table holding the gateway 169.254.1.1 with
 * the host side's MAC (the host answered the pod's ARP for it).
 */
final class SameNodeStep implements Step {
  private static final Pattern LINK = Pattern.compile("link/ether (\\S+)");

  @Override
  public int number() {
    return 1;
  }

  @Override
  public String title() {
    return "pods on one node ping each other";
  }

  @Override
  public void run(Walk w, Walk.Recorder r) {
    Node n = w.cluster.node(1);
    String b = n.podIp("pod-2");
    w.say("  " + Walk.label(n, "pod-1") + " pings " + Walk.label(n, "pod-2"));
    boolean ok = n.pingWithin("pod-1", b, Duration.ofSeconds(20));
    r.check("node-1/pod-1 -> node-1/pod-2 ping", ok, "ping " + b + (ok ? ": answered" : ": no answer in 20 s"));
    for (String pod : new String[] {"pod-1", "pod-2"}) {
      String ip = n.podIp(pod);
      String route = n.ip("route", "show", "to", "exact", ip + "/32").strip().replaceAll("\\s+", " ");
      w.show("node-1: ip route show to exact " + ip + "/32", route);
      boolean shaped = route.matches(Pattern.quote(ip) + " dev cali\\S+ .*scope link.*");
      r.check("node-1 routes " + pod + " as /32 dev cali...", shaped, route);
      if (!shaped) {
        continue;
      }
      String iface = route.split(" ")[2];
      String proxyArp = n.exec("cat", "/proc/sys/net/ipv4/conf/" + iface + "/proxy_arp").out().strip();
      r.check("proxy ARP on " + iface + " (host side of " + pod + ")", proxyArp.equals("1"),
          "net.ipv4.conf." + iface + ".proxy_arp = " + proxyArp);
      if (pod.equals("pod-1")) {
        Matcher m = LINK.matcher(n.ip("link", "show", iface));
        String hostMac = m.find() ? m.group(1) : "?";
        String neigh = n.inPod(pod, "ip", "neigh", "show").out().strip();
        String podRoutes = n.inPod(pod, "ip", "route", "show").out().strip();
        w.show("node-1/pod-1: ip route", podRoutes);
        w.show("node-1/pod-1: ip neigh (ARP table)", neigh);
        r.check("pod-1's default route is via the gateway 169.254.1.1", podRoutes.contains("default via 169.254.1.1"),
            podRoutes.lines().filter(l -> l.startsWith("default")).findFirst().orElse(podRoutes));
        boolean gw = neigh.lines().anyMatch(l -> l.startsWith("169.254.1.1 ") && l.contains("lladdr " + hostMac));
        r.check("pod-1's ARP table has 169.254.1.1 at the host side's MAC " + hostMac, gw, neigh);
      }
    }
  }
}
