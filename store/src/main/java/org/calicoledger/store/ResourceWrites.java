package org.calicoledger.store;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;
import org.calicoledger.model.ClusterInformation;
import org.calicoledger.model.IPPool;
import org.calicoledger.model.InvalidResourceException;
import org.calicoledger.model.Kind;
import org.calicoledger.model.ObjectMeta;
import org.calicoledger.model.Profile;
import org.calicoledger.model.Resource;
import org.calicoledger.model.ResourceCodec;
import org.calicoledger.model.Validation;

/**
 * Calico's resource semantics on top of raw etcd transactions (libcalico-go's clientv3, in our terms).
 *
 * <ul>
 *   <li>Create: defaults, validation, {@code resourceVersion} must be empty, new {@code uid} and
 *       {@code creationTimestamp}; {@code If(version == 0)}.
 *   <li>Update: the stored {@code uid} and {@code creationTimestamp} are kept; labels and annotations come from the
 *       input. With a {@code resourceVersion}: {@code If(modRevision == rv)}, a mismatch is a conflict. Without one: the
 *       latest is replaced, re-reading up to {@value #UPDATE_ATTEMPTS} times on races.
 *   <li>IPPools: a pool may not overlap another; the check reads all pools and commits only if no pool was created
 *       meanwhile (a guard key bumped by every pool create is compared in the same transaction). CIDR and block size
 *       cannot change.
 * </ul>
 */
final class ResourceWrites {
  private static final int UPDATE_ATTEMPTS = 5;
  private static final int GUARD_ATTEMPTS = 10;

  private final EtcdStore store;
  private final Identities identities = new Identities();

  ResourceWrites(EtcdStore store) {
    this.store = store;
  }

  private <T extends Resource> T remember(String k, T r) {
    ObjectMeta m = r.metadata();
    identities.remember(k, m.revision(), m.uid(), m.creationTimestamp());
    return r;
  }

  @SuppressWarnings("unchecked")
  <T extends Resource> T create(T input, Audit audit) {
    T r = (T) input.withDefaults();
    ResourceKey key = ResourceKey.of(r);
    if (r.metadata() != null && r.metadata().resourceVersion() != null && !r.metadata().resourceVersion().isEmpty()) {
      throw new InvalidResourceException(key.toString(), "metadata.resourceVersion",
          "'" + r.metadata().resourceVersion() + "': must not be set when creating; leave it out (or use apply)");
    }
    Validation.check(r, key.toString());
    ObjectMeta m = r.metadata();
    T withId = (T) r.withMetadata(m.withNamespace(key.namespace()).withIdentity(
        m.uid() == null || m.uid().isEmpty() ? UUID.randomUUID().toString() : m.uid(),
        m.creationTimestamp() == null || m.creationTimestamp().isEmpty()
            ? Instant.now().truncatedTo(ChronoUnit.SECONDS).toString() : m.creationTimestamp()));
    String k = Keys.resource(key);
    for (int attempt = 0; attempt < GUARD_ATTEMPTS; attempt++) {
      Txn.Builder txn = Txn.builder().absent(k);
      if (withId instanceof IPPool pool) {
        long guard = checkNoOverlap(pool);
        txn.unchanged(Keys.POOL_GUARD, guard).put(Keys.POOL_GUARD, Long.toString(guard + 1));
      }
      Txn.Result res = store.txn(txn.put(k, ResourceCodec.encodeStored(withId)).build(), audit);
      if (res.succeeded()) {
        return remember(k, (T) withId.withMetadata(withId.metadata().withResourceVersion(Long.toString(res.revision()))));
      }
      if (res.current().containsKey(k)) {
        throw new StoreException.AlreadyExists(key.toString());
      }
      // only the pool guard moved: another pool was created meanwhile; check overlap again
    }
    throw new StoreException("creating " + key + " kept racing with other IPPool creates (" + GUARD_ATTEMPTS
        + " attempts); nothing was written, safe to retry", true, null);
  }

  /** Throws if {@code pool} overlaps a stored pool; returns the guard's mod revision read with them. */
  private long checkNoOverlap(IPPool pool) {
    // The guard is read before the pools: a pool created after this read bumps the guard and fails our transaction;
    // one created before it is in the range read below. (Reading the guard second would let a create slip between.)
    long guard = store.getKey(Keys.POOL_GUARD).map(KeyValue::modRevision).orElse(0L);
    Store.Range range = store.range(Keys.prefix(Kind.IP_POOL, null));
    List<IPPool> pools = new ArrayList<>();
    for (KeyValue kv : range.kvs()) {
      decode(kv).filter(IPPool.class::isInstance).map(IPPool.class::cast).ifPresent(pools::add);
    }
    List<IPPool> overlapping = Validation.overlapping(pool, pools);
    if (!overlapping.isEmpty()) {
      throw new InvalidResourceException(ResourceKey.of(pool).toString(), "spec.cidr", "'" + pool.spec().cidr()
          + "': overlaps " + overlapping.stream().map(o -> "IPPool(" + o.name() + ") " + o.spec().cidr())
          .collect(Collectors.joining(", ")) + "; pools must not overlap");
    }
    return guard;
  }

