package org.calicoledger.confd.render;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.calicoledger.model.BGPPeer;
import org.calicoledger.model.SecretResolver;
import org.calicoledger.model.net.Cidr;
import org.calicoledger.model.selector.Selector;
import org.calicoledger.model.selector.SelectorParseException;

/**
 * Which BGP sessions one node has, per IP version, following Calico's rules (facts read from Calico's confd):
 *
 * <ul>
 *   <li>Mesh: with {@code nodeToNodeMeshEnabled} (the default) and this node not a route reflector, one session to
 *       every other Node that has an address of the version and is not a route reflector; the peer's AS is its own
 *       (or the cluster's); passive towards every peer whose address compares greater as text (Calico compares the
 *       strings), so each pair has one active side; password {@code nodeMeshPassword}; restart time
 *       {@code nodeMeshMaxRestartTime}.
 *   <li>BGPPeers: global when neither {@code node} nor {@code nodeSelector} is set (name prefix {@code Global_}),
 *       otherwise for this node when {@code node} names it or {@code nodeSelector} selects its labels ({@code Node_}).
 *       The remote side is {@code peerIP} ({@code IP}, {@code IP:port}, {@code [IPv6]:port}) with {@code asNumber}, or
 *       every other Node that {@code peerSelector} selects (their own address and AS; a global one is passive towards
 *       greater addresses, as in the mesh).
 *   <li>Reverse peerings (unless {@code reversePeering: Manual}): when this node is what a BGPPeer peers with (its
 *       {@code peerSelector} selects this node, or its {@code peerIP} and {@code asNumber} are this node's), this node
 *       peers back with the BGPPeer's nodes ({@code Node_}). Per remote address and port, a global peering wins over a
 *       node-specific one, which wins over a reverse one.
 *   <li>Route reflection: when this node has a {@code routeReflectorClusterID}, every iBGP peer that is not in the same
 *       cluster is its client ({@code rr client; rr cluster id}).
 *   <li>Ourselves are never a peer; a second session to the same name (two BGPPeers to one address) is dropped.
 * </ul>
 * Output order: mesh, then global, then node-specific; each by address.
 */
public final class PeerPlanner {
  private PeerPlanner() {}

  public static List<Peering> plan(ClusterBgp c, NodeBgp self, int v, SecretResolver secrets) {
    String me = self.address(v);
    if (me == null) {
      return List.of();
    }
    Map<String, Peering> out = new LinkedHashMap<>();
    mesh(c, self, v, secrets).forEach(p -> out.putIfAbsent(p.name(), p));
    // Calico's order of precedence per remote address and port: global peerings, then this node's own, then the
    // reverse side of other nodes' peerings (a peering selected by a BGPPeer is configured on both of its ends).
    Map<String, Peering> global = new LinkedHashMap<>();
    Map<String, Peering> node = new LinkedHashMap<>();
    for (BGPPeer bp : c.peers().values()) {
      BGPPeer.Spec s = bp.spec();
      if (blank(s.node()) && blank(s.nodeSelector())) {
        explicit(c, self, v, bp, "Global", secrets).forEach(p -> global.putIfAbsent(key(p), p));
      }
    }
    for (BGPPeer bp : c.peers().values()) {
      BGPPeer.Spec s = bp.spec();
      if ((!blank(s.node()) || !blank(s.nodeSelector())) && appliesTo(bp, self)) {
        for (Peering p : explicit(c, self, v, bp, "Node", secrets)) {
          if (!global.containsKey(key(p))) {
            node.putIfAbsent(key(p), p);
          }
        }
      }
    }
    for (BGPPeer bp : c.peers().values()) {
      for (Peering p : reverse(c, self, v, bp, secrets)) {
        if (!global.containsKey(key(p))) {
          node.putIfAbsent(key(p), p);
        }
      }
    }
    List<Peering> g = new ArrayList<>(global.values());
    List<Peering> n = new ArrayList<>(node.values());
    g.sort(byAddress());
    n.sort(byAddress());
    g.forEach(p -> out.putIfAbsent(p.name(), p));
    n.forEach(p -> out.putIfAbsent(p.name(), p));
    return List.copyOf(out.values());
  }

