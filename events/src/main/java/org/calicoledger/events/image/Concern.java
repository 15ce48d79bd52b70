package org.calicoledger.events.image;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.calicoledger.model.BGPConfiguration;
import org.calicoledger.model.BGPPeer;
import org.calicoledger.model.ClusterInformation;
import org.calicoledger.model.FelixConfiguration;
import org.calicoledger.model.GlobalNetworkPolicy;
import org.calicoledger.model.GlobalNetworkSet;
import org.calicoledger.model.HostEndpoint;
import org.calicoledger.model.IPPool;
import org.calicoledger.model.Kind;
import org.calicoledger.model.NetworkPolicy;
import org.calicoledger.model.NetworkSet;
import org.calicoledger.model.Node;
import org.calicoledger.model.Profile;
import org.calicoledger.model.Resource;
import org.calicoledger.model.ResourceCodec;
import org.calicoledger.model.WorkloadEndpoint;
import org.calicoledger.store.Keys;

/**
 * One part of the cluster's state that consumers react to on its own: a kind of resource, one of the IPAM key families,
 * or {@link #OTHER} (every other key under {@code /calico/}).
 *
 * <p>Every etcd key belongs to exactly one concern ({@link #of}), and inside it to exactly one id ({@link #id}): a
 * resource's {@code name} (or {@code namespace/name}), a block's CIDR, {@code host/CIDR} for an affinity, a handle's id,
 * {@code config}, or the whole key for {@link #OTHER}. A key that is malformed for its family (an unknown plural, a
 * namespaced kind without a namespace, an IPv6 CIDR under {@code ipv4/}) belongs to {@link #OTHER}, so two keys never
 * share an id. {@code T} is what a value decodes to; decoding is lenient and happens only when a value is read.
 */
public final class Concern<T> {
  public static final String IPAM = "/calico/ipam/v2/";
  public static final String IPAM_BLOCKS_PREFIX = IPAM + "assignment/";
  public static final String IPAM_HOSTS_PREFIX = IPAM + "host/";
  public static final String IPAM_HANDLES_PREFIX = IPAM + "handle/";
  public static final String IPAM_CONFIG_KEY = IPAM + "config";

  private static final List<Concern<?>> ALL = new ArrayList<>();
  private static final Map<Kind, Concern<? extends Resource>> BY_KIND = new EnumMap<>(Kind.class);

  public static final Concern<IPPool> IP_POOLS = resource(Kind.IP_POOL, IPPool.class);
  public static final Concern<Node> NODES = resource(Kind.NODE, Node.class);
  public static final Concern<BGPPeer> BGP_PEERS = resource(Kind.BGP_PEER, BGPPeer.class);
  public static final Concern<BGPConfiguration> BGP_CONFIGURATIONS =
      resource(Kind.BGP_CONFIGURATION, BGPConfiguration.class);
  public static final Concern<FelixConfiguration> FELIX_CONFIGURATIONS =
      resource(Kind.FELIX_CONFIGURATION, FelixConfiguration.class);
  public static final Concern<WorkloadEndpoint> WORKLOAD_ENDPOINTS =
      resource(Kind.WORKLOAD_ENDPOINT, WorkloadEndpoint.class);
  public static final Concern<HostEndpoint> HOST_ENDPOINTS = resource(Kind.HOST_ENDPOINT, HostEndpoint.class);
  public static final Concern<Profile> PROFILES = resource(Kind.PROFILE, Profile.class);
  public static final Concern<GlobalNetworkPolicy> GLOBAL_NETWORK_POLICIES =
      resource(Kind.GLOBAL_NETWORK_POLICY, GlobalNetworkPolicy.class);
  public static final Concern<NetworkPolicy> NETWORK_POLICIES = resource(Kind.NETWORK_POLICY, NetworkPolicy.class);
  public static final Concern<GlobalNetworkSet> GLOBAL_NETWORK_SETS =
      resource(Kind.GLOBAL_NETWORK_SET, GlobalNetworkSet.class);
  public static final Concern<NetworkSet> NETWORK_SETS = resource(Kind.NETWORK_SET, NetworkSet.class);
  public static final Concern<ClusterInformation> CLUSTER_INFORMATION =
      resource(Kind.CLUSTER_INFORMATION, ClusterInformation.class);
  public static final Concern<IpamBlock> IPAM_BLOCKS =
      new Concern<>("ipamBlocks", null, (id, v) -> IpamBlock.decode(id, v.json()));
  public static final Concern<BlockAffinity> BLOCK_AFFINITIES =
      new Concern<>("blockAffinities", null, (id, v) -> BlockAffinity.decode(id, v.json()));
  public static final Concern<IpamHandle> IPAM_HANDLES =
      new Concern<>("ipamHandles", null, (id, v) -> IpamHandle.decode(id, v.json()));
  public static final Concern<IpamConfig> IPAM_CONFIG =
      new Concern<>("ipamConfig", null, (id, v) -> IpamConfig.decode(v.json()));
  public static final Concern<ImageValue> OTHER = new Concern<>("other", null, (id, v) -> v);

