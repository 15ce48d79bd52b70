package org.calicoledger.model;

import static com.fasterxml.jackson.annotation.JsonInclude.Include.NON_EMPTY;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import java.util.List;

/**
 * A cluster-wide policy: the endpoints its {@code selector} picks (in every namespace, and host endpoints) get its
 * ingress and egress rules, in {@code order} among the other policies. {@code doNotTrack} and {@code preDNAT} are
 * Calico's raw/mangle-table policies; this project does not enforce them and rejects a policy that sets them.
 */
public record GlobalNetworkPolicy(ObjectMeta metadata, @JsonInclude(JsonInclude.Include.ALWAYS) Spec spec)
    implements Resource {
  public GlobalNetworkPolicy {
    spec = spec == null ? new Spec(null, null, null, null, null, null, null, null, null, null, null, null) : spec;
  }

  @JsonInclude(NON_EMPTY)
  public record Spec(
      String tier,
      @JsonSerialize(using = PolicyOrder.class) Double order,
      String selector,
      List<String> types,
      List<Rule> ingress,
      List<Rule> egress,
      Boolean doNotTrack,
      Boolean preDNAT,
      Boolean applyOnForward,
      String serviceAccountSelector,
      String namespaceSelector,
      List<String> performanceHints) {}

  @Override
  public GlobalNetworkPolicy withMetadata(ObjectMeta m) {
    return new GlobalNetworkPolicy(m, spec);
  }

  /** Calico's defaults: {@code types} from the rules present ({@link PolicyTypes#withDefault}). */
  @Override
  public GlobalNetworkPolicy withDefaults() {
    Spec s = spec;
    return new GlobalNetworkPolicy(metadata, new Spec(s.tier(), s.order(), s.selector(),
        PolicyTypes.withDefault(s.types(), s.ingress(), s.egress()), s.ingress(), s.egress(), s.doNotTrack(),
        s.preDNAT(), s.applyOnForward(), s.serviceAccountSelector(), s.namespaceSelector(), s.performanceHints()));
  }
}
