package org.calicoledger.lab;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Step 5: {@code wireguardEnabled: true} encrypts pod traffic between nodes. The fabric namespace counts, with nft
 * counters on both its bridges' forwarding (same-subnet traffic) and its routing (cross-subnet traffic), UDP to port
 * 51820 and plain ICMP between pod addresses. Before WireGuard (CrossSubnet from step 4) a same-subnet ping shows up
 * as plain ICMP; with it, pings between nodes raise the UDP counter and add no plain ICMP. Then WireGuard is turned
 * off again and the interfaces go.
 */
final class WireguardStep implements Step {
  private static final Pattern UDP = Pattern.compile("udp dport 51820 counter packets (\\d+)");
  private static final Pattern ICMP = Pattern.compile("ip protocol icmp counter packets (\\d+)");
  private static final String TABLE = "calico_lab_count";

  @Override
  public int number() {
    return 5;
  }

  @Override
  public String title() {
    return "WireGuard encrypts pod traffic between nodes";
  }

  @Override
  public void run(Walk w, Walk.Recorder r) {
    Cluster c = w.cluster;
    String cidr = w.pool().path("spec").path("cidr").asText();
    String chain = " {\n  chain count {\n    type filter hook forward priority 0; policy accept;\n"
        + "    udp dport 51820 counter\n    ip saddr " + cidr + " ip daddr " + cidr + " ip protocol icmp counter\n"
        + "  }\n}\n";
    String script = "table bridge " + TABLE + chain + "table ip " + TABLE + chain;
    Host.Result nft = Host.inNs(c.fabricNs, Map.of(), script, Host.SHORT, "nft", "-f", "-");
    if (!r.check("counters on the underlay (nft in " + c.fabricNs + ")", nft.ok(), nft.ok()
        ? "udp dport 51820 and ICMP " + cidr + " -> " + cidr + ", bridged and routed" : nft.text())) {
      return;
    }
    Node a = c.node(1);
    List<Node> others = c.nodes().subList(1, c.nodes().size());
    Node b = others.get(0);

    long[] c0 = counters(c);
    boolean plain = a.pingWithin("pod-1", b.podIp("pod-1"), Duration.ofSeconds(20));
    long[] c1 = counters(c);
    r.check("without WireGuard, node-1/pod-1 -> " + b.name + "/pod-1 crosses the underlay as plain ICMP",
        plain && c1[1] > c0[1], "ping " + (plain ? "answered" : "not answered") + "; plain ICMP on the underlay +"
            + (c1[1] - c0[1]) + ", UDP 51820 +" + (c1[0] - c0[0]));

    Host.Result on = w.patch("felixconfiguration", "default", "{\"spec\":{\"wireguardEnabled\":true}}",
        "demo step 5: WireGuard on");
    r.check("wireguardEnabled: true set", on.ok(), on.text());
    int peers = c.nodes().size() - 1;
    for (Node n : c.nodes()) {
      String[] seen = {""};
      boolean ok = Host.poll(Duration.ofSeconds(60), () -> {
        Host.Result s = n.exec("wg", "show", n.wireguardInterface, "peers");
        seen[0] = s.text();
        return s.ok() && s.out().lines().filter(l -> !l.isBlank()).count() == peers;
      });
      r.check(n.name + ": " + n.wireguardInterface + " up with " + peers + " peers", ok, ok ? peers + " peers"
          : seen[0]);
    }

    long[] d0 = counters(c);
    boolean all = true;
    StringBuilder ev = new StringBuilder();
    for (Node to : others) {
      boolean ok = a.pingWithin("pod-1", to.podIp("pod-1"), Duration.ofSeconds(30));
      all &= ok;
      ev.append("node-1 -> ").append(to.name).append(ok ? " answered; " : " NOT answered; ");
    }
    Node last = c.nodes().get(c.nodes().size() - 1);
    if (last != b) {
      boolean ok = last.pingWithin("pod-1", b.podIp("pod-1"), Duration.ofSeconds(30));
      all &= ok;
      ev.append(last.name).append(" -> ").append(b.name).append(ok ? " answered" : " NOT answered");
    }
    long[] d1 = counters(c);
    r.check("with WireGuard, pods on different nodes ping each other", all, ev.toString());
    r.check("UDP 51820 counter on the underlay rises", d1[0] > d0[0], "+" + (d1[0] - d0[0]) + " packets");
    r.check("no plain ICMP between pod addresses on the underlay", d1[1] == d0[1], "+" + (d1[1] - d0[1])
        + " packets");
    w.show("node-1: wg show " + a.wireguardInterface, a.exec("wg", "show", a.wireguardInterface).text());
    w.show(c.fabricNs + ": nft list table ip " + TABLE, Host.inNs(c.fabricNs, "nft", "list", "table", "ip", TABLE)
        .text());

    Host.Result off = w.patch("felixconfiguration", "default", "{\"spec\":{\"wireguardEnabled\":false}}",
        "demo step 5: WireGuard off");
    r.check("wireguardEnabled: false set", off.ok(), off.text());
    boolean gone = Host.poll(Duration.ofSeconds(60), () -> c.nodes().stream()
        .noneMatch(n -> n.exec("ip", "link", "show", n.wireguardInterface).ok()));
    r.check("every node's WireGuard interface is gone", gone, gone ? "ip link show finds none" : "still there");
    boolean back = a.pingWithin("pod-1", last.podIp("pod-1"), Duration.ofSeconds(30));
    r.check("without WireGuard, node-1/pod-1 -> " + last.name + "/pod-1 ping", back, back ? "answered" : "not answered");
  }

  /** {UDP 51820 packets, plain pod ICMP packets} counted in the fabric so far (bridged plus routed). */
  private static long[] counters(Cluster c) {
    String text = Host.inNs(c.fabricNs, "nft", "list", "ruleset").out();
    return new long[] {sum(UDP.matcher(text)), sum(ICMP.matcher(text))};
  }

  private static long sum(Matcher m) {
    long s = 0;
    while (m.find()) {
      s += Long.parseLong(m.group(1));
    }
    return s;
  }
}
