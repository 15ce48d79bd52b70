package org.calicoledger.model;

/**
 * A Calico v3 resource: {@code kind}, {@code apiVersion: projectcalico.org/v3}, {@code metadata}, {@code spec}
 * (and {@code status} for some kinds). Implementations are immutable records; {@link ResourceCodec} reads and writes them
 * with Calico's exact JSON field names.
 */
public sealed interface Resource
    permits IPPool, Node, BGPPeer, BGPConfiguration, FelixConfiguration, WorkloadEndpoint, HostEndpoint, Profile,
        ClusterInformation, Hook, GlobalNetworkPolicy, NetworkPolicy, GlobalNetworkSet, NetworkSet {

  String API_VERSION = "projectcalico.org/v3";

  ObjectMeta metadata();

  Resource withMetadata(ObjectMeta metadata);

  default Kind kind() {
    return Kind.forType(getClass());
  }

  default String name() {
    return metadata() == null ? null : metadata().name();
  }

  default String namespace() {
    return metadata() == null ? null : metadata().namespace();
  }

  /** Calico's defaults for fields left out; applied before validation on every write. */
  default Resource withDefaults() {
    return this;
  }

  /** {@code Kind(name)} or {@code Kind(namespace/name)}, as Calico names a resource in its messages. */
  default String describe() {
    String ns = namespace();
    return kind().kindName() + "(" + (ns == null || ns.isEmpty() ? "" : ns + "/") + name() + ")";
  }
}
