package org.calicoledger.confd.render;

import java.util.List;

/**
 * {@code bird.cfg} (IPv4, and the one file BIRD loads) and {@code bird6.cfg} (IPv6, included by it): BIRD 2 runs one
 * daemon for both families, so the IPv6 half is a file of its own with its own protocol, template and function names
 * ({@code kernel6}, {@code bgp_template6}, {@code calico_kernel_programming6}), and the IPv4 half pulls it in.
 *
 * <p>Calico's settings kept here (read from its confd templates): device scan every 2 s; {@code direct} on every
 * interface except {@code cali*} and {@code kube-ipvs*}; {@code kernel} with {@code learn}, {@code persist},
 * {@code scan time 2}, {@code graceful restart}, {@code merge paths on}, import all, export through the kernel
 * programming filter; BGP sessions from one template with {@code graceful restart}, {@code connect delay time 2},
 * {@code connect retry time 5}, {@code error wait time 5,30}, {@code gateway recursive}, {@code add paths on}, import
 * all, export through {@code calico_export_to_bgp_peers}.
 */
final class MainFile {
  private MainFile() {}

  static String render(int v, NodeBgp self, List<Peering> peers) {
    String sfx = v == 4 ? "" : "6";
    String ch = v == 4 ? "ipv4" : "ipv6";
    StringBuilder b = new StringBuilder();
    if (v == 4) {
      b.append("# One BIRD 2 daemon serves both IP versions: BIRD loads this file; bird6.cfg (included at the end)\n")
          .append("# holds the IPv6 protocols.\n");
      b.append("router id ").append(self.ipv4()).append(";\n");
      b.append("# To stderr: calico-node keeps BIRD's output in $CALICO_RUN_DIR/bird.log.\n");
      b.append("log stderr all;\n\n");
    } else {
      b.append("# The IPv6 half of this node's BIRD 2 configuration, included by bird.cfg.\n");
    }
    b.append("include \"bird").append(sfx).append("_aggr.cfg\";\n");
    b.append("include \"bird").append(sfx).append("_ipam.cfg\";\n\n");
    if (v == 4) {
      b.append("# Interface state for every protocol.\n");
      b.append("protocol device {\n  scan time 2;\n}\n\n");
      b.append("# The host's interface routes, except workload (cali*) and kube-ipvs* interfaces.\n");
      b.append("protocol direct {\n  ipv4;\n  ipv6;\n  interface -\"cali*\", -\"kube-ipvs*\", \"*\";\n}\n\n");
    }
    b.append("# Learned routes into the kernel (through calico_kernel_programming").append(sfx)
        .append("); alien kernel routes learned.\n");
    b.append("protocol kernel kernel").append(v).append(" {\n");
    b.append("  learn;\n  persist;\n  scan time 2;\n  graceful restart;\n  merge paths on;\n");
    b.append("  ").append(ch).append(" {\n    import all;\n    export filter calico_kernel_programming").append(sfx)
        .append(";\n  };\n}\n\n");
    b.append("# Every BGP session starts from this template (Calico's timers and graceful restart).\n");
    b.append("template bgp bgp_template").append(sfx).append(" {\n");
    b.append("  description \"Connection to BGP peer\";\n");
    b.append("  local as ").append(self.as()).append(";\n");
    b.append("  graceful restart;\n  connect delay time 2;\n  connect retry time 5;\n  error wait time 5,30;\n");
    b.append("  ").append(ch).append(" {\n    import all;\n    gateway recursive;\n    add paths on;\n  };\n}\n");
    if (self.address(v) == null) {
      b.append("\n# This node has no IPv").append(v).append(" address (Node spec.bgp.ipv").append(v)
          .append("Address): no IPv").append(v).append(" sessions.\n");
    } else {
      section(b, "Node-to-node mesh", peers, "mesh", v, self);
      section(b, "Global peers", peers, "global", v, self);
      section(b, "Node-specific peers", peers, "node", v, self);
    }
    if (v == 4) {
      b.append("\ninclude \"bird6.cfg\";\n");
    }
    return b.toString();
  }

  private static void section(StringBuilder b, String title, List<Peering> peers, String type, int v, NodeBgp self) {
    b.append("\n# ------------- ").append(title).append(" -------------\n");
    List<Peering> these = peers.stream().filter(p -> p.type().equals(type)).toList();
    if (these.isEmpty()) {
      if (type.equals("mesh") && self.routeReflector()) {
        b.append("# This node is a route reflector (cluster ID ").append(self.rrClusterId())
            .append("): no node-to-node mesh.\n");
      } else {
        b.append("# None.\n");
      }
      return;
    }
    for (Peering p : these) {
      peer(b, p, v, self.as());
    }
  }

  private static void peer(StringBuilder b, Peering p, int v, long selfAs) {
    String sfx = v == 4 ? "" : "6";
    if (p.note() != null) {
      b.append("# ").append(p.note()).append("\n");
    }
    b.append("protocol bgp ").append(p.name()).append(" from bgp_template").append(sfx).append(" {\n");
    if (p.localAs() != selfAs) {
      b.append("  local as ").append(p.localAs()).append(";\n");
    }
    b.append("  neighbor ").append(p.ip());
    if (p.port() > 0) {
      b.append(" port ").append(p.port());
    }
    b.append(" as ").append(p.as()).append(";\n");
    if (p.sourceAddress() != null) {
      b.append("  source address ").append(p.sourceAddress()).append(";\n");
    }
    if (p.ttlSecurity() > 0) {
      b.append("  ttl security on;\n  multihop ").append(p.ttlSecurity()).append(";\n");
    } else {
      b.append("  multihop;\n");
    }
    if (p.passive()) {
      b.append("  passive on; # one active side per pair: the peer's address is greater\n");
    }
    if (p.restartTime() > 0) {
      b.append("  graceful restart time ").append(p.restartTime()).append(";\n");
    }
    if (p.keepaliveTime() > 0) {
      b.append("  keepalive time ").append(p.keepaliveTime()).append(";\n");
    }
    if (p.rrClusterId() != null) {
      b.append("  rr client;\n  rr cluster id ").append(p.rrClusterId()).append(";\n");
    }
    if (p.password() != null) {
      b.append("  password \"").append(p.password()).append("\";\n");
    }
    b.append("  ").append(v == 4 ? "ipv4" : "ipv6").append(" {\n");
    if (p.nextHop() != null) {
      b.append("    next hop ").append(p.nextHop()).append(";\n");
    }
    b.append("    export filter { calico_export_to_bgp_peers").append(sfx).append("(").append(p.internal())
        .append("); reject; };\n  };\n}\n");
  }
}