  private static String key(Peering p) {
    return p.ip() + "|" + p.port();
  }

  /**
   * The other end of {@code bp} when this node is one of its remote nodes: selected by {@code peerSelector}, or the
   * node whose address and AS are {@code peerIP} and {@code asNumber}. Its peers are then the nodes {@code bp} is
   * for ({@code node}, {@code nodeSelector}, or every node for a global one), as {@code Node_} peerings.
   * {@code reversePeering: Manual} turns this off.
   */
  private static List<Peering> reverse(ClusterBgp c, NodeBgp self, int v, BGPPeer bp, SecretResolver secrets) {
    BGPPeer.Spec s = bp.spec();
    if ("Manual".equals(s.reversePeering())) {
      return List.of();
    }
    String me = self.address(v);
    boolean local;
    if (!blank(s.peerSelector())) {
      local = selector(s.peerSelector(), bp, "spec.peerSelector").matches(self.labels());
    } else if (!blank(s.peerIP())) {
      String[] hp = hostPort(s.peerIP(), bp);
      int port = Integer.parseInt(hp[1]);
      local = hp[0].equals(me) && s.asNumber() != null && s.asNumber().value() == self.as()
          && (port == 0 || port == c.listenPort() || (c.listenPort() == 0 && port == 179));
    } else {
      local = false;
    }
    if (!local) {
      return List.of();
    }
    Selector peersOf = !blank(s.nodeSelector()) ? selector(s.nodeSelector(), bp, "spec.nodeSelector") : null;
    List<Peering> list = new ArrayList<>();
    for (NodeBgp n : c.nodes().values()) {
      String ip = n.address(v);
      boolean selected = !blank(s.node()) ? s.node().equals(n.name()) : peersOf == null || peersOf.matches(n.labels());
      if (ip == null || ip.equals(me) || !selected) {
        continue;
      }
      list.add(nodePeering(c, self, v, bp, "Node", n, false, secrets));
    }
    return list;
  }

  private static List<Peering> mesh(ClusterBgp c, NodeBgp self, int v, SecretResolver secrets) {
    if (!c.meshEnabled() || self.routeReflector()) {
      return List.of();
    }
    String me = self.address(v);
    String password = password(secrets, c.meshPasswordRef(), "BGPConfiguration default spec.nodeMeshPassword");
    String note = c.meshPasswordRef() != null && password == null ? missing(c.meshPasswordRef()) : null;
    List<Peering> list = new ArrayList<>();
    for (NodeBgp n : c.nodes().values()) {
      String ip = n.address(v);
      if (ip == null || ip.equals(me) || n.routeReflector()) {
        continue;
      }
      list.add(new Peering("Mesh_" + symbol(ip), "mesh", ip, c.listenPort(), n.as(), self.as(), me,
          ip.compareTo(me) > 0, password, null, c.meshRestartTime(), 0, 0, null, note));
    }
    list.sort(byAddress());
    return list;
  }

  static boolean appliesTo(BGPPeer bp, NodeBgp self) {
    BGPPeer.Spec s = bp.spec();
    if (!blank(s.node())) {
      return s.node().equals(self.name());
    }
    return selector(s.nodeSelector(), bp, "spec.nodeSelector").matches(self.labels());
  }

