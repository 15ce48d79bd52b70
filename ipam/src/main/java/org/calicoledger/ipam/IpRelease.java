package org.calicoledger.ipam;

import java.net.InetAddress;

/**
 * One address to release. With {@code handle} and/or {@code sequenceNumber}, the release only happens if the
 * allocation still matches them (a report made earlier cannot free an address that was re-assigned since).
 */
public record IpRelease(InetAddress address, String handle, Long sequenceNumber) {
  public static IpRelease of(InetAddress address) {
    return new IpRelease(address, null, null);
  }
}
