package org.calicoledger.bird.calico;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.calicoledger.bird.io.PeerConfig;
import org.calicoledger.bird.wire.Prefix;
import org.calicoledger.events.image.BlockAffinity;
import org.calicoledger.events.image.ClusterImage;
import org.calicoledger.model.BGPConfiguration;
import org.calicoledger.model.BGPPeer;
import org.calicoledger.model.IPPool;
import org.calicoledger.model.Node;
import org.calicoledger.model.SecretKeyRef;
import org.calicoledger.model.SecretResolver;
import org.calicoledger.model.WorkloadEndpoint;
import org.calicoledger.model.selector.Selector;

/**
 * Calico's BGP behaviour (as its confd templates configure BIRD) computed from a {@link ClusterImage}, pure:
 * <ul>
 *   <li>AS: {@code Node.spec.bgp.asNumber}, else {@code BGPConfiguration default} {@code asNumber}, else 64512;</li>
 *   <li>node-to-node mesh with every other Node that has {@code spec.bgp.ipv4Address}, unless {@code
 *       nodeToNodeMeshEnabled: false}; passive towards a peer whose address sorts after ours as text (Calico
 *       compares the strings);</li>
 *   <li>BGPPeers that apply to this node (global: no {@code node} and no {@code nodeSelector}; {@code node} = ours;
 *       {@code nodeSelector} matching our labels), to {@code peerIP} ({@code IP}, {@code IP:port}, {@code [IPv6]:port})
 *       with {@code asNumber}, or to the Nodes {@code peerSelector} picks (passive by the same rule); a peer that is a
 *       Node in another route reflector cluster than ours (or in none) is our client when we have
 *       {@code routeReflectorClusterID};</li>
 *   <li>exports: our confirmed block affinities inside an enabled pool without {@code disableBGPExport}; and the
 *       addresses of this node's WorkloadEndpoints that lie in no block affine to this node (borrowed from another
 *       host's block), each as a host route ({@code /32}, {@code /128}) when inside such a pool. Calico's BIRD
 *       exports the same routes by learning Felix's kernel route to the pod; here they come from the image.</li>
 *   <li>TCP MD5 passwords: {@code nodeMeshPassword} for the mesh, a BGPPeer's {@code password} for its peers, each a
 *       {@code secretKeyRef} the given {@link SecretResolver} reads (files {@code <dir>/<name>/<key>}, as confd does);
 *       a secret that does not resolve leaves the session without a password, as in confd.</li>
 * </ul>
 * Returns null while this node has no {@code spec.bgp.ipv4Address}.
 */
public final class BgpPlanner {
  private BgpPlanner() {}

  public static BgpPlan plan(ClusterImage image, String nodename, Duration holdTime) {
    return plan(image, nodename, holdTime, SecretResolver.NONE);
  }