  private static List<Peering> explicit(ClusterBgp c, NodeBgp self, int v, BGPPeer bp, String prefix,
      SecretResolver secrets) {
    BGPPeer.Spec s = bp.spec();
    String me = self.address(v);
    long localAs = s.localASNumber() != null ? s.localASNumber().value() : self.as();
    String password = password(secrets, s.password(), "BGPPeer " + bp.metadata().name() + " spec.password");
    String note = s.password() != null && password == null ? missing(s.password()) : null;
    String source = s.sourceAddress() == null || s.sourceAddress().isEmpty() || s.sourceAddress().equals("UseNodeIP")
        ? me : null;
    long restart = blank(s.maxRestartTime()) ? 0
        : ClusterBgp.seconds(s.maxRestartTime(), "BGPPeer " + bp.metadata().name() + " spec.maxRestartTime");
    long keepalive = blank(s.keepaliveTime()) ? 0
        : ClusterBgp.seconds(s.keepaliveTime(), "BGPPeer " + bp.metadata().name() + " spec.keepaliveTime");
    int ttl = s.ttlSecurity() == null ? 0 : s.ttlSecurity();
    List<Peering> list = new ArrayList<>();
    if (!blank(s.peerIP())) {
      String[] hp = hostPort(s.peerIP(), bp);
      String ip = hp[0];
      int port = Integer.parseInt(hp[1]);
      if (version(ip) != v || ip.equals(me) || s.asNumber() == null) {
        return list;
      }
      long as = s.asNumber().value();
      // as Calico: a global peering with another calico node is passive towards the greater address, like the mesh
      boolean calicoNode = c.nodes().values().stream().anyMatch(n -> ip.equals(n.address(v)));
      boolean passive = prefix.equals("Global") && calicoNode && ip.compareTo(me) > 0;
      list.add(new Peering(name(prefix, ip, port), prefix.toLowerCase(java.util.Locale.ROOT), ip, port, as, localAs,
          source, passive, password, rrCluster(self, as, localAs, null), restart, keepalive, ttl, nextHop(s, as, localAs),
          note));
    } else if (!blank(s.peerSelector())) {
      Selector sel = selector(s.peerSelector(), bp, "spec.peerSelector");
      for (NodeBgp n : c.nodes().values()) {
        String ip = n.address(v);
        if (ip == null || ip.equals(me) || !sel.matches(n.labels())) {
          continue;
        }
        list.add(nodePeering(c, self, v, bp, prefix, n, prefix.equals("Global") && ip.compareTo(me) > 0, secrets));
      }
    }
    return list;
  }

  /** A peering with Node {@code n} (its address of version {@code v} and its AS) configured by {@code bp}. */
  private static Peering nodePeering(ClusterBgp c, NodeBgp self, int v, BGPPeer bp, String prefix, NodeBgp n,
      boolean passive, SecretResolver secrets) {
    BGPPeer.Spec s = bp.spec();
    String me = self.address(v);
    String ip = n.address(v);
    long localAs = s.localASNumber() != null ? s.localASNumber().value() : self.as();
    String password = password(secrets, s.password(), "BGPPeer " + bp.metadata().name() + " spec.password");
    String note = s.password() != null && password == null ? missing(s.password()) : null;
    String source = s.sourceAddress() == null || s.sourceAddress().isEmpty() || s.sourceAddress().equals("UseNodeIP")
        ? me : null;
    long restart = blank(s.maxRestartTime()) ? 0
        : ClusterBgp.seconds(s.maxRestartTime(), "BGPPeer " + bp.metadata().name() + " spec.maxRestartTime");
    long keepalive = blank(s.keepaliveTime()) ? 0
        : ClusterBgp.seconds(s.keepaliveTime(), "BGPPeer " + bp.metadata().name() + " spec.keepaliveTime");
    int ttl = s.ttlSecurity() == null ? 0 : s.ttlSecurity();
    return new Peering(name(prefix, ip, c.listenPort()), prefix.toLowerCase(java.util.Locale.ROOT), ip,
        c.listenPort(), n.as(), localAs, source, passive, password, rrCluster(self, n.as(), localAs, n.rrClusterId()),
        restart, keepalive, ttl, nextHop(s, n.as(), localAs), note);
  }

  private static String rrCluster(NodeBgp self, long peerAs, long localAs, String peerCluster) {
    if (self.rrClusterId() == null || peerAs != localAs || self.rrClusterId().equals(peerCluster)) {
      return null;
    }
    return self.rrClusterId();
  }

