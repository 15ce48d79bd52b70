package org.calicoledger.felix;

import java.util.ArrayList;
import java.util.List;

/**
 * The parts of Felix in apply order (devices and sysctls, then ipsets, then iptables, then WireGuard, then routes;
 * {@code Felix} walks the list backwards for removals it can separate). Each part's issue adds its line here.
 */
public final class FelixParts {
  private FelixParts() {}

  public static List<FelixPart> all(FelixContext ctx) {
    List<FelixPart> parts = new ArrayList<>();
    // felix part A: devices and sysctls first, routes last; the three share one calc graph and one ip runner
    org.calicoledger.felix.calc.CalcGraph graph = new org.calicoledger.felix.calc.CalcGraph(ctx);
    org.calicoledger.felix.kernel.IpTool ip = new org.calicoledger.felix.kernel.IpTool(null);
    parts.add(new org.calicoledger.felix.dataplane.devices.TunnelDevices(ctx, graph, ip));
    parts.add(new org.calicoledger.felix.dataplane.sysctl.Sysctls(graph, ip));
    // policy: one active-rules calculation feeds the ipsets part (selector sets) and the iptables part (chains)
    org.calicoledger.felix.calc.policy.PolicyCalc policy = new org.calicoledger.felix.calc.policy.PolicyCalc(ctx.nodename());
    parts.add(new org.calicoledger.felix.dataplane.ipsets.IpSetsPart(org.calicoledger.felix.kernel.HostCommands.LOCAL, policy));
    parts.add(new org.calicoledger.felix.dataplane.iptables.IptablesPart(ctx, org.calicoledger.felix.kernel.HostCommands.LOCAL, policy));
    parts.add(new org.calicoledger.felix.dataplane.wireguard.WireguardPart(ctx, org.calicoledger.felix.kernel.HostCommands.LOCAL));
    parts.add(new org.calicoledger.felix.dataplane.routes.RouteTable(graph, ip)); // keep last: routes after devices
    return parts;
  }
}
