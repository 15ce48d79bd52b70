package org.calicoledger.felix.calc;

/** The {@code tunl0} device this node wants (where the kernel has ipip): its tunnel address ({@code /32}) and MTU. */
public record IpipDevice(String address, int mtu) {
  public static final String NAME = "tunl0";
}
