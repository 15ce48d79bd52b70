package org.calicoledger.bird.rib;

/**
 * One path to a prefix: its (interned) attributes, where it came from, and whether it is stale (kept across the
 * peer's graceful restart until its End-of-RIB). 24 bytes; the prefix is the map key, not a field.
 */
public record Route(RouteAttributes attributes, RibPeer source, boolean stale) {
  public Route asStale() {
    return stale ? this : new Route(attributes, source, true);
  }
}