  private final String name;
  private final int index;
  private final Kind kind;
  private final BiFunction<String, ImageValue, T> decoder;

  private Concern(String name, Kind kind, BiFunction<String, ImageValue, T> decoder) {
    this.name = name;
    this.kind = kind;
    this.decoder = decoder;
    this.index = ALL.size();
    ALL.add(this);
  }

  private static <R extends Resource> Concern<R> resource(Kind kind, Class<R> type) {
    Concern<R> c = new Concern<>(kind.plural(), kind, (id, v) -> {
      Resource r = ResourceCodec.decodeStored(v.bytesArray(), v.modRevision());
      if (r.kind() != kind) {
        throw new IllegalArgumentException("value is a " + r.kind().kindName() + " but the key is for " + kind.kindName());
      }
      return type.cast(r);
    });
    BY_KIND.put(kind, c);
    return c;
  }

  /** Every concern, in a fixed order ({@link #index()}). */
  public static List<Concern<?>> all() {
    return Collections.unmodifiableList(ALL);
  }

  public static Concern<? extends Resource> of(Kind kind) {
    return BY_KIND.get(kind);
  }

  /** The concern {@code key} belongs to; {@link #OTHER} for anything not recognised. */
  public static Concern<?> of(String key) {
    if (key.startsWith(Keys.RESOURCES)) {
      int slash = key.indexOf('/', Keys.RESOURCES.length());
      if (slash < 0) {
        return OTHER;
      }
      Kind k = Kind.byPlural(key.substring(Keys.RESOURCES.length(), slash)).orElse(null);
      if (k == null) {
        return OTHER;
      }
      String rest = key.substring(slash + 1);
      int inner = rest.indexOf('/');
      boolean shaped = k.namespaced()
          ? inner > 0 && inner < rest.length() - 1 && rest.indexOf('/', inner + 1) < 0
          : !rest.isEmpty() && inner < 0;
      return shaped ? BY_KIND.get(k) : OTHER;
    }
    if (key.startsWith(IPAM)) {
      if (key.startsWith(IPAM_BLOCKS_PREFIX)) {
        return blockCidr(key.substring(IPAM_BLOCKS_PREFIX.length())) != null ? IPAM_BLOCKS : OTHER;
      }
      if (key.startsWith(IPAM_HOSTS_PREFIX)) {
        String rest = key.substring(IPAM_HOSTS_PREFIX.length());
        int slash = rest.indexOf('/');
        return slash > 0 && blockCidr(rest.substring(slash + 1)) != null ? BLOCK_AFFINITIES : OTHER;
      }
      if (key.startsWith(IPAM_HANDLES_PREFIX)) {
        String id = key.substring(IPAM_HANDLES_PREFIX.length());
        return !id.isEmpty() && id.indexOf('/') < 0 ? IPAM_HANDLES : OTHER;
      }
      return key.equals(IPAM_CONFIG_KEY) ? IPAM_CONFIG : OTHER;
    }
    return OTHER;
  }

  /** The id of {@code key} inside this concern; only meaningful when {@code Concern.of(key) == this}. */
  public String id(String key) {
    if (kind != null) {
      return key.substring(Keys.RESOURCES.length() + kind.plural().length() + 1);
    }
    if (this == IPAM_BLOCKS) {
      return blockCidr(key.substring(IPAM_BLOCKS_PREFIX.length()));
    }
    if (this == BLOCK_AFFINITIES) {
      String rest = key.substring(IPAM_HOSTS_PREFIX.length());
      int slash = rest.indexOf('/');
      return rest.substring(0, slash) + "/" + blockCidr(rest.substring(slash + 1));
    }
    if (this == IPAM_HANDLES) {
      return key.substring(IPAM_HANDLES_PREFIX.length());
    }
    if (this == IPAM_CONFIG) {
      return "config";
    }
    return key;
  }

  /**
   * {@code ipv4/block/10.0.0.0-26} to {@code 10.0.0.0/26} (Calico writes the CIDR's slash as a dash), or null when the
   * segment is not shaped like that.
   */
  static String blockCidr(String segment) {
    boolean v4 = segment.startsWith("ipv4/block/");
    boolean v6 = segment.startsWith("ipv6/block/");
    if (!v4 && !v6) {
      return null;
    }
    String cidr = segment.substring("ipv4/block/".length());
    int dash = cidr.lastIndexOf('-');
    if (dash <= 0 || dash == cidr.length() - 1 || cidr.indexOf('/') >= 0 || (cidr.indexOf(':') >= 0) != v6) {
      return null;
    }
    for (int i = dash + 1; i < cidr.length(); i++) {
      if (!Character.isDigit(cidr.charAt(i))) {
        return null;
      }
    }
    return cidr.substring(0, dash) + "/" + cidr.substring(dash + 1);
  }

  T decode(String id, ImageValue v) {
    return decoder.apply(id, v);
  }

  /** The resource kind of this concern, or null for IPAM and {@link #OTHER}. */
  public Kind kind() {
    return kind;
  }

  public int index() {
    return index;
  }

  public String name() {
    return name;
  }

  @Override
  public String toString() {
    return name;
  }
}
