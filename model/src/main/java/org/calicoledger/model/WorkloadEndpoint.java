package org.calicoledger.model;

import static com.fasterxml.jackson.annotation.JsonInclude.Include.NON_EMPTY;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * A pod's (or container's) interface: its addresses, host-side interface, node and profiles. Namespaced. The name is
 * derived from the spec as Calico does ({@link #expectedName(Spec)}).
 */
public record WorkloadEndpoint(ObjectMeta metadata, @JsonInclude(JsonInclude.Include.ALWAYS) Spec spec)
    implements Resource {

  public WorkloadEndpoint {
    spec = spec == null
        ? new Spec(null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null)
        : spec;
  }

  @JsonInclude(NON_EMPTY)
  public record Spec(
      String orchestrator,
      String workload,
      String node,
      String containerID,
      String pod,
      String endpoint,
      String serviceAccountName,
      List<String> ipNetworks,
      List<IPNAT> ipNATs,
      String ipv4Gateway,
      String ipv6Gateway,
      List<String> profiles,
      String interfaceName,
      String mac,
      List<Port> ports,
      List<String> allowSpoofedSourcePrefixes,
      QoSControls qosControls) {}

  public record IPNAT(String internalIP, String externalIP) {}

  public record Port(String name, IntOrString protocol, int port, int hostPort,
      @JsonInclude(JsonInclude.Include.ALWAYS) String hostIP) {}

  @JsonInclude(NON_EMPTY)
  public record QoSControls(
      Long ingressBandwidth, Long ingressBurst, Long ingressPeakrate, Long ingressMinburst,
      Long egressBandwidth, Long egressBurst, Long egressPeakrate, Long egressMinburst,
      Long ingressPacketRate, Long ingressPacketBurst, Long egressPacketRate, Long egressPacketBurst,
      Long ingressMaxConnections, Long egressMaxConnections, IntOrString dscp) {}

  @Override
  public WorkloadEndpoint withMetadata(ObjectMeta m) {
    return new WorkloadEndpoint(m, spec);
  }

  /**
   * Calico's name for an endpoint: {@code <node>-k8s-<pod>-<endpoint>} for Kubernetes, {@code <node>-cni-<containerID>-<endpoint>}
   * for plain CNI, else {@code <node>-<orchestrator>-<workload>-<endpoint>}; every {@code -} inside a part is doubled so the
   * parts can be split again.
   */
  public static String expectedName(Spec s) {
    String orch = s.orchestrator() == null ? "" : s.orchestrator();
    String middle = switch (orch) {
      case "k8s" -> s.pod();
      case "cni" -> s.containerID();
      case "libnetwork" -> "libnetwork";
      default -> s.workload();
    };
    return String.join("-", escape(s.node()), escape(orch), escape(middle), escape(s.endpoint()));
  }

  private static String escape(String part) {
    return part == null ? "" : part.replace("-", "--");
  }
}
