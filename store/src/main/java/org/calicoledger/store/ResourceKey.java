package org.calicoledger.store;

import org.calicoledger.model.Kind;
import org.calicoledger.model.Resource;

/** Names one resource: kind, namespace (namespaced kinds only) and name. */
public record ResourceKey(Kind kind, String namespace, String name) {
  public static final String DEFAULT_NAMESPACE = "default";

  public ResourceKey {
    if (kind.namespaced()) {
      namespace = namespace == null || namespace.isEmpty() ? DEFAULT_NAMESPACE : namespace;
    } else {
      namespace = null;
    }
  }

  public static ResourceKey of(Resource r) {
    return new ResourceKey(r.kind(), r.namespace(), r.name());
  }

  public static ResourceKey of(Kind kind, String name) {
    return new ResourceKey(kind, null, name);
  }

  /** Calico's way of naming a resource in messages: {@code IPPool(name)}, {@code WorkloadEndpoint(ns/name)}. */
  @Override
  public String toString() {
    return kind.kindName() + "(" + (namespace == null ? "" : namespace + "/") + name + ")";
  }
}
