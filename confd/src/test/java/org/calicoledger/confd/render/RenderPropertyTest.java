package org.calicoledger.confd.render;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.calicoledger.events.image.ClusterImage;
import org.calicoledger.model.SecretResolver;

/**
 * Random clusters (nodes with and without IPv6, own AS numbers, route reflectors; pools in every mode; global,
 * node-specific, selector and port peers; blocks) rendered for a random node: real BIRD's parser accepts every set,
 * rendering is deterministic, and re-rendering only the block files equals a full render.
 */
class RenderPropertyTest {
  static final String[] POOLS = {"192.168.0.0/16", "10.244.0.0/16", "172.16.0.0/16"};

  @Property(tries = 40)
  void everyRandomClusterRendersToASetBirdAccepts(@ForAll long seed) throws Exception {
    Random r = new Random(seed);
    int n = 1 + r.nextInt(10);
    StringBuilder y = new StringBuilder();
    List<String> names = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      names.add("node-" + i);
      y.append("---\napiVersion: projectcalico.org/v3\nkind: Node\nmetadata:\n  name: node-").append(i)
          .append("\n  labels: {rack: r").append(1 + r.nextInt(2)).append("}\nspec:\n  bgp:\n")
          .append("    ipv4Address: 10.0.").append(i % 3).append('.').append(i).append("/24\n");
      if (r.nextBoolean()) {
        y.append("    ipv6Address: fd00::").append(Integer.toHexString(i)).append("/64\n");
      }
      if (r.nextInt(4) == 0) {
        y.append("    asNumber: ").append(65000 + r.nextInt(3)).append('\n');
      }
      if (r.nextInt(6) == 0) {
        y.append("    routeReflectorClusterID: 224.0.0.").append(1 + r.nextInt(2)).append('\n');
      }
    }
    y.append("---\napiVersion: projectcalico.org/v3\nkind: BGPConfiguration\nmetadata: {name: default}\nspec:\n")
        .append("  nodeToNodeMeshEnabled: ").append(r.nextInt(4) != 0).append('\n');
    if (r.nextBoolean()) {
      y.append("  asNumber: ").append(64600 + r.nextInt(3)).append('\n');
    }
    int pools = 1 + r.nextInt(POOLS.length);
    String[] modes = {"Never", "Always", "CrossSubnet"};
    for (int p = 0; p < pools; p++) {
      boolean vxlan = r.nextInt(3) == 0;
      y.append("---\napiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: {name: pool-").append(p)
          .append("}\nspec:\n  cidr: ").append(POOLS[p]).append("\n  ipipMode: ")
          .append(vxlan ? "Never" : modes[r.nextInt(3)]).append("\n  vxlanMode: ")
          .append(vxlan ? modes[1 + r.nextInt(2)] : "Never").append("\n  disabled: ").append(r.nextInt(4) == 0)
          .append("\n  disableBGPExport: ").append(r.nextInt(4) == 0).append('\n');
    }
    if (r.nextBoolean()) {
      y.append("---\napiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: {name: v6}\nspec: {cidr: \"fd10::/48\"}\n");
    }
    int peers = r.nextInt(5);
    for (int p = 0; p < peers; p++) {
      y.append("---\napiVersion: projectcalico.org/v3\nkind: BGPPeer\nmetadata: {name: peer-").append(p)
          .append("}\nspec:\n");
      switch (r.nextInt(5)) {
        case 0 -> y.append("  peerIP: 10.1.0.").append(1 + r.nextInt(5)).append("\n  asNumber: 65100\n");
        case 1 -> y.append("  node: ").append(names.get(r.nextInt(n))).append("\n  peerIP: 10.1.0.9:1790\n")
            .append("  asNumber: 65101\n  keepaliveTime: 20s\n");
        case 2 -> y.append("  nodeSelector: rack == 'r1'\n  peerSelector: rack == 'r2'\n");
        case 3 -> y.append("  peerSelector: has(rack)\n  maxRestartTime: 90s\n");
        default -> y.append("  peerIP: \"[fd00::fe]:1790\"\n  asNumber: 65102\n  ttlSecurity: 2\n");
      }
    }
    String node = names.get(r.nextInt(n));
    ImageFixture f = new ImageFixture().resources(y.toString(), "seed " + seed);
    int blocks = r.nextInt(5);
    for (int b = 0; b < blocks; b++) {
      f.affinity(node, "192.168." + b + ".0/26", r.nextInt(5) == 0 ? "pending" : "confirmed");
    }
    ClusterImage image = f.build();
    RenderedConfig cfg = BirdRenderer.render(image, node, SecretResolver.NONE);
    assertThat(BirdRenderer.render(image, node, SecretResolver.NONE)).isEqualTo(cfg);
    assertThat(BirdRenderer.withBlocks(cfg, ClusterBgp.blocks(image, node), image.revision())).isEqualTo(cfg);
    Path dir = Files.createTempDirectory("cfd-prop-");
    try {
      BirdParser.Result res = BirdParser.parse(BirdParser.writeSet(cfg, dir));
      assertThat(res.code()).as("seed " + seed + ", node " + node + ":\n" + res.output() + "\n" + y + "\n"
          + cfg.bodies().get("bird.cfg")).isZero();
    } finally {
      try (Stream<Path> w = Files.walk(dir)) {
        w.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
