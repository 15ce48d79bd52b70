package org.calicoledger.ipam;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.calicoledger.model.net.Cidr;

/** The addresses an {@link Ipam#autoAssign} handed out, per family. */
public record Assignment(List<Address> ipv4, List<Address> ipv6) {
  public Assignment {
    ipv4 = List.copyOf(ipv4);
    ipv6 = List.copyOf(ipv6);
  }

  /** One address, the block it came from and the sequence number its allocation carries. */
  public record Address(InetAddress ip, Cidr block, long sequenceNumber) {
    /** {@code 10.0.0.5} or {@code fd00::5}. */
    public String text() {
      return Cidr.format(ip);
    }

    public IpRelease release(String handle) {
      return new IpRelease(ip, handle, sequenceNumber);
    }
  }

  public List<Address> all() {
    List<Address> out = new ArrayList<>(ipv4);
    out.addAll(ipv6);
    return out;
  }
}