  public static BgpPlan plan(ClusterImage image, String nodename, Duration holdTime, SecretResolver secrets) {
    Node me = image.nodes().get(nodename);
    if (me == null || me.spec().bgp() == null || blank(me.spec().bgp().ipv4Address())) {
      return null;
    }
    String myIp = address(me.spec().bgp().ipv4Address());
    String myIp6 = blank(me.spec().bgp().ipv6Address()) ? null : address(me.spec().bgp().ipv6Address());
    BGPConfiguration conf = image.bgpConfigurations().get("default");
    BGPConfiguration.Spec spec = conf == null ? null : conf.spec();
    long globalAs = spec != null && spec.asNumber() != null ? spec.asNumber().value() : BGPConfiguration.DEFAULT_AS;
    long localAs = asOf(me, globalAs);
    String myCluster = me.spec().bgp().routeReflectorClusterID();
    long clusterId = blank(myCluster) ? -1 : Prefix.parse(myCluster).lo();
    int port = spec != null && spec.listenPort() > 0 ? spec.listenPort() : 179;

    Map<String, PeerConfig> peers = new LinkedHashMap<>();
    if (spec == null || spec.meshEnabled()) {
      String meshPassword = password(secrets, spec == null ? null : spec.nodeMeshPassword());
      for (Node n : image.nodes().values()) {
        String ip = nodeIp(n);
        if (ip != null && !ip.equals(myIp)) {
          peers.putIfAbsent(ip, new PeerConfig(ip, 179, asOf(n, globalAs), "node-to-node mesh",
              ip.compareTo(myIp) > 0, false, meshPassword, holdTime));
        }
      }
    }
    for (BGPPeer p : image.bgpPeers().values()) {
      BGPPeer.Spec s = p.spec();
      boolean global = blank(s.node()) && blank(s.nodeSelector());
      boolean applies = global || nodename.equals(s.node())
          || (!blank(s.nodeSelector()) && Selector.parse(s.nodeSelector()).matches(me.metadata().labels()));
      if (!applies) {
        continue;
      }
      String type = global ? "global" : "node specific";
      String password = password(secrets, s.password());
      if (!blank(s.peerIP())) {
        String[] hp = hostPort(s.peerIP());
        if (!hp[0].equals(myIp) && s.asNumber() != null) {
          peers.putIfAbsent(hp[0], new PeerConfig(hp[0], Integer.parseInt(hp[1]), s.asNumber().value(), type,
              false, false, password, holdTime));
        }
      } else if (!blank(s.peerSelector())) {
        Selector sel = Selector.parse(s.peerSelector());
        for (Node n : image.nodes().values()) {
          String ip = nodeIp(n);
          if (ip == null || ip.equals(myIp) || !sel.matches(n.metadata().labels())) {
            continue;
          }
          String theirCluster = n.spec().bgp().routeReflectorClusterID();
          boolean client = clusterId >= 0 && !myCluster.equals(theirCluster);
          peers.put(ip, new PeerConfig(ip, 179, asOf(n, globalAs), "node specific", ip.compareTo(myIp) > 0,
              client, password, holdTime));
        }
      }
    }
    List<PeerConfig> list = new ArrayList<>(peers.values());
    list.sort(Comparator.comparing(PeerConfig::address));

    List<Prefix> pools = new ArrayList<>();
    List<Prefix> exportable = new ArrayList<>();
    for (IPPool pool : image.pools().values()) {
      if (pool.spec().disabled() || blank(pool.spec().cidr())) {
        continue;
      }
      Prefix c = Prefix.parse(pool.spec().cidr());
      pools.add(c);
      if (!pool.spec().disableBGPExport()) {
        exportable.add(c);
      }
    }
    Set<Prefix> exports = new HashSet<>();
    for (BlockAffinity a : image.blockAffinities().values()) {
      if (a.host().equals(nodename) && a.confirmed()) {
        Prefix b = Prefix.parse(a.cidr());
        if (exportable.stream().anyMatch(pool -> pool.contains(b))) {
          exports.add(b);
        }
      }
    }
    exports.addAll(borrowed(image, nodename, exportable));
    return new BgpPlan(myIp, myIp6, localAs, clusterId, port, List.copyOf(list), Set.copyOf(exports),
        List.copyOf(pools));
  }

  /** This node's workload addresses outside every block affine to it (any state), inside an exporting pool. */
  static Set<Prefix> borrowed(ClusterImage image, String nodename, List<Prefix> exportable) {
    List<Prefix> own = new ArrayList<>();
    for (BlockAffinity a : image.blockAffinities().values()) {
      if (a.host().equals(nodename)) {
        own.add(Prefix.parse(a.cidr()));
      }
    }
    Set<Prefix> out = new HashSet<>();
    for (WorkloadEndpoint w : image.workloadEndpoints().values()) {
      if (w.spec() == null || !nodename.equals(w.spec().node()) || w.spec().ipNetworks() == null) {
        continue;
      }
      for (String net : w.spec().ipNetworks()) {
        Prefix p;
        try {
          p = Prefix.parse(net.contains("/") ? net : net + (net.contains(":") ? "/128" : "/32"));
        } catch (RuntimeException e) {
          continue; // not an address: the endpoint's own validation reports it
        }
        boolean host = p.length() == (p.v6() ? 128 : 32);
        if (host && own.stream().noneMatch(b -> b.contains(p)) && exportable.stream().anyMatch(pool -> pool.contains(p))) {
          out.add(p);
        }
      }
    }
    return out;
  }

  private static String password(SecretResolver secrets, SecretKeyRef ref) {
    return ref == null ? null : secrets.resolve(ref).orElse(null);
  }

  private static long asOf(Node n, long global) {
    return n.spec().bgp() != null && n.spec().bgp().asNumber() != null ? n.spec().bgp().asNumber().value() : global;
  }

  private static String nodeIp(Node n) {
    return n.spec().bgp() == null || blank(n.spec().bgp().ipv4Address()) ? null : address(n.spec().bgp().ipv4Address());
  }

  /** {@code 10.0.0.1/24} to {@code 10.0.0.1}. */
  static String address(String withMask) {
    String a = withMask.contains("/") ? withMask.substring(0, withMask.indexOf('/')) : withMask;
    return Prefix.parse(a).toString().replaceAll("/\\d+$", "");
  }

  /** {@code IP}, {@code IP:port} or {@code [IPv6]:port} to host and port. */
  static String[] hostPort(String peerIp) {
    String v = peerIp.trim();
    if (v.startsWith("[")) {
      int close = v.indexOf(']');
      String port = v.length() > close + 2 ? v.substring(close + 2) : "179";
      return new String[] {address(v.substring(1, close)), port};
    }
    int colon = v.indexOf(':');
    if (colon > 0 && v.indexOf(':', colon + 1) < 0) {
      return new String[] {address(v.substring(0, colon)), v.substring(colon + 1)};
    }
    return new String[] {address(v), "179"};
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }
}
