package org.calicoledger.ipam;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.calicoledger.model.net.Cidr;
import org.calicoledger.store.Audit;
import org.calicoledger.store.KeyValue;
import org.calicoledger.store.Store;
import org.calicoledger.store.Txn;

/**
 * IPAM's persistence: reads of blocks, affinities, handles and the configuration with their mod revisions, and
 * conditional writes through {@link Store#txn}. Every write compares the revisions its decision was based on
 * ({@link Guard}s: the value it changes, and the pool, node or configuration it relied on); a failed compare returns
 * the current values of the compared keys, so the caller can decide again without another read. Nothing here retries
 * or decides; the {@link FaultHook} fires after the writes named in {@link FaultHook.Point}.
 */
final class BlockStore {
  private final Store store;
  private final String actor;
  private final FaultHook faults;

  BlockStore(Store store, String actor, FaultHook faults) {
    this.store = store;
    this.actor = actor;
    this.faults = faults;
  }

  Store store() {
    return store;
  }

  /** A key that must still be at {@code revision} (0: still absent) for a write to land. */
  record Guard(String key, long revision) {}

  /** The result of a conditional write: the revision it landed at, or the current values of the compared keys. */
  record Outcome(boolean ok, long revision, Map<String, KeyValue> current) {
    Optional<KeyValue> now(String key) {
      return Optional.ofNullable(current.get(key));
    }

    /** Whether {@code g}'s key moved away from the revision the writer relied on. */
    boolean moved(Guard g) {
      KeyValue kv = current.get(g.key());
      return (kv == null ? 0 : kv.modRevision()) != g.revision();
    }
  }

  Outcome commit(Txn.Builder txn, List<Guard> guards, String reason, FaultHook.Point after, String detail) {
    guards.forEach(g -> txn.unchanged(g.key(), g.revision()));
    Txn.Result r = store.txn(txn.build(), new Audit(actor, reason));
    if (r.succeeded() && after != null) {
      faults.reached(after, detail);
    }
    return new Outcome(r.succeeded(), r.revision(), r.current());
  }

  // ---- reads ----

  Optional<Versioned<Block>> block(Cidr cidr) {
    String key = IpamKeys.block(cidr);
    return store.getKey(key).map(kv -> new Versioned<>(Block.parse(kv.value(), key), kv.modRevision()));
  }

  static Versioned<Block> block(KeyValue kv) {
    return new Versioned<>(Block.parse(kv.value(), kv.key()), kv.modRevision());
  }

  /** Every block of one IP version (0: both), in key order, read at one revision. */
  List<Versioned<Block>> blocks(int version) {
    List<Versioned<Block>> out = new ArrayList<>();
    for (KeyValue kv : store.range(version == 0 ? IpamKeys.BLOCKS : IpamKeys.blockPrefix(version)).kvs()) {
      if (IpamKeys.parseBlock(kv.key()).isPresent()) {
        out.add(block(kv));
      }
    }
    return out;
  }

  /** The affinities of one host (null: every host). */
  List<Versioned<Affinity>> affinities(String host) {
    List<Versioned<Affinity>> out = new ArrayList<>();
    for (KeyValue kv : store.range(host == null ? IpamKeys.HOSTS : IpamKeys.hostPrefix(host)).kvs()) {
      if (IpamKeys.parseAffinity(kv.key()).isPresent()) {
        out.add(new Versioned<>(Affinity.parse(kv.key(), kv.value()), kv.modRevision()));
      }
    }
    return out;
  }

  Optional<Versioned<Affinity>> affinity(String host, Cidr cidr) {
    String key = IpamKeys.affinity(host, cidr);
    return store.getKey(key).map(kv -> new Versioned<>(Affinity.parse(key, kv.value()), kv.modRevision()));
  }

  Optional<Versioned<Handle>> handle(String id) {
    return store.getKey(IpamKeys.handle(id)).map(kv -> new Versioned<>(Handle.parse(kv.value(), id), kv.modRevision()));
  }

