package org.calicoledger.felix.dataplane.wireguard;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.calicoledger.events.image.ClusterImage;
import org.calicoledger.felix.FelixContext;
import org.calicoledger.felix.testing.ImageBuilder;
import org.calicoledger.felix.testing.Netns;
import org.calicoledger.model.FelixConfiguration;
import org.calicoledger.model.Kind;
import org.calicoledger.model.Node;
import org.calicoledger.model.ObjectMeta;
import org.calicoledger.store.Audit;
import org.calicoledger.store.EtcdStore;
import org.calicoledger.store.ResourceKey;
import org.calicoledger.store.Txn;
import org.calicoledger.store.testing.EtcdExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two node namespaces joined by an underlay veth (192.168.60.1 and .2, each the other's default route), a pod behind
 * each, a real etcd for the Nodes, FelixConfiguration and blocks; the WireGuard part of each node applied with images
 * read from etcd as the journal would deliver them. The kernel here has no wireguard module, so the interfaces are
 * {@code wireguard-go}'s. Counters in each node's {@code raw PREROUTING} on the underlay tell ICMP from UDP 51820.
 */
class WireguardIT {
  @RegisterExtension
  static final EtcdExtension ETCD = new EtcdExtension();

  // wireguard-go's control socket path is shared by all namespaces: unique names per node and per test JVM
  private static final String IF1 = "wgfxb" + (ProcessHandle.current().pid() % 100000) + "a";
  private static final String IF2 = "wgfxb" + (ProcessHandle.current().pid() % 100000) + "b";
  private Netns lab;
  private String n1;
  private String n2;
  private String p1;
  private Path run1;
  private Path run2;
  private WireguardPart w1;
  private WireguardPart w2;

  @BeforeEach
  void topology() throws Exception {
    lab = new Netns();
    n1 = lab.add("n1");
    n2 = lab.add("n2");
    p1 = lab.add("p1");
    String p2 = lab.add("p2");
    Netns.link(n1, "eth0", "192.168.60.1/24", n2, "eth0", "192.168.60.2/24");
    Netns.must(n1, "ip route add default via 192.168.60.2");
    Netns.must(n2, "ip route add default via 192.168.60.1");
    Netns.pod(n1, p1, "cali11111111111", "10.0.1.5");
    Netns.pod(n2, p2, "cali22222222222", "10.0.2.5");
    for (String n : new String[] {n1, n2}) {
      Netns.must(n, "iptables -t raw -A PREROUTING -i eth0 -p icmp"
          + " && iptables -t raw -A PREROUTING -i eth0 -p udp --dport 51820");
    }
    run1 = Files.createTempDirectory("fxb-wg-n1-");
    run2 = Files.createTempDirectory("fxb-wg-n2-");
  }

  private static Node node(String name, String address) {
    return new Node(ObjectMeta.named(null, name),
        new Node.Spec(new Node.BGP(null, address, null, null, null), null, null, null, null, null, null, null, null),
        null);
  }

  private static void felixConfig(EtcdStore store, boolean wireguard) {
    store.apply(new FelixConfiguration(ObjectMeta.named(null, "default"),
        new FelixConfiguration.Spec(Map.of("wireguardEnabled", wireguard))), Audit.of("test"));
  }

  /** One Felix round on both nodes with the image etcd holds now. */
  private boolean round(boolean full) throws Exception {
    ClusterImage image = ImageBuilder.snapshot(ETCD.store());
    w1.onImage(image);
    w2.onImage(image);
    boolean a = w1.apply(full);
    boolean b = w2.apply(full);
    return a || b;
  }

  private static long[] underlay(String ns) {
    long icmp = -1;
    long udp = -1;
    for (String line : Netns.must(ns, "iptables-save -c -t raw").split("\n")) {
      if (!line.startsWith("[") || !line.contains("-A PREROUTING -i eth0")) {
        continue;
      }
      long pkts = Long.parseLong(line.substring(1, line.indexOf(':')));
      if (line.contains("-p icmp")) {
        icmp = pkts;
      } else if (line.contains("-p udp") && line.contains("--dport 51820")) {
        udp = pkts;
      }
    }
    return new long[] {icmp, udp};
  }

  private void zeroCounters() {
    Netns.must(n1, "iptables -t raw -Z PREROUTING");
    Netns.must(n2, "iptables -t raw -Z PREROUTING");
  }

  private FelixContext ctx(String name, Path runDir, String iface) {
    return new FelixContext(name, Map.of("wireguardinterfacename", iface), runDir, ETCD.store(), "felix-" + name);
  }

  @Test
  void podTrafficBetweenNodesCrossesTheUnderlayOnlyAsWireguardAndOffRemovesEverything() throws Exception {
    EtcdStore store = ETCD.store();
    store.create(node("n1", "192.168.60.1/24"), Audit.of("test"));
    store.create(node("n2", "192.168.60.2/24"), Audit.of("test"));
    store.txn(Txn.builder()
        .put("/calico/ipam/v2/assignment/ipv4/block/10.0.1.0-26", block("10.0.1.0/26", "n1"))
        .put("/calico/ipam/v2/assignment/ipv4/block/10.0.2.0-26", block("10.0.2.0/26", "n2")).build(),
        Audit.of("test"));
    felixConfig(store, false);
    w1 = new WireguardPart(ctx("n1", run1, IF1), Netns.in(n1));
    w2 = new WireguardPart(ctx("n2", run2, IF2), Netns.in(n2));
    round(true);
    assertThat(Netns.sh(n1, "ip link show " + IF1).ok()).as("off: no interface").isFalse();

    // baseline without WireGuard: pod traffic crosses the underlay as plain ICMP (the counters see it)
    zeroCounters();
    assertThat(Netns.ping(p1, "10.0.2.5")).isTrue();
    assertThat(underlay(n2)[0]).isPositive();

    felixConfig(store, true);
    round(true); // keys made and published
    round(false); // peers learn each other's keys from the image
    String key1 = w1.publicKey();
    assertThat(key1).isNotNull();
    assertThat(((Node) store.get(ResourceKey.of(Kind.NODE, "n1")).orElseThrow()).status().wireguardPublicKey())
        .isEqualTo(key1);
    assertThat(((Node) store.get(ResourceKey.of(Kind.NODE, "n2")).orElseThrow()).status().wireguardPublicKey())
        .isEqualTo(w2.publicKey());
    Path keyFile = WireguardKeys.file(run1);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile))).isEqualTo("rw-------");
    String wg = Netns.must(n1, "wg show " + IF1);
    assertThat(wg).contains("listening port: 51820", "endpoint: 192.168.60.2:51820", "allowed ips: 10.0.2.0/26");
    assertThat(Netns.must(n1, "ip route show table 1")).contains("10.0.2.0/26 dev " + IF1);
    assertThat(Netns.must(n1, "ip rule show pref 99")).contains("not from all fwmark 0x100000/0x100000 lookup 1");
    assertThat(Netns.must(n1, "ip link show " + IF1)).contains("mtu 1440");

    zeroCounters();
    assertThat(Netns.ping(p1, "10.0.2.5")).as("pod to pod through WireGuard").isTrue();
    assertThat(Netns.sh(p1, "ping -c 3 -i 0.2 -W 2 10.0.2.5").ok()).isTrue();
    long[] at2 = underlay(n2);
    long[] at1 = underlay(n1);
    assertThat(at2[0]).as("plain ICMP into n2 on the underlay").isZero();
    assertThat(at1[0]).as("plain ICMP into n1 on the underlay").isZero();
    assertThat(at2[1]).as("UDP 51820 into n2").isGreaterThanOrEqualTo(4);
    assertThat(at1[1]).as("UDP 51820 into n1").isGreaterThanOrEqualTo(4);

    // a restarted Felix reuses the key and rebuilds the interface its predecessor's process took with it
    w1.close();
    assertThat(Netns.sh(n1, "ip link show " + IF1).ok()).isFalse();
    w1 = new WireguardPart(ctx("n1", run1, IF1), Netns.in(n1));
    round(true);
    assertThat(w1.publicKey()).isEqualTo(key1);
    assertThat(Netns.ping(p1, "10.0.2.5")).as("after restart").isTrue();

    // off: interface, routes, rule and published key all go; traffic is plain again
    felixConfig(store, false);
    round(false);
    for (String[] n : new String[][] {{n1, IF1}, {n2, IF2}}) {
      assertThat(Netns.sh(n[0], "ip link show " + n[1]).ok()).isFalse();
      assertThat(Netns.sh(n[0], "ip route show table 1").out()).isBlank();
      assertThat(Netns.must(n[0], "ip rule show pref 99")).isBlank();
    }
    assertThat(((Node) store.get(ResourceKey.of(Kind.NODE, "n1")).orElseThrow()).status().wireguardPublicKey())
        .isNull();
    assertThat(Files.exists(keyFile)).as("the private key stays for the next time").isTrue();
    zeroCounters();
    assertThat(Netns.ping(p1, "10.0.2.5")).isTrue();
    assertThat(underlay(n2)[0]).isPositive();
    assertThat(round(true)).isFalse(); // nothing left to remove
  }

  private static String block(String cidr, String host) {
    return "{\"cidr\":\"" + cidr + "\",\"affinity\":\"host:" + host + "\",\"strictAffinity\":false,"
        + "\"allocations\":[],\"unallocated\":[],\"attributes\":[],\"deleted\":false}";
  }

  @AfterEach
  void cleanup() throws Exception {
    try {
      if (w1 != null) {
        w1.close();
      }
      if (w2 != null) {
        w2.close();
      }
    } finally {
      lab.close();
      for (Path p : new Path[] {run1, run2}) {
        if (p != null) {
          try (var s = Files.walk(p)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
          }
        }
      }
    }
  }
}
