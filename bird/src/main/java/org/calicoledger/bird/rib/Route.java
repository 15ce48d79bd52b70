package org.calicoledger.bird.rib;

/**
 * One path to a prefix: its (interned) attributes, where it came from, whether it is stale (kept across the peer's
 * graceful restart until its End-of-RIB), and the peer's RFC 7911 path identifier (0 when the session does not
 * receive with ADD-PATH). A peer's paths to one prefix are told apart by {@code pathId}. 32 bytes with the object
 * header; the prefix is the map key, not a field.
 */
public record Route(RouteAttributes attributes, RibPeer source, boolean stale, int pathId) {
  public Route(RouteAttributes attributes, RibPeer source, boolean stale) {
    this(attributes, source, stale, 0);
  }

  public Route asStale() {
    return stale ? this : new Route(attributes, source, true, pathId);
  }
}
