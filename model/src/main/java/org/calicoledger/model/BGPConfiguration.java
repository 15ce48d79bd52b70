package org.calicoledger.model;

import static com.fasterxml.jackson.annotation.JsonInclude.Include.NON_DEFAULT;
import static com.fasterxml.jackson.annotation.JsonInclude.Include.NON_EMPTY;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * Cluster BGP settings ({@code default}) or one node's ({@code node.<name>}). Some fields are only allowed on
 * {@code default}; see {@link Validation}.
 */
public record BGPConfiguration(ObjectMeta metadata, @JsonInclude(JsonInclude.Include.ALWAYS) Spec spec)
    implements Resource {
  public static final long DEFAULT_AS = 64512;

  public BGPConfiguration {
    spec = spec == null ? Spec.EMPTY : spec;
  }

  @JsonInclude(NON_EMPTY)
  public record Spec(
      String logSeverityScreen,
      Boolean nodeToNodeMeshEnabled,
      AsNumber asNumber,
      List<CidrBlock> serviceLoadBalancerIPs,
      List<CidrBlock> serviceExternalIPs,
      List<CidrBlock> serviceClusterIPs,
      String serviceLoadBalancerAggregation,
      List<Community> communities,
      List<PrefixAdvertisement> prefixAdvertisements,
      @JsonInclude(NON_DEFAULT) int listenPort,
      SecretKeyRef nodeMeshPassword,
      String nodeMeshMaxRestartTime,
      String bindMode,
      List<String> ignoredInterfaces,
      String localWorkloadPeeringIPV4,
      String localWorkloadPeeringIPV6,
      String programClusterRoutes,
      Integer ipv4NormalRoutePriority,
      Integer ipv6NormalRoutePriority) {
    static final Spec EMPTY = new Spec(null, null, null, null, null, null, null, null, null, 0, null, null, null,
        null, null, null, null, null, null);

    /** The mesh is on unless switched off. */
    public boolean meshEnabled() {
      return nodeToNodeMeshEnabled == null || nodeToNodeMeshEnabled;
    }
  }

  @JsonInclude(NON_EMPTY)
  public record CidrBlock(String cidr) {}

  @JsonInclude(NON_EMPTY)
  public record Community(String name, String value) {}

  @JsonInclude(NON_EMPTY)
  public record PrefixAdvertisement(String cidr, List<String> communities) {}

  @Override
  public BGPConfiguration withMetadata(ObjectMeta m) {
    return new BGPConfiguration(m, spec);
  }
}
