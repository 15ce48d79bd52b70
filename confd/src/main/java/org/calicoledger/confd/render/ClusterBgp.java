package org.calicoledger.confd.render;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.calicoledger.events.image.BlockAffinity;
import org.calicoledger.events.image.ClusterImage;
import org.calicoledger.model.BGPConfiguration;
import org.calicoledger.model.BGPPeer;
import org.calicoledger.model.GoDuration;
import org.calicoledger.model.IPPool;
import org.calicoledger.model.Node;

/**
 * The part of a {@link ClusterImage} that BIRD's configuration depends on, read once per render: cluster BGP settings
 * ({@code BGPConfiguration default}), every Node's BGP facts, the BGPPeers, the IP pools and this node's blocks.
 * Anything not read here cannot change the rendered files, which is what lets {@code Confd} skip unrelated changes.
 *
 * @param clusterAs {@code default}'s {@code asNumber}, else 64512
 * @param meshPasswordRef {@code nodeMeshPassword}, resolved by the renderer
 * @param meshRestartTime {@code nodeMeshMaxRestartTime} in seconds, 0 when unset
 * @param blocks the CIDRs of this node's block affinities that are confirmed (or carry no state), sorted
 */
public record ClusterBgp(long clusterAs, boolean meshEnabled, org.calicoledger.model.SecretKeyRef meshPasswordRef,
    long meshRestartTime, int listenPort, Map<String, NodeBgp> nodes, Map<String, BGPPeer> peers, List<IPPool> pools,
    List<String> blocks) {

  public static final String DEFAULT_CONFIG = "default";

  public static ClusterBgp of(ClusterImage image, String nodename) {
    return of(image, nodename, new java.util.IdentityHashMap<>());
  }

  /**
   * As {@link #of(ClusterImage, String)}, reusing {@code known}: the NodeBgp of each decoded Node instance seen before
   * (an image hands out the same instance for an unchanged value). {@code known} is replaced by this image's entries.
   */
  public static ClusterBgp of(ClusterImage image, String nodename, Map<Node, NodeBgp> known) {
    BGPConfiguration cfg = image.bgpConfigurations().get(DEFAULT_CONFIG);
    BGPConfiguration.Spec s = cfg == null ? null : cfg.spec();
    long as = s != null && s.asNumber() != null ? s.asNumber().value() : BGPConfiguration.DEFAULT_AS;
    boolean mesh = s == null || s.meshEnabled();
    long restart = 0;
    if (s != null && s.nodeMeshMaxRestartTime() != null && !s.nodeMeshMaxRestartTime().isBlank()) {
      restart = seconds(s.nodeMeshMaxRestartTime(), "BGPConfiguration default spec.nodeMeshMaxRestartTime");
    }
    Map<String, NodeBgp> nodes = new LinkedHashMap<>();
    Map<Node, NodeBgp> now = new java.util.IdentityHashMap<>();
    for (Node n : image.nodes().values()) {
      NodeBgp b = known.get(n);
      if (b == null || b.as() != (n.spec().bgp() != null && n.spec().bgp().asNumber() != null
          ? n.spec().bgp().asNumber().value() : as)) {
        b = NodeBgp.of(n, as);
      }
      now.put(n, b);
      nodes.put(n.metadata().name(), b);
    }
    known.clear();
    known.putAll(now);
    List<IPPool> pools = new ArrayList<>();
    for (IPPool p : image.pools().values()) {
      pools.add(p.withDefaults());
    }
    List<String> blocks = blocks(image, nodename);
    return new ClusterBgp(as, mesh, s == null ? null : s.nodeMeshPassword(), restart, s == null ? 0 : s.listenPort(),
        Collections.unmodifiableMap(nodes), image.bgpPeers(), List.copyOf(pools), blocks);
  }

  /** The CIDRs of {@code nodename}'s block affinities that are confirmed (or carry no state), sorted. */
  public static List<String> blocks(ClusterImage image, String nodename) {
    List<String> blocks = new ArrayList<>();
    for (BlockAffinity a : image.blockAffinities().values()) {
      if (a.host().equals(nodename) && !a.deleted() && (a.state().isEmpty() || a.confirmed())) {
        blocks.add(a.cidr());
      }
    }
    Collections.sort(blocks);
    return List.copyOf(blocks);
  }

  /** A Go duration as whole seconds (BIRD's unit for restart and keepalive times). */
  static long seconds(String text, String where) {
    try {
      Duration d = GoDuration.parse(text.trim());
      return Math.max(1, d.toSeconds());
    } catch (IllegalArgumentException e) {
      throw new RenderException(where + " '" + text + "' is not a duration such as 120s or 2m: " + e.getMessage());
    }
  }
}
