package org.calicoledger.store;

import java.util.List;
import java.util.Optional;
import org.calicoledger.model.Kind;
import org.calicoledger.model.Resource;

/**
 * The datastore: Calico v3 resources and raw keys in etcd, with revisions.
 *
 * <p>Resource writes apply Calico's defaults, validate (including the rules that need other resources, such as pool
 * overlap), keep {@code uid} and {@code creationTimestamp}, and record the {@link Audit} in the same transaction.
 * {@code resourceVersion} is the etcd mod revision: an update or delete that carries one only succeeds if the resource
 * is still at that revision. Every call returns or fails within the configured timeout; failures are
 * {@link StoreException}s or {@link org.calicoledger.model.InvalidResourceException}s and leave etcd unchanged.
 * Implementations are thread-safe.
 */
public interface Store extends AutoCloseable {

  /** Creates {@code r}; fails with {@link StoreException.AlreadyExists} if it is there. */
  <T extends Resource> T create(T r, Audit audit);

  /**
   * Replaces an existing resource. With a {@code resourceVersion} it must still be current
   * ({@link StoreException.Conflict} otherwise); without one, the latest version is replaced (retrying on races).
   */
  <T extends Resource> T update(T r, Audit audit);

  /** Creates, or updates as {@link #update} does when the resource exists. */
  <T extends Resource> T apply(T r, Audit audit);

  /** Deletes; {@code expectedRevision} 0 means any. Returns what was deleted. */
  Resource delete(ResourceKey key, long expectedRevision, Audit audit);

  Optional<Resource> get(ResourceKey key);

  /** The resources of a kind (of one namespace, or all when {@code namespace} is null), in key order. */
  Listing<Resource> list(Kind kind, String namespace);

  <T extends Resource> Listing<T> list(Class<T> type);

  /** Creates ClusterInformation {@code default} when missing, with a cluster GUID and {@code datastoreReady: true}. */
  void ensureInitialized(String calicoVersion, String clusterType);

  // Raw keys: IPAM blocks and handles, Felix status, the ledger.

  Optional<KeyValue> getKey(String key);

  /** Every key under {@code prefix}, in key order, read at one revision (returned as {@link Listing#revision()}). */
  Range range(String prefix);

  /** Runs {@code txn} atomically, recording {@code audit} in the same revision when it writes. */
  Txn.Result txn(Txn txn, Audit audit);

  /** Watches every key under {@code prefix} from {@code fromRevision} (inclusive; 0 = from now). */
  Watch watch(String prefix, long fromRevision, Watch.Listener listener);

  /** The store's current revision. */
  long revision();

  /**
   * Runs for leadership of {@code election} (an etcd key prefix, e.g. {@code /calico/ledger/v1/elections/journal}),
   * on a lease of {@code ttl} kept alive in the background. Returns at once; see {@link Leadership#awaitLeadership}.
   */
  Leadership campaign(String election, String proposal, java.time.Duration ttl);

  /** Revokes an etcd lease (operators and tests: ends the leadership held on it). */
  void revokeLease(long leaseId);

  /** Compacts history up to {@code revision} (tests and operators). */
  void compact(long revision);

  @Override
  void close();

  record Range(List<KeyValue> kvs, long revision) {}
}
