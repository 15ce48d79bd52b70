package org.calicoledger.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A global {@code BGPPeer} to an external router: namespace {@code <prefix>ext} on the fabric's infra bridge
 * (10.10.0.100/24, default via the fabric) running real BIRD 2 with a configuration the test writes, in AS 64512
 * (iBGP, as a top-of-rack route reflector would be; BIRD's iBGP sessions are multihop, so nodes in both subnets reach it
 * through the fabric). Every node peers with it; BIRD's table must hold every node's blocks (the blackhole routes in
 * that node's own kernel) learned from that node, with BGP next hop = that node's address, and nothing else of the
 * pools. Deleting the BGPPeer takes the sessions and the routes away again.
 */
class ExternalPeerIT {
  static final String ROUTER = "10.10.0.100";

  @Test
  void globalPeerReceivesEveryNodesBlocksWithTheRightNextHops() throws Exception {
    try (Cluster c = Cluster.start(Cluster.Options.of(Cluster.testPrefix())
        .withNodeEnv(Map.of("CALICO_IPV4POOL_IPIP", "Never", "CALICO_IPV4POOL_VXLAN", "Always")))) {
      for (Node n : c.nodes()) {
        n.addPod("p1");
      }
      Bird bird = Bird.start(c, c.nodes());
      Host.Result peer = c.calicoctl("""
          apiVersion: projectcalico.org/v3
          kind: BGPPeer
          metadata: {name: ext-router}
          spec: {peerIP: %s, asNumber: 64512}
          """.formatted(ROUTER), "apply", "-f", "-");
      assertThat(peer.code()).as(peer.text()).isZero();

      Host.await(Duration.ofSeconds(90), "BIRD's sessions with every node Established", () -> {
        String p = bird.birdc("show protocols");
        return c.nodes().stream().allMatch(n -> p.lines().anyMatch(l -> l.startsWith(Bird.protocol(n))
            && l.contains("Established")));
      });
      Map<Node, List<String>> blocks = new LinkedHashMap<>();
      for (Node n : c.nodes()) {
        List<String> own = KernelRoutes.of(n.ns).stream().filter(l -> l.startsWith("blackhole "))
            .map(l -> l.split(" ")[1]).toList();
        assertThat(own).as("%s's blocks (blackhole routes)", n.name).isNotEmpty();
        blocks.put(n, own);
      }
      Host.await(Duration.ofSeconds(60), "every node's blocks in BIRD's table", () ->
          blocks.values().stream().flatMap(List::stream).allMatch(b -> bird.birdc("show route " + b)
              .contains(b)));
      int total = 0;
      for (Map.Entry<Node, List<String>> e : blocks.entrySet()) {
        Node n = e.getKey();
        for (String b : e.getValue()) {
          String all = bird.birdc("show route all " + b);
          assertThat(all).as("BIRD's route for %s's block %s", n.name, b)
              .contains(b + " ").contains("from " + n.ip + "]").contains("BGP.next_hop: " + n.ip)
              .contains("[" + Bird.protocol(n) + " ");
          for (Node other : c.nodes()) {
            if (other != n) {
              assertThat(all).as("only %s announces %s", n.name, b).doesNotContain("from " + other.ip + "]");
            }
          }
          total++;
        }
      }
      for (Node n : c.nodes()) {
        String count = bird.birdc("show route protocol " + Bird.protocol(n) + " count");
        int mine = blocks.get(n).size();
        // "<routes of this protocol> of <all routes> routes for <networks> networks in table master4"
        assertThat(count).as("routes BIRD has from %s (its blocks, nothing else): %s", n.name, count)
            .containsPattern("(?m)^" + mine + " of \\d+ routes");
      }
      System.out.println("[ExternalPeerIT] BIRD holds " + total + " block routes: " + blocks);

      assertThat(c.calicoctl(null, "delete", "bgppeer", "ext-router").code()).isZero();
      Host.await(Duration.ofSeconds(60), "BIRD's routes from the nodes gone after the BGPPeer is deleted", () ->
          c.nodes().stream().allMatch(n -> bird.birdc("show route protocol " + Bird.protocol(n) + " count")
              .lines().anyMatch(l -> l.startsWith("0 of "))));
    }
  }

  /** BIRD 2 in namespace {@code <prefix>ext}, plugged into the fabric's infra bridge; the cluster removes both. */
  static final class Bird {
    final String ns;
    final Path socket;

    private Bird(String ns, Path socket) {
      this.ns = ns;
      this.socket = socket;
    }

    static String protocol(Node n) {
      return "node_" + n.index;
    }

    static Bird start(Cluster c, List<Node> nodes) throws Exception {
      String ns = c.prefix + "ext";
      c.host.addNamespace(ns);
      Host.run("ip", "link", "add", "eth0", "netns", ns, "type", "veth", "peer", "name", "vExt", "netns", c.fabricNs)
          .orThrow();
      Host.sh(ns, "ip addr add " + ROUTER + "/24 dev eth0 && ip link set eth0 up && ip route add default via 10.10.0.254");
      Host.sh(c.fabricNs, "ip link set vExt master brI && ip link set vExt up");
      Path dir = c.dir.resolve("ext-bird");
      Files.createDirectories(dir);
      StringBuilder conf = new StringBuilder("""
          log stderr all;
          router id %s;
          protocol device { scan time 2; }
          protocol direct { ipv4; interface "eth0"; }
          # the default route via the fabric resolves the nodes' (recursive, iBGP) next hops
          protocol kernel { ipv4 { import all; export none; }; learn; scan time 2; }
          template bgp calico {
            local %s as 64512;
            ipv4 { import all; export none; };
          }
          """.formatted(ROUTER, ROUTER));
      for (Node n : nodes) {
        conf.append("protocol bgp ").append(protocol(n)).append(" from calico { neighbor ").append(n.ip)
            .append(" as 64512; }\n");
      }
      Path file = dir.resolve("bird.conf");
      Files.writeString(file, conf.toString());
      Host.Result check = Host.run("bird", "-p", "-c", file.toString());
      assertThat(check.code()).as("bird -p: %s\n%s", check.text(), conf).isZero();
      Path sock = dir.resolve("bird.ctl");
      List<String> cmd = new ArrayList<>(List.of("bird", "-f", "-c", file.toString(), "-s", sock.toString(), "-P",
          dir.resolve("bird.pid").toString()));
      Host.Proc p = c.host.spawn("bird-ext", Host.nsCommand(ns, Map.of(), cmd), Map.of(), dir.resolve("bird.log"));
      Bird b = new Bird(ns, sock);
      Host.await(Duration.ofSeconds(20), "BIRD up in " + ns, () -> {
        if (!p.alive()) {
          throw new IllegalStateException("BIRD exited: " + p.logText());
        }
        return Files.exists(sock) && b.birdc("show status").contains("Daemon is up");
      });
      return b;
    }

    String birdc(String command) {
      List<String> cmd = new ArrayList<>(List.of("birdc", "-s", socket.toString()));
      cmd.addAll(List.of(command.split(" ")));
      return Host.inNs(ns, cmd.toArray(String[]::new)).out();
    }
  }
}
