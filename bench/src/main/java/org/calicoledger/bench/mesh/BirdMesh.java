package org.calicoledger.bench.mesh;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The anchor: real BIRD 2 in {@code n} namespaces {@code <prefix>-bK} at {@code 10.41.0.(K+1)} on bridge {@code br1}
 * of the switch namespace, a full iBGP mesh (direct sessions, next hop self), each BIRD's kernel protocol exporting
 * what it learned into its namespace's kernel ({@code proto bird}). A change: node K's configuration gains a static
 * blackhole route for a new block (what Calico's confd writes in {@code bird_aggr.cfg} for a new affine block) and
 * {@code birdc configure} runs; the clock starts before the file is written, so it includes BIRD parsing the
 * configuration and the {@code birdc} client's start, as the node's confd would pay.
 */
final class BirdMesh {
  private final MeshHost host;
  private final String switchNs;
  private final int n;
  final List<String> namespaces = new ArrayList<>();
  private final List<List<String>> blocks = new ArrayList<>();

  BirdMesh(MeshHost host, String switchNs, int n) {
    this.host = host;
    this.switchNs = switchNs;
    this.n = n;
  }

  static String address(int k) {
    return "10.41.0." + (k + 1);
  }

  private Path conf(int k) {
    return host.dir.resolve("bird-" + k + ".conf");
  }

  private Path socket(int k) {
    return host.dir.resolve("bird-" + k + ".ctl");
  }

  void start() throws Exception {
    MeshHost.run("ip", "link", "add", "br1", "type", "bridge");
    MeshHost.run("ip", "link", "set", "br1", "up");
    for (int k = 0; k < n; k++) {
      namespaces.add(host.attached("b" + k, switchNs, "br1", address(k)));
      blocks.add(new ArrayList<>());
      writeConf(k);
      host.spawn(List.of("ip", "netns", "exec", namespaces.get(k), "bird", "-f", "-c", conf(k).toString(), "-s",
          socket(k).toString(), "-P", host.dir.resolve("bird-" + k + ".pid").toString()),
          host.dir.resolve("bird-" + k + ".log"));
    }
  }

  private void writeConf(int k) throws Exception {
    StringBuilder b = new StringBuilder();
    b.append("log stderr { warning, error, fatal };\nrouter id ").append(address(k)).append(";\n")
        .append("protocol device { }\n")
        .append("protocol kernel { ipv4 { import none; export all; }; }\n")
        .append("protocol static blocks { ipv4;");
    blocks.get(k).forEach(c -> b.append(" route ").append(c).append(" blackhole;"));
    b.append(" }\n")
        .append("template bgp mesh {\n  local ").append(address(k)).append(" as 64512;\n")
        .append("  direct; connect delay time 1; connect retry time 1; error wait time 1, 2;\n")
        .append("  ipv4 { import all; export all; next hop self; };\n}\n");
    for (int j = 0; j < n; j++) {
      if (j != k) {
        b.append("protocol bgp p").append(j).append(" from mesh { neighbor ").append(address(j))
            .append(" as 64512; }\n");
      }
    }
    Path tmp = conf(k).resolveSibling(conf(k).getFileName() + ".tmp");
    Files.writeString(tmp, b);
    Files.move(tmp, conf(k), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  private String birdc(int k, String command) throws Exception {
    return MeshHost.run("birdc", "-s", socket(k).toString(), command);
  }

  void awaitMesh(Duration timeout) throws Exception {
    for (int k = 0; k < n; k++) {
      int node = k;
      String[] last = {""};
      MeshKernel.await(timeout, () -> {
        try {
          last[0] = birdc(node, "show protocols");
        } catch (Exception e) {
          last[0] = e.toString();
          return false;
        }
        return last[0].split("Established", -1).length - 1 == n - 1;
      }, () -> "BIRD " + node + " with " + (n - 1) + " Established sessions:\n" + last[0]);
    }
  }

  /** Adds block {@code cidr} to node {@code k}'s static routes and reconfigures BIRD. */
  void newBlock(int k, String cidr) throws Exception {
    blocks.get(k).add(cidr);
    writeConf(k);
    String out = birdc(k, "configure");
    if (!out.contains("Reconfigured")) {
      throw new IllegalStateException("birdc configure on BIRD " + k + ": " + out);
    }
  }
}
