package org.calicoledger.model;

import static com.fasterxml.jackson.annotation.JsonInclude.Include.NON_EMPTY;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import java.util.List;

/**
 * A namespaced policy: its {@code selector} picks endpoints of its own namespace only, and so do its rules'
 * {@code selector}s unless a rule names a {@code namespaceSelector}.
 */
public record NetworkPolicy(ObjectMeta metadata, @JsonInclude(JsonInclude.Include.ALWAYS) Spec spec)
    implements Resource {
  public NetworkPolicy {
    spec = spec == null ? new Spec(null, null, null, null, null, null, null, null) : spec;
  }

  @JsonInclude(NON_EMPTY)
  public record Spec(
      String tier,
      @JsonSerialize(using = PolicyOrder.class) Double order,
      String selector,
      List<String> types,
      List<Rule> ingress,
      List<Rule> egress,
      String serviceAccountSelector,
      List<String> performanceHints) {}

  @Override
  public NetworkPolicy withMetadata(ObjectMeta m) {
    return new NetworkPolicy(m, spec);
  }

  /** Calico's defaults: {@code types} from the rules present ({@link PolicyTypes#withDefault}). */
  @Override
  public NetworkPolicy withDefaults() {
    Spec s = spec;
    return new NetworkPolicy(metadata, new Spec(s.tier(), s.order(), s.selector(),
        PolicyTypes.withDefault(s.types(), s.ingress(), s.egress()), s.ingress(), s.egress(),
        s.serviceAccountSelector(), s.performanceHints()));
  }
}
