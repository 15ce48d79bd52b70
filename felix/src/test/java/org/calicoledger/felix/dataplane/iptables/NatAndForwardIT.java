package org.calicoledger.felix.dataplane.iptables;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.calicoledger.felix.FelixContext;
import org.calicoledger.felix.dataplane.ipsets.IpSetsPart;
import org.calicoledger.felix.testing.ImageBuilder;
import org.calicoledger.felix.testing.Netns;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The ipsets and iptables parts applied in a node namespace of the test's own, with the seed lab's shape:
 * pod (10.0.0.5/32 behind {@code cali0123456789a}, proxy ARP) -> node (FORWARD policy DROP, uplink 192.168.50.1/24)
 * -> "internet" (192.168.50.2/24, no route back to the pool). Only MASQUERADE lets the pod's ping come back, and only
 * {@code cali-FORWARD} lets it through the node.
 */
class NatAndForwardIT {
  private static final String IFACE = "cali0123456789a";
  private Netns lab;
  private String node;
  private String pod;
  private String inet;
  private IpSetsPart ipsets;
  private IptablesPart iptables;
  private final ImageBuilder image = new ImageBuilder();

  @BeforeEach
  void topology() {
    lab = new Netns();
    node = lab.add("node");
    pod = lab.add("pod");
    inet = lab.add("inet");
    Netns.pod(node, pod, IFACE, "10.0.0.5");
    Netns.link(node, "eth0", "192.168.50.1/24", inet, "eth0", "192.168.50.2/24");
    // the node's default route also makes 169.254.1.1 routable, which proxy ARP needs to answer the pod
    Netns.must(node, "ip route add default via 192.168.50.2 dev eth0");
    Netns.must(node, "iptables -P FORWARD DROP && iptables -A FORWARD -s 203.0.113.9/32 -j DROP"
        + " && iptables -t nat -A POSTROUTING -d 203.0.113.10/32 -j RETURN");
    FelixContext ctx = new FelixContext("n1", Map.of(), Path.of("/nonexistent"), null, "felix-test");
    ipsets = new IpSetsPart(Netns.in(node));
    iptables = new IptablesPart(ctx, Netns.in(node));
  }

  @AfterEach
  void cleanup() {
    lab.close();
  }

  private boolean sync(boolean full) {
    ipsets.onImage(image.image());
    iptables.onImage(image.image());
    boolean a = ipsets.apply(full);
    boolean b = iptables.apply(full);
    return a || b;
  }

  private long masqueradePackets() {
    String out = Netns.must(node, "iptables -t nat -L cali-nat-outgoing -v -x -n");
    long n = -1;
    for (String line : out.split("\n")) {
      String[] w = line.trim().split("\\s+");
      if (w.length > 3 && w[2].equals("MASQUERADE")) {
        n = Long.parseLong(w[0]);
      }
    }
    return n;
  }

