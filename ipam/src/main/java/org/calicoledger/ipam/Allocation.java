package org.calicoledger.ipam;

import java.net.InetAddress;
import java.util.Map;
import org.calicoledger.model.net.Cidr;

/** One assigned address as the block records it (Calico's {@code GetAssignmentAttributes}). */
public record Allocation(InetAddress address, Cidr block, String blockHost, String handle, Map<String, String> attributes,
    long sequenceNumber) {
  public String text() {
    return Cidr.format(address);
  }

  /** The node the allocation was made for ({@code node} attribute), or null. */
  public String node() {
    return attributes == null ? null : attributes.get("node");
  }

  /** Assigned from a block affine to another node than the one it was made for. */
  public boolean borrowed() {
    return node() != null && !node().equals(blockHost);
  }
}
