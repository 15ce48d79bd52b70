package org.calicoledger.model;

import static com.fasterxml.jackson.annotation.JsonInclude.Include.NON_DEFAULT;
import static com.fasterxml.jackson.annotation.JsonInclude.Include.NON_EMPTY;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * A BGP peering: global (no {@code node} and no {@code nodeSelector}), for one node, or for the nodes a selector picks;
 * towards {@code peerIP} (optionally {@code IP:port} or {@code [IPv6]:port}) or towards the nodes {@code peerSelector} picks.
 */
public record BGPPeer(ObjectMeta metadata, Spec spec) implements Resource {
  public BGPPeer {
    spec = spec == null ? Spec.EMPTY : spec;
  }

  @JsonInclude(NON_EMPTY)
  public record Spec(
      String node,
      String nodeSelector,
      String peerIP,
      AsNumber asNumber,
      AsNumber localASNumber,
      String peerSelector,
      @JsonInclude(NON_DEFAULT) boolean keepOriginalNextHop,
      String nextHopMode,
      SecretKeyRef password,
      String sourceAddress,
      String maxRestartTime,
      String keepaliveTime,
      Integer numAllowedLocalASNumbers,
      Integer ttlSecurity,
      String reachableBy,
      List<String> filters,
      String localWorkloadSelector,
      String reversePeering) {
    static final Spec EMPTY = new Spec(null, null, null, null, null, null, false, null, null, null, null, null, null,
        null, null, null, null, null);

    public static Spec to(String peerIP, long asNumber) {
      return new Spec(null, null, peerIP, new AsNumber(asNumber), null, null, false, null, null, null, null, null,
          null, null, null, null, null, null);
    }
  }

  @Override
  public BGPPeer withMetadata(ObjectMeta m) {
    return new BGPPeer(m, spec);
  }
}
