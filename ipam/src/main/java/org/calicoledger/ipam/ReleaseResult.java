package org.calicoledger.ipam;

import java.net.InetAddress;
import java.util.List;

/** What a release did: the addresses freed and those that were not assigned in the first place. */
public record ReleaseResult(List<InetAddress> released, List<InetAddress> notAssigned) {
  public ReleaseResult {
    released = List.copyOf(released);
    notAssigned = List.copyOf(notAssigned);
  }
}
