package org.calicoledger.bird.wire;

/** The address families this speaker carries: AFI/SAFI pairs of RFC 4760 (unicast only). */
public enum Family {
  IPV4_UNICAST(1, 1, 4),
  IPV6_UNICAST(2, 1, 16);

  private final int afi;
  private final int safi;
  private final int addressBytes;

  Family(int afi, int safi, int addressBytes) {
    this.afi = afi;
    this.safi = safi;
    this.addressBytes = addressBytes;
  }

  public int afi() {
    return afi;
  }

  public int safi() {
    return safi;
  }

  /** 4 or 16. */
  public int addressBytes() {
    return addressBytes;
  }

  public int maxLength() {
    return addressBytes * 8;
  }

  /** The family of an AFI/SAFI pair, or null when this speaker does not carry it. */
  public static Family of(int afi, int safi) {
    for (Family f : values()) {
      if (f.afi == afi && f.safi == safi) {
        return f;
      }
    }
    return null;
  }
}
