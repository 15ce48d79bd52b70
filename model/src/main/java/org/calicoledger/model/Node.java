package org.calicoledger.model;

import static com.fasterxml.jackson.annotation.JsonInclude.Include.ALWAYS;
import static com.fasterxml.jackson.annotation.JsonInclude.Include.NON_EMPTY;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * A host running calico-node: its BGP addresses and AS, tunnel addresses, and the WireGuard key it published.
 * {@code spec} and {@code status} are always written, even when empty, as Calico does.
 */
public record Node(
    ObjectMeta metadata,
    @JsonInclude(ALWAYS) Spec spec,
    @JsonInclude(ALWAYS) Status status) implements Resource {

  public Node {
    spec = spec == null ? new Spec(null, null, null, null, null, null, null, null, null) : spec;
    status = status == null ? new Status(null, null, null) : status;
  }

  @JsonInclude(NON_EMPTY)
  public record Spec(
      BGP bgp,
      String ipv4VXLANTunnelAddr,
      String vxlanTunnelMACAddr,
      String ipv6VXLANTunnelAddr,
      String vxlanTunnelMACAddrV6,
      List<OrchRef> orchRefs,
      Wireguard wireguard,
      List<Address> addresses,
      List<Interface> interfaces) {}

  @JsonInclude(NON_EMPTY)
  public record BGP(
      AsNumber asNumber,
      String ipv4Address,
      String ipv6Address,
      String ipv4IPIPTunnelAddr,
      String routeReflectorClusterID) {}

  @JsonInclude(NON_EMPTY)
  public record Wireguard(String interfaceIPv4Address, String interfaceIPv6Address) {}

  @JsonInclude(NON_EMPTY)
  public record OrchRef(String nodeName, @JsonInclude(ALWAYS) String orchestrator) {}

  @JsonInclude(NON_EMPTY)
  public record Address(@JsonInclude(ALWAYS) String address, String type) {}

  @JsonInclude(NON_EMPTY)
  public record Interface(String name, List<String> addresses) {}

  @JsonInclude(NON_EMPTY)
  public record Status(String wireguardPublicKey, String wireguardPublicKeyV6, List<String> podCIDRs) {}

  @Override
  public Node withMetadata(ObjectMeta m) {
    return new Node(m, spec, status);
  }
}
