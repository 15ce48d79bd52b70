package org.calicoledger.felix.calc.policy;

import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.calicoledger.model.selector.Selector;

/**
 * A rule selector with its scope: what one {@code cali40s:} ipset holds.
 *
 * <ul>
 *   <li>{@code namespaceSelector} set: members are items in namespaces whose labels it matches, or, for
 *       {@code global()}, the items of no namespace (GlobalNetworkSets).</li>
 *   <li>otherwise {@code namespace} set (a NetworkPolicy's rule): items of that namespace only.</li>
 *   <li>otherwise (a GlobalNetworkPolicy's or a Profile's rule): items of every namespace and none.</li>
 * </ul>
 * and in every case the item's own labels must match {@code selector}. Equal keys are one ipset.
 */
public record SetKey(String namespace, Selector namespaceSelector, Selector selector) {
  public SetKey {
    Objects.requireNonNull(selector, "selector");
    if (namespaceSelector != null) {
      namespace = null;
    }
  }

  /**
   * Whether an item with {@code labels} in {@code itemNamespace} (null: none) is a member; {@code namespaceLabels}
   * gives a namespace's labels.
   */
  public boolean matches(String itemNamespace, Map<String, String> labels,
      Function<String, Map<String, String>> namespaceLabels) {
    if (namespaceSelector != null) {
      if ("global()".equals(namespaceSelector.toString())) {
        if (itemNamespace != null) {
          return false;
        }
      } else if (itemNamespace == null || !namespaceSelector.matches(namespaceLabels.apply(itemNamespace))) {
        return false;
      }
    } else if (namespace != null && !namespace.equals(itemNamespace)) {
      return false;
    }
    return selector.matches(labels);
  }

  /** The text hashed into the set's name: the scope and the selectors' canonical forms. */
  public String canonical() {
    String scope = namespaceSelector != null ? "nsSelector:" + namespaceSelector
        : namespace != null ? "namespace:" + namespace : "any";
    return scope + "|" + selector;
  }
}
