package org.calicoledger.model;

import static com.fasterxml.jackson.annotation.JsonInclude.Include.NON_EMPTY;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/** Labelled CIDRs outside the cluster that policy rule selectors can pick (cluster-wide). */
public record GlobalNetworkSet(ObjectMeta metadata, @JsonInclude(JsonInclude.Include.ALWAYS) Spec spec)
    implements Resource {
  public GlobalNetworkSet {
    spec = spec == null ? new Spec(null) : spec;
  }

  @JsonInclude(NON_EMPTY)
  public record Spec(List<String> nets) {}

  @Override
  public GlobalNetworkSet withMetadata(ObjectMeta m) {
    return new GlobalNetworkSet(m, spec);
  }
}
