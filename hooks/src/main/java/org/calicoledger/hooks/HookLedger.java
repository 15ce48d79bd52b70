package org.calicoledger.hooks;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.calicoledger.model.ResourceCodec;
import org.calicoledger.store.KeyValue;
import org.calicoledger.store.Keys;
import org.calicoledger.store.Store;
import org.calicoledger.store.Txn;

/**
 * calico-hooks' bookkeeping in etcd, next to the hooks: one status per hook ({@code hook-status/<name>}, written by
 * the runner only) and pending replay requests ({@code hook-replay/<name>}, written by calicoctl, removed by the runner
 * once applied). Both are internal to the ledger: the journal does not log them, so writing them never produces
 * events for the hooks to read. Thread-safe (the store is).
 */
public final class HookLedger {
  private final Store store;

  public HookLedger(Store store) {
    this.store = store;
  }

  /**
   * A request to deliver again from {@code from}.
   *
   * @param version the request key's mod revision (removal is conditional on it, so a newer request is not lost)
   */
  public record ReplayRequest(String hook, long from, String actor, String reason, String time, long version) {}

  public static String statusKey(String hook) {
    return Keys.HOOK_STATUS + hook;
  }

  public static String replayKey(String hook) {
    return Keys.HOOK_REPLAY + hook;
  }

  public Optional<HookStatus> status(String hook) {
    return store.getKey(statusKey(hook)).map(kv -> HookStatus.fromJson(kv.value()));
  }

  /** Every status, by hook name. */
  public Map<String, HookStatus> statuses() {
    Map<String, HookStatus> out = new TreeMap<>();
    for (KeyValue kv : store.range(Keys.HOOK_STATUS).kvs()) {
      out.put(kv.key().substring(Keys.HOOK_STATUS.length()), HookStatus.fromJson(kv.value()));
    }
    return out;
  }

  void save(HookStatus s) {
    store.txn(Txn.builder().put(statusKey(s.hook()), s.toJson()).build(), null);
  }

  /** Forgets a hook: its status and any pending replay. */
  void forget(String hook) {
    store.txn(Txn.builder().delete(statusKey(hook)).delete(replayKey(hook)).build(), null);
  }

  /** Asks the runner to deliver {@code hook}'s matching events again from revision {@code from}; returns the request. */
  public ReplayRequest requestReplay(String hook, long from, String actor, String reason) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("from", from);
    o.put("actor", actor);
    o.put("reason", reason == null ? "" : reason);
    String time = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    o.put("time", time);
    long rev = store.txn(Txn.builder().put(replayKey(hook), ResourceCodec.compact(o)).build(), null).revision();
    return new ReplayRequest(hook, from, actor, reason, time, rev);
  }

  public Optional<ReplayRequest> pendingReplay(String hook) {
    return store.getKey(replayKey(hook)).map(HookLedger::replay);
  }

  public Map<String, ReplayRequest> pendingReplays() {
    Map<String, ReplayRequest> out = new TreeMap<>();
    for (KeyValue kv : store.range(Keys.HOOK_REPLAY).kvs()) {
      ReplayRequest r = replay(kv);
      out.put(r.hook(), r);
    }
    return out;
  }

  static ReplayRequest replay(KeyValue kv) {
    var n = ResourceCodec.readTree(kv.value());
    return new ReplayRequest(kv.key().substring(Keys.HOOK_REPLAY.length()), n.path("from").asLong(),
        n.path("actor").asText(""), n.path("reason").asText(""), n.path("time").asText(""), kv.modRevision());
  }

  /** Removes a request once applied, unless a newer one replaced it meanwhile. */
  void clearReplay(ReplayRequest r) {
    store.txn(Txn.builder().modRevisionIs(replayKey(r.hook()), r.version()).delete(replayKey(r.hook())).build(), null);
  }
}