  @Test
  void podReachesTheInternetOnlyThroughMasqueradeAndForwardIsRepaired() {
    image.pool("default-ipv4-ippool", "10.0.0.0/16", true, "Never", "Never");
    image.endpoint("default", "n1-k8s-pod-eth0", "n1", IFACE, "10.0.0.5");
    assertThat(Netns.ping(pod, "192.168.50.2")).as("nothing programmed: FORWARD drops").isFalse();

    assertThat(sync(true)).isTrue();
    assertThat(Netns.must(node, "ipset list cali40masq-ipam-pools")).contains("10.0.0.0/16");
    assertThat(Netns.must(node, "ipset list cali40all-ipam-pools")).contains("10.0.0.0/16");
    assertThat(masqueradePackets()).isZero();
    assertThat(Netns.ping(pod, "192.168.50.2")).as("pod to internet through MASQUERADE").isTrue();
    assertThat(masqueradePackets()).isPositive();
    assertThat(sync(false)).as("nothing changed: nothing written").isFalse();
    assertThat(sync(true)).as("resync of an unchanged kernel writes nothing").isFalse();
    String forward = Netns.must(node, "iptables -S FORWARD");
    assertThat(forward.split("\n")[1]).contains("cali:").endsWith("-j cali-FORWARD");
    assertThat(forward).contains("-A FORWARD -s 203.0.113.9/32 -j DROP");

    // clobbered by hand: the record is trusted until the next full resync, which repairs it
    Netns.must(node, "iptables -F cali-FORWARD && iptables -D FORWARD 1 && iptables -I FORWARD 1 -j ACCEPT"
        + " && iptables -D FORWARD 1");
    assertThat(Netns.ping(pod, "192.168.50.2")).as("cali-FORWARD flushed by hand").isFalse();
    assertThat(sync(true)).isTrue();
    assertThat(Netns.must(node, "iptables -S cali-FORWARD")).contains("-i cali+", "-o cali+");
    assertThat(Netns.must(node, "iptables -S FORWARD").split("\n")[1]).endsWith("-j cali-FORWARD");
    assertThat(Netns.ping(pod, "192.168.50.2")).as("repaired by resync").isTrue();

    // natOutgoing false: the rule goes, the internet has no route back, the ping fails
    image.pool("default-ipv4-ippool", "10.0.0.0/16", false, "Never", "Never");
    assertThat(sync(false)).isTrue();
    assertThat(Netns.must(node, "iptables -t nat -S cali-nat-outgoing")).doesNotContain("MASQUERADE");
    assertThat(Netns.must(node, "ipset list cali40masq-ipam-pools")).doesNotContain("10.0.0.0/16");
    assertThat(Netns.ping(pod, "192.168.50.2")).as("no MASQUERADE, no route back").isFalse();

    // foreign rules untouched throughout
    assertThat(Netns.must(node, "iptables -S FORWARD")).contains("-A FORWARD -s 203.0.113.9/32 -j DROP");
    assertThat(Netns.must(node, "iptables -t nat -S POSTROUTING")).contains("-d 203.0.113.10/32 -j RETURN");
    assertThat(Netns.must(node, "iptables -S FORWARD")).contains("-P FORWARD DROP");
  }

  @Test
  void endpointChainsComeAndGoWithTheEndpointAndForeignSetsStay() {
    image.pool("p", "10.0.0.0/16", true, "Never", "Never");
    Netns.must(node, "ipset create KUBE-TEST hash:ip && ipset add KUBE-TEST 1.2.3.4"
        + " && ipset create cali40stale hash:net");
    image.endpoint("default", "n1-k8s-pod-eth0", "n1", IFACE, "10.0.0.5");
    sync(true);
    assertThat(Netns.must(node, "iptables -S")).contains("-N cali-fw-" + IFACE, "-N cali-tw-" + IFACE,
        "-g cali-fw-" + IFACE);
    assertThat(Netns.ping(pod, "192.168.50.2")).isTrue();
    assertThat(Netns.sh(node, "ipset list -n").out()).contains("KUBE-TEST").doesNotContain("cali40stale");

    // a second endpoint arrives incrementally; its chain flushed by hand is repaired by the next full resync only
    image.endpoint("default", "n1-k8s-pod2-eth0", "n1", "cali9876543210f", "10.0.0.6");
    assertThat(sync(false)).isTrue();
    assertThat(Netns.must(node, "iptables -S cali-fw-cali9876543210f")).contains("-j ACCEPT");
    Netns.must(node, "iptables -F cali-fw-cali9876543210f");
    assertThat(sync(false)).as("between resyncs the record is trusted").isFalse();
    assertThat(sync(true)).isTrue();
    assertThat(Netns.must(node, "iptables -S cali-fw-cali9876543210f")).contains("INVALID -j DROP", "-j ACCEPT");
    assertThat(sync(true)).as("repaired").isFalse();
    image.delete(org.calicoledger.store.Keys.RESOURCES + "workloadendpoints/default/n1-k8s-pod2-eth0");

    image.delete(org.calicoledger.store.Keys.RESOURCES + "workloadendpoints/default/n1-k8s-pod-eth0");
    assertThat(sync(false)).isTrue();
    assertThat(Netns.must(node, "iptables -S")).doesNotContain("cali-fw-", "cali-tw-", "wl-dispatch");
    assertThat(Netns.ping(pod, "192.168.50.2")).as("prefix ACCEPT still forwards cali+").isTrue();
    assertThat(Netns.must(node, "ipset list KUBE-TEST")).contains("1.2.3.4");
  }
}
