package org.calicoledger.model;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A BGP password reference ({@code password: {secretKeyRef: {name, key}}}), as on BGPPeer and BGPConfiguration.
 * In etcd mode the secret is read by the node from a file named after it (see the BGP issue); the model only carries it.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record SecretKeyRef(Ref secretKeyRef) {
  @JsonInclude(JsonInclude.Include.NON_EMPTY)
  public record Ref(String name, String key, Boolean optional) {}
}