  private static String nextHop(BGPPeer.Spec s, long peerAs, long localAs) {
    if ("Self".equals(s.nextHopMode())) {
      return "self";
    }
    if ("Keep".equals(s.nextHopMode()) || (s.keepOriginalNextHop() && peerAs != localAs)) {
      return "keep";
    }
    return null;
  }

  private static Selector selector(String text, BGPPeer bp, String field) {
    try {
      return Selector.parse(text == null ? "" : text);
    } catch (SelectorParseException e) {
      throw new RenderException("BGPPeer " + bp.metadata().name() + " " + field + " '" + text + "': "
          + e.getMessage());
    }
  }

  /** {@code IP}, {@code IP:port} or {@code [IPv6]:port} to {ip, port}; port 0 when not given. */
  static String[] hostPort(String text, BGPPeer bp) {
    String t = text.trim();
    String host = t;
    String port = "0";
    if (t.startsWith("[")) {
      int close = t.indexOf(']');
      host = close < 0 ? t : t.substring(1, close);
      if (close >= 0 && t.length() > close + 2 && t.charAt(close + 1) == ':') {
        port = t.substring(close + 2);
      }
    } else if (t.indexOf(':') >= 0 && t.indexOf(':') == t.lastIndexOf(':')) {
      host = t.substring(0, t.indexOf(':'));
      port = t.substring(t.indexOf(':') + 1);
    }
    try {
      int p = Integer.parseInt(port);
      if (p < 0 || p > 65535) {
        throw new NumberFormatException();
      }
      return new String[] {Cidr.parseAddress(host).addressString(), Integer.toString(p)};
    } catch (IllegalArgumentException e) {
      throw new RenderException("BGPPeer " + bp.metadata().name() + " spec.peerIP '" + text
          + "' is not IP, IP:port or [IPv6]:port");
    }
  }

  static int version(String ip) {
    return ip.indexOf(':') >= 0 ? 6 : 4;
  }

  private static String name(String prefix, String ip, int port) {
    return prefix + "_" + symbol(ip) + (port > 0 ? "_port_" + port : "");
  }

  /** Calico's protocol-name form of an address: dots and colons become underscores. */
  static String symbol(String ip) {
    return ip.replace('.', '_').replace(':', '_');
  }

  /** Numeric order of addresses (IPv4 before IPv6), parsing each address once per sort. */
  static Comparator<Peering> byAddress() {
    Map<String, byte[]> bytes = new java.util.HashMap<>();
    Comparator<Peering> c = (a, b) -> java.util.Arrays.compareUnsigned(
        bytes.computeIfAbsent(a.ip(), PeerPlanner::addressBytes), bytes.computeIfAbsent(b.ip(), PeerPlanner::addressBytes));
    return c.thenComparingInt(Peering::port);
  }

  private static byte[] addressBytes(String ip) {
    return Cidr.parseAddress(ip).address().getAddress();
  }

  private static String missing(org.calicoledger.model.SecretKeyRef ref) {
    return "password secret " + ref.secretKeyRef().name() + "/" + ref.secretKeyRef().key()
        + " not found: configured without a password";
  }

  /** BIRD's string literals have no escapes: a password with a quote, backslash or line break cannot be written. */
  private static String password(SecretResolver secrets, org.calicoledger.model.SecretKeyRef ref, String where) {
    String pw = secrets.resolve(ref).orElse(null);
    if (pw != null && (pw.indexOf('"') >= 0 || pw.indexOf('\\') >= 0 || pw.indexOf('\n') >= 0
        || pw.indexOf('\r') >= 0)) {
      throw new RenderException(where + ": the secret " + ref.secretKeyRef().name() + "/" + ref.secretKeyRef().key()
          + " holds a quote, backslash or line break, which a BIRD password cannot contain; use printable"
          + " characters without those");
    }
    return pw;
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }
}
