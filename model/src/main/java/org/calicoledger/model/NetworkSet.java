package org.calicoledger.model;

import static com.fasterxml.jackson.annotation.JsonInclude.Include.NON_EMPTY;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/** Labelled CIDRs that the rule selectors of policies in the same namespace can pick. */
public record NetworkSet(ObjectMeta metadata, @JsonInclude(JsonInclude.Include.ALWAYS) Spec spec)
    implements Resource {
  public NetworkSet {
    spec = spec == null ? new Spec(null) : spec;
  }

  @JsonInclude(NON_EMPTY)
  public record Spec(List<String> nets) {}

  @Override
  public NetworkSet withMetadata(ObjectMeta m) {
    return new NetworkSet(m, spec);
  }
}
