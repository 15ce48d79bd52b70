package org.calicoledger.events.image;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.calicoledger.events.proto.ChangeEvent;
import org.calicoledger.events.proto.Operation;
import org.calicoledger.model.BGPConfiguration;
import org.calicoledger.model.BGPPeer;
import org.calicoledger.model.ClusterInformation;
import org.calicoledger.model.FelixConfiguration;
import org.calicoledger.model.HostEndpoint;
import org.calicoledger.model.IPPool;
import org.calicoledger.model.Node;
import org.calicoledger.model.Profile;
import org.calicoledger.model.WorkloadEndpoint;
import org.pcollections.TreePMap;

/**
 * The changes from one {@link ClusterImage} to the next: {@link #replay} events, then {@link #apply()}.
 *
 * <p>Single-threaded and single-use: after {@link #apply()} (or {@link #changes}) no more events may be replayed.
 * Between replays the delta only records the last value per key in a mutable map, so folding many events costs one
 * persistent-map update per distinct key at {@link #apply()}, and values are never decoded here.
 *
 * <p>Two modes:
 * <ul>
 *   <li>Follow ({@link #ClusterDelta(ClusterImage)}): events after the base image's point are applied in order; an event
 *       at or before the point (of the base, or of the events already replayed) is ignored, so replaying the same
 *       events twice, or any prefix of them again, changes nothing.
 *   <li>Snapshot ({@link #snapshot}): the records of {@code calico.state}, in any order of revisions; later records
 *       of a key replace earlier ones, a delete (tombstone) removes it, and every key of the base that the snapshot does
 *       not hold is removed. The result's point is the snapshot's revision, given by the journal's position record.
 * </ul>
 * What changed is reported per concern ({@link #changes}), relative to the base, so a consumer reacts to exactly that.
 */
public final class ClusterDelta {
  private final ClusterImage base;
  private final boolean snapshot;
  private long revision;
  private int nextPosition;
  private int count;
  /** The last value replayed per etcd key (null: deleted), in replay order; grouped by concern once replay ends. */
  private final Map<String, ImageValue> byKey = new HashMap<>(1024);
  private Map<String, ImageValue>[] pending;
  private final List<ChangeEvent> events = new ArrayList<>();
  private ClusterImage result;
  private Changes<?>[] changes;

  /** A delta that follows the change log from {@code base}. */
  public ClusterDelta(ClusterImage base) {
    this(base, false, base.revision());
    this.nextPosition = base.nextPosition();
    this.count = base.count();
  }

  @SuppressWarnings("unchecked")
  private ClusterDelta(ClusterImage base, boolean snapshot, long revision) {
    this.base = Objects.requireNonNull(base, "base");
    this.snapshot = snapshot;
    this.revision = revision;
  }

  /** A delta that loads a whole snapshot whose point is {@code revision}; see the class comment. */
  public static ClusterDelta snapshot(ClusterImage base, long revision) {
    return new ClusterDelta(base, true, revision);
  }

  public ClusterImage base() {
    return base;
  }

  public boolean isSnapshot() {
    return snapshot;
  }

  /** The point the result will have. */
  public long revision() {
    return revision;
  }

  /** The events replayed and applied, in order (ignored ones, and changes replayed by parts, are not listed). */
  public List<ChangeEvent> events() {
    return Collections.unmodifiableList(events);
  }

  /**
   * Records {@code e}. Returns false (and records nothing) when a follow-mode delta is already past it.
   *
   * @throws IllegalStateException after {@link #apply()}
   */
  public boolean replay(ChangeEvent e) {
    if (!replay(e.getRevision(), e.getPosition(), e.getCount(), e.getKey(), e.getOperation(), e.getValue())) {
      return false;
    }
    events.add(e);
    return true;
  }

  /**
   * Replays one change given by its parts, as {@link #replay(ChangeEvent)} does, without keeping an event for
   * {@link #events()}: for folding history, where only the image is wanted and decoding whole events would cost more
   * than the fold.
   */
  public boolean replay(long revision, int position, int count, String key, Operation op, ByteString value) {
    if (pending != null) {
      throw new IllegalStateException("this delta was already applied; start a new one from its image");
    }
    if (!snapshot) {
      boolean after = revision > this.revision
          || (revision == this.revision && !(nextPosition == 0 && this.count == 0) && position >= nextPosition);
      if (!after) {
        return false;
      }
      if (revision > this.revision) {
        this.revision = revision;
        this.count = count;
      }
      nextPosition = position + 1;
      if (nextPosition >= this.count) {
        nextPosition = 0;
        this.count = 0;
      }
    }
    if (op == Operation.PUT || op == Operation.DELETE) {
      // keyed by the etcd key: classifying into concern and id happens once per distinct key, in group()
      byKey.put(key, op == Operation.PUT ? new ImageValue(key, value == null ? ByteString.EMPTY : value, revision) : null);
    }
    return true;
  }

  /** Replays every event of {@code batch} in order; returns how many were applied. */
  public int replayAll(Iterable<ChangeEvent> batch) {
    int n = 0;
    for (ChangeEvent e : batch) {
      if (replay(e)) {
        n++;
      }
    }
    return n;
  }

  /** Whether this delta changes nothing (no event applied, or every value ended where it started). */
  public boolean isEmpty() {
    for (Concern<?> c : Concern.all()) {
      if (!changes(c).isEmpty()) {
        return false;
      }
    }
    return true;
  }