  @SuppressWarnings("unchecked")
  <T extends Resource> T update(T input, Audit audit) {
    T r = (T) input.withDefaults();
    ResourceKey key = ResourceKey.of(r);
    refuseBuiltIn(key, "updated");
    Validation.check(r, key.toString());
    long rv = r.metadata().revision();
    String k = Keys.resource(key);
    if (rv != 0 && !(r instanceof IPPool)) { // pools are rare writes with immutable fields: always read them
      var known = identities.at(k, rv);
      if (known.isPresent()) {
        // seen at exactly rv: the CAS below proves the stored object is still that one, so no read is needed
        return casUpdate(r, key, k, rv, known.get().uid(), known.get().creationTimestamp(), null, audit);
      }
    }
    for (int attempt = 0; attempt < (rv == 0 ? UPDATE_ATTEMPTS : 1); attempt++) {
      KeyValue existing = store.getKey(k).orElseThrow(() -> new StoreException.NotFound(key.toString()));
      if (rv != 0 && existing.modRevision() != rv) {
        throw new StoreException.Conflict(key.toString(), rv, existing.modRevision());
      }
      Resource old = ResourceCodec.decodeStored(existing.value(), existing.modRevision());
      ObjectMeta om = old.metadata();
      T done = casUpdate(r, key, k, existing.modRevision(), om.uid(), om.creationTimestamp(), old, audit);
      if (done != null || rv != 0) {
        return done;
      }
    }
    throw new StoreException("updating " + key + " kept racing with other writers (" + UPDATE_ATTEMPTS
        + " attempts); nothing was written, safe to retry", true, null);
  }

  /**
   * One compare-and-swap of {@code r} at {@code at}, keeping the given identity. Returns the stored resource, or null
   * when the key moved and the caller (an unversioned update) may retry; throws for a versioned one.
   */
  @SuppressWarnings("unchecked")
  private <T extends Resource> T casUpdate(T r, ResourceKey key, String k, long at, String uid, String created,
      Resource old, Audit audit) {
    if (old != null) {
      immutable(old, r, key);
    }
    ObjectMeta merged = r.metadata().withNamespace(key.namespace())
        .withIdentity(uid == null || uid.isEmpty() ? UUID.randomUUID().toString() : uid,
            created == null || created.isEmpty() ? Instant.now().truncatedTo(ChronoUnit.SECONDS).toString() : created);
    T next = (T) r.withMetadata(merged);
    Txn.Result res = store.txn(Txn.builder().modRevisionIs(k, at).put(k, ResourceCodec.encodeStored(next)).build(),
        audit);
    if (res.succeeded()) {
      return remember(k, (T) next.withMetadata(merged.withResourceVersion(Long.toString(res.revision()))));
    }
    identities.forget(k);
    KeyValue now = res.current().get(k);
    if (now == null) {
      throw new StoreException.NotFound(key.toString());
    }
    if (r.metadata().revision() != 0) {
      throw new StoreException.Conflict(key.toString(), r.metadata().revision(), now.modRevision());
    }
    return null;
  }

  private static void immutable(Resource old, Resource r, ResourceKey key) {
    if (old instanceof IPPool o && r instanceof IPPool n) {
      List<InvalidResourceException.Problem> p = new ArrayList<>();
      if (!o.spec().cidr().equals(n.spec().cidr())) {
        p.add(new InvalidResourceException.Problem("spec.cidr", "'" + n.spec().cidr() + "': IPPool CIDR cannot be"
            + " modified (it is " + o.spec().cidr() + "); create a new pool and disable this one to migrate"));
      }
      if (o.spec().blockSize() != 0 && o.spec().blockSize() != n.spec().blockSize()) {
        p.add(new InvalidResourceException.Problem("spec.blockSize", "'" + n.spec().blockSize()
            + "': IPPool blockSize cannot be modified (it is " + o.spec().blockSize() + ")"));
      }
      if (!p.isEmpty()) {
        throw new InvalidResourceException(key.toString(), p);
      }
    }
  }

  <T extends Resource> T apply(T r, Audit audit) {
    ResourceKey key = ResourceKey.of(r);
    refuseBuiltIn(key, "updated");
    if (store.getKey(Keys.resource(key)).isEmpty()) {
      try {
        return create(withoutVersion(r), audit);
      } catch (StoreException.AlreadyExists raced) {
        // created by someone else between the read and the create: update it instead
      }
    }
    return update(r, audit);
  }

