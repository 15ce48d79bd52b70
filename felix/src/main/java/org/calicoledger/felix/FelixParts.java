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
    parts.add(new org.calicoledger.felix.dataplane.ipsets.IpSetsPart(org.calicoledger.felix.kernel.HostCommands.LOCAL));
    parts.add(new org.calicoledger.felix.dataplane.iptables.IptablesPart(ctx, org.calicoledger.felix.kernel.HostCommands.LOCAL));
    return parts;
  }
}
