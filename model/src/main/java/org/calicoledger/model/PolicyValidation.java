package org.calicoledger.model;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks on GlobalNetworkPolicy, NetworkPolicy, GlobalNetworkSet and NetworkSet taken alone, run on the resource after
 * {@link Resource#withDefaults()} (so {@code types} is filled in).
 *
 * <p>Calico's own rules: selectors parse, {@code order} is a finite number, {@code types} holds Ingress and/or Egress
 * once each, rules pass {@link RuleValidation}, set {@code nets} are CIDRs. Refused although Calico accepts them, because
 * this project's Felix would not enforce them and the policy would silently not apply: tiers other than
 * {@code default} (there are no tiers here), {@code doNotTrack} and {@code preDNAT} (Calico's raw and mangle table
 * policies), and {@code serviceAccountSelector}.
 */
final class PolicyValidation {
  private PolicyValidation() {}

  static void globalNetworkPolicy(Checks c, GlobalNetworkPolicy p) {
    GlobalNetworkPolicy.Spec s = p.spec();
    common(c, s.tier(), s.order(), s.selector(), s.types(), s.ingress(), s.egress(), s.serviceAccountSelector(),
        s.performanceHints());
    c.selector("spec.namespaceSelector", s.namespaceSelector());
    if (Boolean.TRUE.equals(s.doNotTrack())) {
      c.add("spec.doNotTrack", true, "untracked policy (Calico's raw-table policy) is not enforced by this project"
          + " yet, so this policy would silently not apply; set doNotTrack to false or leave it out");
    }
    if (Boolean.TRUE.equals(s.preDNAT())) {
      c.add("spec.preDNAT", true, "pre-DNAT policy (Calico's mangle-table policy) is not enforced by this project"
          + " yet, so this policy would silently not apply; set preDNAT to false or leave it out");
    }
  }

  static void networkPolicy(Checks c, NetworkPolicy p) {
    NetworkPolicy.Spec s = p.spec();
    common(c, s.tier(), s.order(), s.selector(), s.types(), s.ingress(), s.egress(), s.serviceAccountSelector(),
        s.performanceHints());
  }

  static void nets(Checks c, List<String> nets) {
    c.networks("spec.nets", nets);
  }

  private static void common(Checks c, String tier, Double order, String selector, List<String> types,
      List<Rule> ingress, List<Rule> egress, String serviceAccountSelector, List<String> hints) {
    if (tier != null && !tier.isEmpty() && !tier.equals("default")) {
      c.add("spec.tier", tier, "this project has no tiers: leave tier out or set it to 'default'");
    }
    if (order != null && (order.isNaN() || order.isInfinite())) {
      c.add("spec.order", order, "must be a finite number such as 100 or 100.5 (lower orders apply first)");
    }
    c.selector("spec.selector", selector);
    if (serviceAccountSelector != null && !serviceAccountSelector.isEmpty()) {
      c.add("spec.serviceAccountSelector", serviceAccountSelector, "service-account selectors are not supported by"
          + " this project: its Felix would ignore the selector and apply the policy to every endpoint the"
          + " selector picks (a silent security hole); use labels in spec.selector instead");
    }
    types(c, types, ingress, egress);
    RuleValidation.rules(c, "spec.ingress", ingress);
    RuleValidation.rules(c, "spec.egress", egress);
    List<String> h = hints == null ? List.of() : hints;
    for (int i = 0; i < h.size(); i++) {
      c.oneOf("spec.performanceHints[" + i + "]", h.get(i), false, "AssumeNeededOnEveryNode");
    }
  }

  private static void types(Checks c, List<String> types, List<Rule> ingress, List<Rule> egress) {
    if (types == null) {
      return;
    }
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < types.size(); i++) {
      String t = types.get(i);
      c.oneOf("spec.types[" + i + "]", t, false, PolicyTypes.INGRESS, PolicyTypes.EGRESS);
      if (t != null && !seen.add(t)) {
        c.add("spec.types[" + i + "]", t, "is listed twice; each of Ingress and Egress at most once");
      }
    }
    if (ingress != null && !ingress.isEmpty() && !types.isEmpty() && !seen.contains(PolicyTypes.INGRESS)) {
      c.add("spec.types", types, "ingress rules are given but types does not include Ingress, so they would be"
          + " ignored; add Ingress to types or remove the ingress rules");
    }
    if (egress != null && !egress.isEmpty() && !types.isEmpty() && !seen.contains(PolicyTypes.EGRESS)) {
      c.add("spec.types", types, "egress rules are given but types does not include Egress, so they would be"
          + " ignored; add Egress to types or remove the egress rules");
    }
  }
}