  List<Versioned<Handle>> handles() {
    List<Versioned<Handle>> out = new ArrayList<>();
    for (KeyValue kv : store.range(IpamKeys.HANDLES).kvs()) {
      IpamKeys.parseHandle(kv.key()).ifPresent(id -> out.add(new Versioned<>(Handle.parse(kv.value(), id), kv.modRevision())));
    }
    return out;
  }

  /** The configuration; {@link IpamConfig#DEFAULT} at revision 0 when the key is absent. */
  Versioned<IpamConfig> config() {
    return store.getKey(IpamKeys.CONFIG).map(kv -> new Versioned<>(IpamConfig.parse(kv.value()), kv.modRevision()))
        .orElse(new Versioned<>(IpamConfig.DEFAULT, 0));
  }

  // ---- writes: each one transaction, conditional on what the caller read ----

  /** A block write: the outcome, and on success the block as stored at its new revision. */
  record BlockWrite(Outcome outcome, Versioned<Block> stored) {
    boolean ok() {
      return outcome.ok();
    }
  }

  /**
   * Writes {@code next} over the block read as {@code read} (revision 0: creates it). An update stores the next
   * sequence number, as Calico's {@code updateBlock} does.
   */
  BlockWrite putBlock(Versioned<Block> read, Block next, List<Guard> guards, String reason, FaultHook.Point after) {
    Block value = read.revision() == 0 ? next : next.nextSequence();
    String key = IpamKeys.block(value.cidr());
    Outcome o = commit(Txn.builder().unchanged(key, read.revision()).put(key, value.toJson()), guards, reason, after,
        key);
    return new BlockWrite(o, o.ok() ? new Versioned<>(value, o.revision()) : null);
  }

  Outcome deleteBlock(Versioned<Block> read, List<Guard> guards, String reason, FaultHook.Point after) {
    String key = IpamKeys.block(read.value().cidr());
    return commit(Txn.builder().modRevisionIs(key, read.revision()).delete(key), guards, reason, after, key);
  }

  Outcome putAffinity(long readRevision, Affinity a, List<Guard> guards, String reason, FaultHook.Point after) {
    return commit(Txn.builder().unchanged(a.key(), readRevision).put(a.key(), a.toJson()), guards, reason, after,
        a.key());
  }

  Outcome deleteAffinity(Versioned<Affinity> read, String reason) {
    String key = read.value().key();
    return commit(Txn.builder().modRevisionIs(key, read.revision()).delete(key), List.of(), reason, null, key);
  }

  Outcome putHandle(long readRevision, Handle h, String reason) {
    String key = IpamKeys.handle(h.id());
    return commit(Txn.builder().unchanged(key, readRevision).put(key, h.toJson()), List.of(), reason, null, key);
  }

  Outcome deleteHandle(long readRevision, String id, String reason) {
    String key = IpamKeys.handle(id);
    return commit(Txn.builder().modRevisionIs(key, readRevision).delete(key), List.of(), reason, null, key);
  }

  /**
   * Gives up a host's claim on a block in one transaction: the block is deleted when empty, otherwise kept without an
   * affinity; the affinity key goes. (Calico takes three writes, marking the affinity {@code pendingDeletion} first;
   * one etcd transaction leaves no state in between. A {@code pendingDeletion} affinity written by Calico is still
   * finished by recovery.)
   */
  Outcome releaseAffinity(Versioned<Affinity> aff, Versioned<Block> block, String reason) {
    String affKey = aff.value().key();
    Txn.Builder t = Txn.builder().modRevisionIs(affKey, aff.revision()).delete(affKey);
    if (block != null) {
      String key = IpamKeys.block(block.value().cidr());
      t.modRevisionIs(key, block.revision());
      if (block.value().isEmpty()) {
        t.delete(key);
      } else {
        t.put(key, block.value().withAffinity(null, null).nextSequence().toJson());
      }
    }
    return commit(t, List.of(), reason, null, affKey);
  }

  Outcome putConfig(long readRevision, IpamConfig c, String reason) {
    return commit(Txn.builder().unchanged(IpamKeys.CONFIG, readRevision).put(IpamKeys.CONFIG, c.toJson()), List.of(),
        reason, null, IpamKeys.CONFIG);
  }
}
