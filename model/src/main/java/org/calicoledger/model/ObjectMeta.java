package org.calicoledger.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;
import java.util.TreeMap;

/**
 * The metadata block of every Calico v3 resource (a subset of Kubernetes' ObjectMeta, with its JSON names).
 *
 * <p>{@code resourceVersion} is the etcd mod revision of the stored value: it is filled in on read and never stored
 * inside the value. {@code uid} and {@code creationTimestamp} are set by the store on create and kept on every update.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ObjectMeta(
    String name,
    String generateName,
    String namespace,
    String uid,
    String resourceVersion,
    Long generation,
    String creationTimestamp,
    String deletionTimestamp,
    Map<String, String> labels,
    Map<String, String> annotations) {

  public ObjectMeta {
    labels = labels == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(labels));
    annotations = annotations == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(annotations));
  }

  public static ObjectMeta named(String name) {
    return new ObjectMeta(name, null, null, null, null, null, null, null, null, null);
  }

  public static ObjectMeta named(String namespace, String name) {
    return new ObjectMeta(name, null, namespace, null, null, null, null, null, null, null);
  }

  public ObjectMeta withName(String n) {
    return new ObjectMeta(n, generateName, namespace, uid, resourceVersion, generation, creationTimestamp,
        deletionTimestamp, labels, annotations);
  }

  public ObjectMeta withNamespace(String ns) {
    return new ObjectMeta(name, generateName, ns, uid, resourceVersion, generation, creationTimestamp,
        deletionTimestamp, labels, annotations);
  }

  public ObjectMeta withResourceVersion(String rv) {
    return new ObjectMeta(name, generateName, namespace, uid, rv, generation, creationTimestamp,
        deletionTimestamp, labels, annotations);
  }

  public ObjectMeta withIdentity(String newUid, String newCreationTimestamp) {
    return new ObjectMeta(name, generateName, namespace, newUid, resourceVersion, generation, newCreationTimestamp,
        deletionTimestamp, labels, annotations);
  }

  public ObjectMeta withLabels(Map<String, String> newLabels) {
    return new ObjectMeta(name, generateName, namespace, uid, resourceVersion, generation, creationTimestamp,
        deletionTimestamp, newLabels, annotations);
  }

  /** The mod revision this metadata was read at, or 0 when it carries none. */
  public long revision() {
    if (resourceVersion == null || resourceVersion.isEmpty()) {
      return 0;
    }
    try {
      return Long.parseLong(resourceVersion);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("metadata.resourceVersion '" + resourceVersion
          + "' is not a revision: it must be the number calicoctl get printed, or left out");
    }
  }
}
