package org.calicoledger.model;

import static com.fasterxml.jackson.annotation.JsonInclude.Include.ALWAYS;
import static com.fasterxml.jackson.annotation.JsonInclude.Include.NON_EMPTY;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/** A host interface (or set of expected addresses) that policy applies to. */
public record HostEndpoint(ObjectMeta metadata, @JsonInclude(ALWAYS) Spec spec) implements Resource {
  public HostEndpoint {
    spec = spec == null ? new Spec(null, null, null, null, null) : spec;
  }

  @JsonInclude(NON_EMPTY)
  public record Spec(String node, String interfaceName, List<String> expectedIPs, List<String> profiles,
      List<EndpointPort> ports) {}

  public record EndpointPort(String name, IntOrString protocol, int port) {}

  @Override
  public HostEndpoint withMetadata(ObjectMeta m) {
    return new HostEndpoint(m, spec);
  }
}
