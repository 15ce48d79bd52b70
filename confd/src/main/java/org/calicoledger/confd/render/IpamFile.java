package org.calicoledger.confd.render;

import java.util.Comparator;
import java.util.List;
import org.calicoledger.model.IPPool;
import org.calicoledger.model.net.Cidr;

/**
 * {@code bird_ipam.cfg} / {@code bird6_ipam.cfg}: what this node advertises and what BIRD programs into the kernel,
 * per IP pool (facts from Calico's confd templates, in BIRD 2 syntax).
 *
 * <p>{@code calico_export_to_bgp_peers(internal_peer)}: routes inside a pool with {@code disableBGPExport} are never
 * exported; to iBGP peers, routes on Felix's tunnel devices ({@code *.cali}, {@code *.calico}, {@code tunl0}) that
 * BIRD learned from the kernel are not exported either (they are other nodes' blocks); then {@code calico_aggr}; then
 * every other pool's routes are exported. A pool with {@code disabled: true} keeps being exported, as in Calico: it
 * stops new allocations, not the routes of the addresses already in use.
 *
 * <p>{@code calico_kernel_programming}: for a BGP route inside a pool, by the pool's mode: VXLAN (Always or
 * CrossSubnet) is rejected (Felix programs VXLAN routes); IPIP Always goes through {@code tunl0} to the BGP next hop
 * ({@code onlink}); IPIP CrossSubnet goes direct when the next hop is in this node's subnet, else through
 * {@code tunl0}; Never goes direct. Calico's BIRD 1 fork does this with {@code krt_tunnel}; stock BIRD 2 has no such
 * attribute, so the route's {@code ifname}, {@code onlink} and {@code gw} are set instead. Device routes are never
 * exported to the kernel (they are the kernel's own).
 */
final class IpamFile {
  private IpamFile() {}

  static String render(int v, List<IPPool> allPools, NodeBgp self) {
    String sfx = v == 4 ? "" : "6";
    List<IPPool> pools = allPools.stream().filter(p -> network(p) != null && network(p).version() == v)
        .sorted(Comparator.comparing(IpamFile::network)).toList();
    StringBuilder b = new StringBuilder();
    b.append("# Routes this node advertises: its blocks and other routes inside IP pools, never a pool with\n")
        .append("# disableBGPExport; to iBGP peers, never the tunnel routes Felix programs.\n");
    b.append("function calico_export_to_bgp_peers").append(sfx).append("(bool internal_peer) {\n");
    for (IPPool p : pools) {
      if (p.spec().disableBGPExport()) {
        b.append("  if (net ~ ").append(network(p)).append(") then reject; # pool ").append(p.metadata().name())
            .append(": disableBGPExport\n");
      }
    }
    b.append("  if (internal_peer) then {\n    if (defined(ifname)) then {\n")
        .append("      if ((ifname ~ \"*.cali\") || (ifname ~ \"*.calico\") || (ifname = \"tunl0\")) then reject;\n")
        .append("    }\n  }\n");
    b.append("  calico_aggr").append(sfx).append("();\n");
    for (IPPool p : pools) {
      if (!p.spec().disableBGPExport()) {
        b.append("  if (net ~ ").append(network(p)).append(") then accept; # pool ").append(p.metadata().name())
            .append(p.spec().disabled() ? " (disabled: no new allocations, routes still exported)" : "")
            .append("\n");
      }
    }
    b.append("}\n\n");
    b.append("# Routes BIRD programs into the kernel: per pool mode (tunnel or direct); other routes as learned.\n");
    b.append("filter calico_kernel_programming").append(sfx).append(" {\n");
    b.append("  if (defined(source) && (source = RTS_DEVICE)) then reject;\n");
    Cidr subnet = self.subnet(v);
    for (IPPool p : pools) {
      kernelRule(b, p, subnet);
    }
    b.append("  accept;\n}\n");
    return b.toString();
  }

  private static void kernelRule(StringBuilder b, IPPool p, Cidr subnet) {
    Cidr net = network(p);
    IPPool.EncapMode vxlan = p.spec().vxlan();
    IPPool.EncapMode ipip = p.spec().ipip();
    String name = p.metadata().name();
    if (vxlan.enabled()) {
      b.append("  if (net ~ ").append(net).append(") then reject; # pool ").append(name).append(": VXLAN ")
          .append(vxlan.wire()).append(", routes programmed by Felix\n");
      return;
    }
    b.append("  if (net ~ ").append(net).append(") then { # pool ").append(name).append(": IPIP ")
        .append(ipip.wire()).append("\n");
    if (ipip == IPPool.EncapMode.ALWAYS) {
      b.append("    if (defined(source) && (source = RTS_BGP)) then {\n");
      tunnel(b);
      b.append("    }\n");
    } else if (ipip == IPPool.EncapMode.CROSS_SUBNET) {
      b.append("    if (defined(source) && (source = RTS_BGP)) then {\n");
      if (subnet != null) {
        b.append("      if (defined(bgp_next_hop) && (bgp_next_hop ~ ").append(subnet)
            .append(")) then accept; # same subnet: direct\n");
      }
      tunnel(b);
      b.append("    }\n");
    }
    b.append("    accept;\n  }\n");
  }

  private static void tunnel(StringBuilder b) {
    b.append("      ifname = \"tunl0\";\n      onlink = true;\n      gw = bgp_next_hop;\n");
  }

  private static Cidr network(IPPool p) {
    try {
      return Cidr.parse(p.spec().cidr()).network();
    } catch (IllegalArgumentException | NullPointerException e) {
      return null;
    }
  }
}
