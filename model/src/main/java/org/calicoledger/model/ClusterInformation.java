package org.calicoledger.model;

import static com.fasterxml.jackson.annotation.JsonInclude.Include.NON_EMPTY;

import com.fasterxml.jackson.annotation.JsonInclude;

/** The cluster's identity ({@code default} only): GUID, type, version, and whether the datastore is ready. */
public record ClusterInformation(ObjectMeta metadata, @JsonInclude(JsonInclude.Include.ALWAYS) Spec spec)
    implements Resource {
  public static final String NAME = "default";

  public ClusterInformation {
    spec = spec == null ? new Spec(null, null, null, null, null) : spec;
  }

  @JsonInclude(NON_EMPTY)
  public record Spec(String clusterGUID, String clusterType, String calicoVersion, Boolean datastoreReady,
      String variant) {}

  @Override
  public ClusterInformation withMetadata(ObjectMeta m) {
    return new ClusterInformation(m, spec);
  }
}