  @SuppressWarnings("unchecked")
  private static <T extends Resource> T withoutVersion(T r) {
    return r.metadata() == null ? r : (T) r.withMetadata(r.metadata().withResourceVersion(null));
  }

  Resource delete(ResourceKey key, long rv, Audit audit) {
    refuseBuiltIn(key, "deleted");
    String k = Keys.resource(key);
    Txn.Builder txn = rv > 0 ? Txn.builder().modRevisionIs(k, rv) : Txn.builder();
    identities.forget(k);
    Txn.Result res = store.txn(txn.delete(k).build(), audit);
    if (!res.succeeded()) {
      KeyValue now = res.current().get(k);
      if (now == null) {
        throw new StoreException.NotFound(key.toString());
      }
      throw new StoreException.Conflict(key.toString(), rv, now.modRevision());
    }
    KeyValue prev = res.deleted().get(k);
    if (prev == null) {
      throw new StoreException.NotFound(key.toString());
    }
    return ResourceCodec.decodeStored(prev.value(), prev.modRevision());
  }

  private static void refuseBuiltIn(ResourceKey key, String verb) {
    if (key.kind() == Kind.PROFILE && Profile.DEFAULT_ALLOW.equals(key.name())) {
      throw new InvalidResourceException(key.toString(), "metadata.name", "'" + Profile.DEFAULT_ALLOW
          + "' is a default provided by Calico and cannot be " + verb);
    }
  }

  Optional<Resource> get(ResourceKey key) {
    if (key.kind() == Kind.PROFILE && Profile.DEFAULT_ALLOW.equals(key.name())) {
      return Optional.of(Profile.defaultAllow());
    }
    String k = Keys.resource(key);
    return store.getKey(k).flatMap(ResourceWrites::decode).map(r -> remember(k, r));
  }

  Listing<Resource> list(Kind kind, String namespace) {
    Store.Range range = store.range(Keys.prefix(kind, namespace));
    List<Resource> out = new ArrayList<>();
    for (KeyValue kv : range.kvs()) {
      decode(kv).ifPresent(out::add);
    }
    if (kind == Kind.PROFILE) {
      out.add(Profile.defaultAllow());
    }
    return new Listing<>(out, range.revision());
  }

  /** A stored value, or empty (with a warning) when it is not a resource this model can read. */
  static Optional<Resource> decode(KeyValue kv) {
    try {
      return Optional.of(ResourceCodec.decodeStored(kv.value(), kv.modRevision()));
    } catch (RuntimeException e) {
      System.getLogger("store").log(System.Logger.Level.WARNING, "skipping " + kv.key() + " at revision "
          + kv.modRevision() + ": " + e.getMessage());
      return Optional.empty();
    }
  }

  void ensureInitialized(String calicoVersion, String clusterType) {
    ResourceKey key = ResourceKey.of(Kind.CLUSTER_INFORMATION, ClusterInformation.NAME);
    Audit audit = new Audit(null, "initialize the datastore");
    for (int attempt = 0; attempt < UPDATE_ATTEMPTS; attempt++) {
      Optional<Resource> existing = get(key);
      try {
        if (existing.isEmpty()) {
          create(new ClusterInformation(ObjectMeta.named(ClusterInformation.NAME), new ClusterInformation.Spec(
              UUID.randomUUID().toString().replace("-", ""), blankToNull(clusterType), blankToNull(calicoVersion), true,
              null)), audit);
          return;
        }
        ClusterInformation ci = (ClusterInformation) existing.get();
        ClusterInformation.Spec s = ci.spec();
        ClusterInformation.Spec want = new ClusterInformation.Spec(
            s.clusterGUID() == null || s.clusterGUID().isEmpty() ? UUID.randomUUID().toString().replace("-", "") : s.clusterGUID(),
            mergeTypes(s.clusterType(), clusterType),
            calicoVersion == null || calicoVersion.isEmpty() ? s.calicoVersion() : calicoVersion,
            s.datastoreReady() == null ? Boolean.TRUE : s.datastoreReady(),
            s.variant());
        if (!want.equals(s)) {
          update(new ClusterInformation(ci.metadata(), want), audit);
        }
        return;
      } catch (StoreException.AlreadyExists | StoreException.Conflict raced) {
        // another writer initialized it at the same time; read again
      }
    }
  }

  private static String mergeTypes(String have, String add) {
    if (add == null || add.isEmpty()) {
      return have;
    }
    if (have == null || have.isEmpty()) {
      return add;
    }
    List<String> types = new ArrayList<>(List.of(have.split(",")));
    for (String t : add.split(",")) {
      if (!types.contains(t)) {
        types.add(t);
      }
    }
    return String.join(",", types);
  }

  private static String blankToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }
}
