package org.calicoledger.cli;

import org.calicoledger.model.Kind;
import org.calicoledger.model.Resource;

/** calicoctl's namespace rules for {@code -n/--namespace} and {@code -A/--all-namespaces}. */
final class Scope {
  private Scope() {}

  /** The namespace a document's resource is written to, or an error message. */
  static Resource place(Resource r, String cliNamespace) {
    Kind k = r.kind();
    String own = r.namespace();
    if (!k.namespaced()) {
      if (cliNamespace != null) {
        throw new IllegalArgumentException(k.kindName() + " is not namespaced: leave out -n/--namespace");
      }
      return r;
    }
    if (own != null && !own.isEmpty() && cliNamespace != null && !own.equals(cliNamespace)) {
      throw new IllegalArgumentException("resource namespace does not match client namespace. " + own + " != "
          + cliNamespace);
    }
    String ns = own != null && !own.isEmpty() ? own : cliNamespace != null ? cliNamespace : "default";
    return r.withMetadata(r.metadata().withNamespace(ns));
  }

  /** The namespace to list: null for all namespaces or for kinds without namespaces. */
  static String forList(Kind k, String cliNamespace, boolean all) {
    if (!k.namespaced()) {
      if (cliNamespace != null || all) {
        throw new IllegalArgumentException(k.kindName() + " is not namespaced: leave out -n/-A");
      }
      return null;
    }
    if (all && cliNamespace != null) {
      throw new IllegalArgumentException("cannot use both --namespace and --all-namespaces flags at the same time");
    }
    return all ? null : cliNamespace != null ? cliNamespace : "default";
  }
}
