package org.calicoledger.model;

import static com.fasterxml.jackson.annotation.JsonInclude.Include.NON_EMPTY;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/** Rules and labels shared by the endpoints that name this profile. */
public record Profile(ObjectMeta metadata, @JsonInclude(JsonInclude.Include.ALWAYS) Spec spec) implements Resource {
  /** Calico's built-in profile; never stored, always listed, cannot be changed. */
  public static final String DEFAULT_ALLOW = "projectcalico-default-allow";

  public Profile {
    spec = spec == null ? new Spec(null, null, null) : spec;
  }

  @JsonInclude(NON_EMPTY)
  public record Spec(List<Rule> ingress, List<Rule> egress, Map<String, String> labelsToApply) {}

  @Override
  public Profile withMetadata(ObjectMeta m) {
    return new Profile(m, spec);
  }

  public static Profile defaultAllow() {
    Rule allow = Rule.allow();
    return new Profile(ObjectMeta.named(DEFAULT_ALLOW).withResourceVersion("1"),
        new Spec(List.of(allow), List.of(allow), null));
  }
}
