package org.calicoledger.confd.render;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.calicoledger.events.image.ClusterImage;
import org.calicoledger.model.SecretResolver;

/**
 * The pure function at confd's heart: (cluster image, node name, secrets) to this node's BIRD 2 configuration files.
 *
 * <p>Output, always all six files (Calico's names): {@code bird.cfg} (router id, device, direct, kernel, BGP template
 * and sessions; the file BIRD loads), {@code bird_aggr.cfg}, {@code bird_ipam.cfg}, and their IPv6 counterparts
 * {@code bird6.cfg} (included by {@code bird.cfg}: one BIRD 2 daemon serves both families), {@code bird6_aggr.cfg},
 * {@code bird6_ipam.cfg}. Every file parses with {@code bird -p} when the six lie in one directory.
 *
 * <p>Invariants: the same inputs give byte-identical bodies; only the header's revision line depends on the image's
 * revision; the inputs read are exactly those of {@link ClusterBgp}.
 *
 * @throws RenderException when the node is unknown or has no IPv4 address (BIRD needs one as router id), or a
 *     resource it depends on cannot be used (its message names the resource, the field and the value)
 */
public final class BirdRenderer {
  public static final List<String> FILES = List.of("bird.cfg", "bird_aggr.cfg", "bird_ipam.cfg", "bird6.cfg",
      "bird6_aggr.cfg", "bird6_ipam.cfg");

  private BirdRenderer() {}

  public static RenderedConfig render(ClusterImage image, String nodename, SecretResolver secrets) {
    return render(ClusterBgp.of(image, nodename), image.revision(), nodename, secrets);
  }

  public static RenderedConfig render(ClusterBgp c, long revision, String nodename, SecretResolver secrets) {
    NodeBgp self = c.nodes().get(nodename);
    if (self == null) {
      throw new RenderException("Node " + nodename + " does not exist: calico-node registers it at start");
    }
    if (self.ipv4() == null) {
      throw new RenderException("Node " + nodename + " has no spec.bgp.ipv4Address: BIRD needs an IPv4 address as"
          + " its router id; set IP on calico-node (or the Node's spec.bgp.ipv4Address)");
    }
    List<String> v4Blocks = v4(c.blocks());
    List<String> v6Blocks = v6(c.blocks());
    Map<String, String> files = new LinkedHashMap<>();
    List<Peering> v4 = PeerPlanner.plan(c, self, 4, secrets);
    List<Peering> v6 = PeerPlanner.plan(c, self, 6, secrets);
    files.put("bird.cfg", MainFile.render(4, self, v4));
    files.put("bird_aggr.cfg", AggrFile.render(4, v4Blocks));
    files.put("bird_ipam.cfg", IpamFile.render(4, c.pools(), self));
    files.put("bird6.cfg", MainFile.render(6, self, v6));
    files.put("bird6_aggr.cfg", AggrFile.render(6, v6Blocks));
    files.put("bird6_ipam.cfg", IpamFile.render(6, c.pools(), self));
    List<Peering> all = new java.util.ArrayList<>(v4);
    all.addAll(v6);
    return new RenderedConfig(revision, files, all);
  }

  /**
   * {@code previous} with only the block files rendered again for {@code blocks}, at {@code revision}: equal to a full
   * render when nothing but this node's blocks changed since {@code previous} (no other file reads them).
   */
  public static RenderedConfig withBlocks(RenderedConfig previous, List<String> blocks, long revision) {
    Map<String, String> files = new LinkedHashMap<>(previous.bodies());
    files.put("bird_aggr.cfg", AggrFile.render(4, v4(blocks)));
    files.put("bird6_aggr.cfg", AggrFile.render(6, v6(blocks)));
    return new RenderedConfig(revision, files, previous.peerings());
  }

  private static List<String> v4(List<String> blocks) {
    return blocks.stream().filter(b -> b.indexOf(':') < 0).toList();
  }

  private static List<String> v6(List<String> blocks) {
    return blocks.stream().filter(b -> b.indexOf(':') >= 0).toList();
  }
}
