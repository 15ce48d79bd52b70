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
    return parts;
  }
}
