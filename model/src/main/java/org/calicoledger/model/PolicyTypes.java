package org.calicoledger.model;

import java.util.ArrayList;
import java.util.List;

/** Calico's policy types and its default for a policy that names none. */
public final class PolicyTypes {
  public static final String INGRESS = "Ingress";
  public static final String EGRESS = "Egress";

  private PolicyTypes() {}

  /**
   * {@code types} when set; otherwise Calico's default: {@code Ingress}, plus {@code Egress} when there are egress
   * rules, and {@code Egress} alone when there are egress rules but no ingress rules.
   */
  public static List<String> withDefault(List<String> types, List<Rule> ingress, List<Rule> egress) {
    if (types != null && !types.isEmpty()) {
      return types;
    }
    boolean in = ingress != null && !ingress.isEmpty();
    boolean out = egress != null && !egress.isEmpty();
    List<String> t = new ArrayList<>();
    if (in || !out) {
      t.add(INGRESS);
    }
    if (out) {
      t.add(EGRESS);
    }
    return List.copyOf(t);
  }
}
