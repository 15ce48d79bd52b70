package org.calicoledger.events.journal;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.calicoledger.events.proto.ChangeEvent;
import org.calicoledger.events.proto.Operation;
import org.calicoledger.model.Resource;
import org.calicoledger.model.ResourceCodec;
import org.calicoledger.store.Keys;
import org.calicoledger.store.ResourceKey;
import org.calicoledger.store.WatchEvent;

/**
 * Turns the etcd changes of one revision into that revision's ChangeEvents.
 *
 * <p>The writer's audit record ({@code /calico/ledger/v1/audit/<actor>}, put in the same transaction) is not an event
 * of its own: its actor, reason and time are joined into every event of the revision. Other bookkeeping keys of the
 * ledger (elections, guards) are left out: see {@link #isInternal}. Values are checked, never
 * trusted: a resource value that does not decode (not JSON, unknown kind, a kind that does not match its key) still
 * becomes an event, with the raw bytes and a {@code decode_error}, so one bad writer cannot stop the journal.
 */
final class EventBuilder {
  private EventBuilder() {}

  record Audit(String actor, String reason, long timeMs) {
    static final Audit NONE = new Audit("", "", 0);
  }

  private static final String ELECTIONS = Keys.LEDGER + "elections/";

  static boolean isAudit(String key) {
    return key.startsWith(Keys.AUDIT);
  }

  /**
   * The ledger's own bookkeeping, not part of the network's state: audit records (joined into the events they
   * describe), leader elections, write guards, and calico-hooks' positions and replay requests (written as hooks
   * deliver: logging them would feed the hooks their own bookkeeping). The change log leaves them out.
   */
  static boolean isInternal(String key) {
    return key.startsWith(Keys.LEDGER) && (key.startsWith(Keys.AUDIT) || key.startsWith(ELECTIONS)
        || key.equals(Keys.POOL_GUARD) || key.startsWith(Keys.HOOK_STATUS) || key.startsWith(Keys.HOOK_REPLAY));
  }

  /** The events of one revision; {@code changes} all share that revision, in etcd's order. */
  static List<ChangeEvent> revision(List<WatchEvent> changes, long observedMs, boolean resync) {
    Audit audit = Audit.NONE;
    List<WatchEvent> data = new ArrayList<>(changes.size());
    for (WatchEvent e : changes) {
      if (isAudit(e.key())) {
        if (e.type() == WatchEvent.Type.PUT) {
          audit = parseAudit(e.value());
        }
      } else if (!isInternal(e.key())) {
        data.add(e);
      }
    }
    List<ChangeEvent> out = new ArrayList<>(data.size());
    for (int i = 0; i < data.size(); i++) {
      out.add(event(data.get(i), i, data.size(), audit, observedMs, resync));
    }
    return out;
  }

  static ChangeEvent event(WatchEvent e, int position, int count, Audit audit, long observedMs, boolean resync) {
    ChangeEvent.Builder b = ChangeEvent.newBuilder()
        .setRevision(e.modRevision())
        .setPosition(position)
        .setCount(count)
        .setKey(e.key())
        .setOperation(e.type() == WatchEvent.Type.PUT ? Operation.PUT : Operation.DELETE)
        .setObservedTimeMs(observedMs)
        .setActor(audit.actor())
        .setReason(audit.reason())
        .setAuditTimeMs(audit.timeMs())
        .setResync(resync);
    if (e.prevValue() != null) {
      b.setPrevValue(ByteString.copyFrom(e.prevValue()));
    }
    if (e.value() != null) {
      b.setValue(ByteString.copyFrom(e.value()));
    }
    Optional<ResourceKey> rk = Keys.parse(e.key());
    rk.ifPresent(k -> {
      b.setKind(k.kind().kindName()).setName(k.name());
      if (k.namespace() != null) {
        b.setNamespace(k.namespace());
      }
    });
    if (e.value() != null) {
      String error = check(e.key(), rk, e.value());
      if (error != null) {
        b.setDecodeError(error);
      }
    }
    return b.build();
  }

  /** Why a value cannot be read, or null. */
  private static String check(String key, Optional<ResourceKey> rk, byte[] value) {
    if (key.startsWith(Keys.RESOURCES)) {
      if (rk.isEmpty()) {
        return "unknown resource type or malformed key " + key;
      }
      try {
        Resource r = ResourceCodec.decodeStored(value, 0);
        if (r.kind() != rk.get().kind()) {
          return "value is a " + r.kind().kindName() + " but the key is for " + rk.get().kind().kindName();
        }
        return null;
      } catch (RuntimeException ex) {
        return ex.getMessage();
      }
    }
    try {
      JsonNode ignored = ResourceCodec.readTree(value);
      return null;
    } catch (RuntimeException ex) {
      return "value is not JSON";
    }
  }

  static Audit parseAudit(byte[] value) {
    try {
      JsonNode n = ResourceCodec.readTree(value);
      long t = 0;
      String time = n.path("time").asText("");
      if (!time.isEmpty()) {
        try {
          t = Instant.parse(time).toEpochMilli();
        } catch (RuntimeException ignored) {
          // an unparsable time is left out
        }
      }
      return new Audit(n.path("actor").asText(""), n.path("reason").asText(""), t);
    } catch (RuntimeException e) {
      return Audit.NONE;
    }
  }
}