  /** The next image. Calling it again returns the same image. */
  public ClusterImage apply() {
    if (result != null) {
      return result;
    }
    group();
    KeyedImage<?>[] parts = base.parts().clone();
    boolean changed = false;
    for (Concern<?> c : Concern.all()) {
      Map<String, ImageValue> m = pending[c.index()];
      if (m == null || m.isEmpty()) {
        continue;
      }
      KeyedImage<?> old = parts[c.index()];
      TreePMap<String, ImageValue> tree = old.tree();
      for (Map.Entry<String, ImageValue> e : m.entrySet()) {
        ImageValue now = e.getValue();
        ImageValue was = tree.get(e.getKey());
        if (now == null) {
          if (was != null) {
            tree = tree.minus(e.getKey());
          }
        } else if (!now.equals(was)) {
          ImageValue own = now.detached();
          e.setValue(own); // changes() then hands out the instances the image holds (one decode cache)
          tree = tree.plus(e.getKey(), own);
        }
      }
      if (tree != old.tree()) {
        parts[c.index()] = rebuild(c, tree);
        changed = true;
      }
    }
    boolean samePoint = revision == base.revision() && nextPosition == base.nextPosition() && count == base.count();
    result = !changed && samePoint ? base : new ClusterImage(revision, nextPosition, count, changed ? parts : base.parts());
    return result;
  }

  private static <T> KeyedImage<T> rebuild(Concern<T> c, TreePMap<String, ImageValue> tree) {
    return new KeyedImage<>(c, tree);
  }

  /** Ends replay: sorts the replayed keys into their concerns (and, for a snapshot, removes what it lacks). */
  @SuppressWarnings("unchecked")
  private void group() {
    if (pending != null) {
      return;
    }
    pending = new Map[Concern.all().size()];
    for (Map.Entry<String, ImageValue> e : byKey.entrySet()) {
      String key = e.getKey();
      Concern<?> c = Concern.of(key);
      Map<String, ImageValue> m = pending[c.index()];
      if (m == null) {
        m = new HashMap<>();
        pending[c.index()] = m;
      }
      m.put(c.id(key), e.getValue());
    }
    finishSnapshot();
  }

  private void finishSnapshot() {
    if (!snapshot) {
      return;
    }
    for (Concern<?> c : Concern.all()) {
      KeyedImage<?> was = base.get(c);
      if (was.isEmpty()) {
        continue;
      }
      Map<String, ImageValue> m = pending[c.index()];
      if (m == null) {
        m = new HashMap<>();
        pending[c.index()] = m;
      }
      for (String id : was.values().keySet()) {
        m.putIfAbsent(id, null);
      }
    }
  }

  /** What this delta changes in {@code concern}, relative to {@link #base()}. */
  @SuppressWarnings("unchecked")
  public <T> Changes<T> changes(Concern<T> concern) {
    if (changes == null) {
      group();
      changes = new Changes<?>[pending.length];
    }
    Changes<T> done = (Changes<T>) changes[concern.index()];
    if (done != null) {
      return done;
    }
    Map<String, ImageValue> m = pending[concern.index()];
    Changes<T> out;
    if (m == null || m.isEmpty()) {
      out = Changes.none(concern);
    } else {
      KeyedImage<T> was = base.get(concern);
      List<String> ids = new ArrayList<>(m.keySet());
      Collections.sort(ids);
      List<Change<T>> list = new ArrayList<>();
      for (String id : ids) {
        ImageValue before = was.value(id);
        ImageValue after = m.get(id);
        if (!Objects.equals(before, after)) {
          list.add(new Change<>(concern, id, before, after));
        }
      }
      out = new Changes<>(concern, list);
    }
    changes[concern.index()] = out;
    return out;
  }

  /** Whether {@code concern} has any change (cheaper to ask before computing {@link #changes}). */
  public boolean touches(Concern<?> concern) {
    group();
    Map<String, ImageValue> m = pending[concern.index()];
    return m != null && !m.isEmpty() && !changes(concern).isEmpty();
  }

  public Changes<IPPool> pools() {
    return changes(Concern.IP_POOLS);
  }

  public Changes<Node> nodes() {
    return changes(Concern.NODES);
  }

  public Changes<BGPPeer> bgpPeers() {
    return changes(Concern.BGP_PEERS);
  }

  public Changes<BGPConfiguration> bgpConfigurations() {
    return changes(Concern.BGP_CONFIGURATIONS);
  }

  public Changes<FelixConfiguration> felixConfigurations() {
    return changes(Concern.FELIX_CONFIGURATIONS);
  }

  public Changes<WorkloadEndpoint> workloadEndpoints() {
    return changes(Concern.WORKLOAD_ENDPOINTS);
  }

  public Changes<HostEndpoint> hostEndpoints() {
    return changes(Concern.HOST_ENDPOINTS);
  }

  public Changes<Profile> profiles() {
    return changes(Concern.PROFILES);
  }

  public Changes<ClusterInformation> clusterInformation() {
    return changes(Concern.CLUSTER_INFORMATION);
  }

  public Changes<IpamBlock> ipamBlocks() {
    return changes(Concern.IPAM_BLOCKS);
  }

  public Changes<BlockAffinity> blockAffinities() {
    return changes(Concern.BLOCK_AFFINITIES);
  }

  public Changes<IpamHandle> ipamHandles() {
    return changes(Concern.IPAM_HANDLES);
  }

  public Changes<IpamConfig> ipamConfig() {
    return changes(Concern.IPAM_CONFIG);
  }

  public Changes<ImageValue> other() {
    return changes(Concern.OTHER);
  }

  @Override
  public String toString() {
    return (snapshot ? "snapshot" : "delta") + " " + base.revision() + " -> " + revision + " (" + events.size()
        + " events)";
  }
}
