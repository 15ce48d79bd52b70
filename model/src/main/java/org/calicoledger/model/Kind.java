package org.calicoledger.model;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The resource kinds this project knows: Calico's kind name, the plural used in etcd keys, whether the kind is namespaced,
 * and the names calicoctl accepts on the command line (matched case-insensitively).
 */
public enum Kind {
  IP_POOL("IPPool", "ippools", false, IPPool.class, "ipp", "ipps", "pool", "pools"),
  NODE("Node", "nodes", false, Node.class, "no", "nos"),
  BGP_PEER("BGPPeer", "bgppeers", false, BGPPeer.class, "bgpp", "bgpps", "bp", "bps"),
  BGP_CONFIGURATION("BGPConfiguration", "bgpconfigurations", false, BGPConfiguration.class,
      "bgpconfig", "bgpconfigs"),
  FELIX_CONFIGURATION("FelixConfiguration", "felixconfigurations", false, FelixConfiguration.class,
      "felixconfig", "felixconfigs"),
  WORKLOAD_ENDPOINT("WorkloadEndpoint", "workloadendpoints", true, WorkloadEndpoint.class, "wep", "weps"),
  HOST_ENDPOINT("HostEndpoint", "hostendpoints", false, HostEndpoint.class, "hep", "heps"),
  PROFILE("Profile", "profiles", false, Profile.class, "pro", "pros"),
  CLUSTER_INFORMATION("ClusterInformation", "clusterinformations", false, ClusterInformation.class,
      "clusterinfo", "clusterinfos"),
  GLOBAL_NETWORK_POLICY("GlobalNetworkPolicy", "globalnetworkpolicies", false, GlobalNetworkPolicy.class,
      "gnp", "gnps", "globalpolicy", "globalpolicies"),
  NETWORK_POLICY("NetworkPolicy", "networkpolicies", true, NetworkPolicy.class,
      "np", "nps", "netpol", "netpols", "policy", "policies", "pol", "pols"),
  GLOBAL_NETWORK_SET("GlobalNetworkSet", "globalnetworksets", false, GlobalNetworkSet.class, "gns", "gnss"),
  NETWORK_SET("NetworkSet", "networksets", true, NetworkSet.class, "netset", "netsets"),
  /** Ours, not Calico's: automation hooks, stored under the ledger's keys (see {@link Hook}). */
  HOOK("Hook", "hooks", false, Hook.class);

  private final String kindName;
  private final String plural;
  private final boolean namespaced;
  private final Class<? extends Resource> type;
  private final List<String> names;

  Kind(String kindName, String plural, boolean namespaced, Class<? extends Resource> type, String... shortNames) {
    this.kindName = kindName;
    this.plural = plural;
    this.namespaced = namespaced;
    this.type = type;
    this.names = Stream.concat(Stream.of(kindName.toLowerCase(Locale.ROOT), plural), Arrays.stream(shortNames))
        .distinct().toList();
  }

  private static final Map<String, Kind> BY_NAME = Arrays.stream(values())
      .flatMap(k -> k.names.stream().map(n -> Map.entry(n, k)))
      .collect(Collectors.toUnmodifiableMap(Map.Entry::getKey, Map.Entry::getValue));
  private static final Map<String, Kind> BY_KIND = Arrays.stream(values())
      .collect(Collectors.toUnmodifiableMap(Kind::kindName, Function.identity()));
  private static final Map<Class<?>, Kind> BY_TYPE = Arrays.stream(values())
      .collect(Collectors.toUnmodifiableMap(k -> k.type, Function.identity()));
  private static final Map<String, Kind> BY_PLURAL = Arrays.stream(values())
      .collect(Collectors.toUnmodifiableMap(Kind::plural, Function.identity()));

  /** The kind named as calicoctl accepts it on the command line ({@code ippool}, {@code IPPools}, {@code ipp}...). */
  public static Optional<Kind> lookup(String name) {
    return name == null ? Optional.empty() : Optional.ofNullable(BY_NAME.get(name.toLowerCase(Locale.ROOT)));
  }

  /** The kind by its exact {@code kind:} field value, as in a document. */
  public static Optional<Kind> byKindName(String kind) {
    return Optional.ofNullable(BY_KIND.get(kind));
  }

  public static Optional<Kind> byPlural(String plural) {
    return Optional.ofNullable(BY_PLURAL.get(plural));
  }

  public static Kind forType(Class<?> type) {
    Kind k = BY_TYPE.get(type);
    if (k == null) {
      throw new IllegalArgumentException("not a resource type: " + type);
    }
    return k;
  }

  public static String knownKinds() {
    return Arrays.stream(values()).map(Kind::kindName).collect(Collectors.joining(", "));
  }

  public String kindName() {
    return kindName;
  }

  public String plural() {
    return plural;
  }

  public boolean namespaced() {
    return namespaced;
  }

  public Class<? extends Resource> type() {
    return type;
  }

  /** Every name calicoctl accepts for this kind, lower case. */
  public List<String> names() {
    return names;
  }

  /** {@code IPPoolList}: the kind of a list of these in {@code get -o yaml} output. */
  public String listKindName() {
    return kindName + "List";
  }
}
