package org.calicoledger.events.image;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.calicoledger.model.BGPConfiguration;
import org.calicoledger.model.BGPPeer;
import org.calicoledger.model.ClusterInformation;
import org.calicoledger.model.FelixConfiguration;
import org.calicoledger.model.HostEndpoint;
import org.calicoledger.model.IPPool;
import org.calicoledger.model.Kind;
import org.calicoledger.model.Node;
import org.calicoledger.model.Profile;
import org.calicoledger.model.Resource;
import org.calicoledger.model.WorkloadEndpoint;

/**
 * The whole of {@code /calico/} as of one point of the change log: one {@link KeyedImage} per {@link Concern}.
 *
 * <p>Invariants:
 * <ul>
 *   <li>Immutable, and equal to any image holding the same values at the same point, however it was built (one event at
 *       a time, in batches, or from a {@code calico.state} snapshot).
 *   <li>The point is {@link #revision()}: every event up to it has been applied. While a revision's events are only
 *       partly applied ({@link #complete()} false), {@link #nextPosition()} is the first position not yet applied; an
 *       image that holds whole revisions always has {@code nextPosition == 0} and {@code count == 0}, so splitting the
 *       same events into different batches gives equal images.
 *   <li>{@link #accepts} is the idempotence rule: an event at or before the point is never applied again.
 *   <li>Values are kept as the journal published them and decoded on first read; sub-images that a delta does not touch
 *       are the same instances in the next image.
 * </ul>
 */
public final class ClusterImage {
  public static final ClusterImage EMPTY = new ClusterImage(0, 0, 0, emptyParts());

  private final long revision;
  private final int nextPosition;
  private final int count;
  private final KeyedImage<?>[] parts;
  private int hash;

  ClusterImage(long revision, int nextPosition, int count, KeyedImage<?>[] parts) {
    this.revision = revision;
    this.nextPosition = nextPosition;
    this.count = count;
    this.parts = parts;
  }

  private static KeyedImage<?>[] emptyParts() {
    List<Concern<?>> all = Concern.all();
    KeyedImage<?>[] p = new KeyedImage<?>[all.size()];
    for (Concern<?> c : all) {
      p[c.index()] = KeyedImage.empty(c);
    }
    return p;
  }

  /** The last revision applied (0 for {@link #EMPTY}). */
  public long revision() {
    return revision;
  }

  /** Whether every event of {@link #revision()} has been applied. */
  public boolean complete() {
    return nextPosition == 0 && count == 0;
  }

  /** The first position of {@link #revision()} not yet applied, or 0 when {@link #complete()}. */
  public int nextPosition() {
    return nextPosition;
  }

  /** The event count of {@link #revision()} while it is incomplete, else 0. */
  public int count() {
    return count;
  }

  /** Whether an event at {@code revision}/{@code position} is after this image's point (and would be applied). */
  public boolean accepts(long revision, int position) {
    return revision > this.revision || (revision == this.revision && !complete() && position >= nextPosition);
  }

  @SuppressWarnings("unchecked")
  public <T> KeyedImage<T> get(Concern<T> concern) {
    return (KeyedImage<T>) parts[concern.index()];
  }

  KeyedImage<?>[] parts() {
    return parts;
  }

  /** How many etcd keys the image holds. */
  public int size() {
    int n = 0;
    for (KeyedImage<?> p : parts) {
      n += p.size();
    }
    return n;
  }

  /** The raw value of an etcd key, or null. */
  public ImageValue value(String key) {
    Concern<?> c = Concern.of(key);
    return parts[c.index()].value(c.id(key));
  }

  /** The resources of {@code kind} that decode, in etcd key order (as {@code calicoctl get} lists them). */
  public List<Resource> resources(Kind kind) {
    Concern<? extends Resource> c = Concern.of(kind);
    if (c == null) {
      return new ArrayList<>(); // a kind of the ledger's own (Hook), not part of the network's image
    }
    return new ArrayList<>(get(c).map().values());
  }

  public Map<String, IPPool> pools() {
    return get(Concern.IP_POOLS).map();
  }

  public Map<String, Node> nodes() {
    return get(Concern.NODES).map();
  }

  public Map<String, BGPPeer> bgpPeers() {
    return get(Concern.BGP_PEERS).map();
  }

  public Map<String, BGPConfiguration> bgpConfigurations() {
    return get(Concern.BGP_CONFIGURATIONS).map();
  }

  public Map<String, FelixConfiguration> felixConfigurations() {
    return get(Concern.FELIX_CONFIGURATIONS).map();
  }

  /** By {@code namespace/name}. */
  public Map<String, WorkloadEndpoint> workloadEndpoints() {
    return get(Concern.WORKLOAD_ENDPOINTS).map();
  }

  public Map<String, HostEndpoint> hostEndpoints() {
    return get(Concern.HOST_ENDPOINTS).map();
  }

  public Map<String, Profile> profiles() {
    return get(Concern.PROFILES).map();
  }

  public Optional<ClusterInformation> clusterInformation() {
    return get(Concern.CLUSTER_INFORMATION).get(ClusterInformation.NAME);
  }

  /** By block CIDR ({@code 10.0.0.0/26}). */
  public Map<String, IpamBlock> ipamBlocks() {
    return get(Concern.IPAM_BLOCKS).map();
  }

  /** By {@code host/cidr}. */
  public Map<String, BlockAffinity> blockAffinities() {
    return get(Concern.BLOCK_AFFINITIES).map();
  }

  /** By handle id. */
  public Map<String, IpamHandle> ipamHandles() {
    return get(Concern.IPAM_HANDLES).map();
  }

  /** The stored IPAM configuration, or {@link IpamConfig#DEFAULT} when none is stored. */
  public IpamConfig ipamConfig() {
    return get(Concern.IPAM_CONFIG).get("config").orElse(IpamConfig.DEFAULT);
  }

  /** Every other key under {@code /calico/}, by etcd key. */
  public Map<String, ImageValue> other() {
    return get(Concern.OTHER).values();
  }

  @Override
  public boolean equals(Object o) {
    if (o == this) {
      return true;
    }
    return o instanceof ClusterImage i && i.revision == revision && i.nextPosition == nextPosition && i.count == count
        && Arrays.equals(i.parts, parts);
  }

  @Override
  public int hashCode() {
    int h = hash;
    if (h == 0) {
      h = Long.hashCode(revision) * 31 + Arrays.hashCode(parts);
      hash = h;
    }
    return h;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("ClusterImage@").append(revision);
    if (!complete()) {
      sb.append('.').append(nextPosition).append('/').append(count);
    }
    sb.append('{');
    for (KeyedImage<?> p : parts) {
      if (!p.isEmpty()) {
        sb.append(p).append(' ');
      }
    }
    return sb.append('}').toString();
  }
}
