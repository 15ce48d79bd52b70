package org.calicoledger.events.history;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.google.protobuf.ByteString;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import org.calicoledger.events.proto.ChangeEvent;
import org.calicoledger.events.proto.Operation;
import org.calicoledger.model.ResourceCodec;
import org.calicoledger.store.Keys;

/**
 * One event of the change log as {@code calicoctl history} shows it: who changed which resource when and why, and the
 * fields that changed (the difference of the event's previous and new value).
 *
 * @param offset the event's offset on calico.changes
 * @param changes the differing fields; a value that is not JSON is compared as text under the path {@code value}
 */
public record HistoryEntry(ChangeEvent event, long offset, List<FieldChange> changes) {
  private static final int SUMMARY_FIELDS = 3;

  public HistoryEntry {
    changes = List.copyOf(changes);
  }

  public static HistoryEntry of(ChangeEvent e, long offset) {
    JsonNode before = e.hasPrevValue() ? json(e.getPrevValue()) : null;
    JsonNode after = e.getOperation() == Operation.PUT ? json(e.getValue()) : null;
    return new HistoryEntry(e, offset, FieldChange.diff(before, after));
  }

  private static JsonNode json(ByteString bytes) {
    try {
      return ResourceCodec.readTree(bytes.toByteArray());
    } catch (IllegalArgumentException notJson) {
      String s = bytes.toStringUtf8();
      return TextNode.valueOf(s.length() > 60 ? s.substring(0, 60) + "..." : s);
    }
  }

  public long revision() {
    return event.getRevision();
  }

  public Instant time() {
    return Instant.ofEpochMilli(event.getObservedTimeMs());
  }

  /** {@code create}, {@code update} or {@code delete} ({@code unknown} for an operation this reader does not know). */
  public String operation() {
    return switch (event.getOperation()) {
      case PUT -> event.hasPrevValue() ? "update" : "create";
      case DELETE -> "delete";
      default -> "unknown";
    };
  }

  /** {@code IPPool(name)}, {@code WorkloadEndpoint(ns/name)}, or the etcd key for anything that is not a resource. */
  public String resource() {
    return describe(event.getKey());
  }

  public static String describe(String key) {
    return Keys.parse(key).map(Object::toString).orElse(key);
  }

  /** A one-line account of the change for tables. */
  public String summary() {
    String op = operation();
    String text;
    if (op.equals("create") || op.equals("delete")) {
      text = op + "d";
    } else if (changes.isEmpty()) {
      text = "no field changed";
    } else {
      text = changes.stream().limit(SUMMARY_FIELDS).map(FieldChange::toString).collect(Collectors.joining("; "));
      int more = changes.size() - SUMMARY_FIELDS;
      text += more > 0 ? "; (+" + more + " more)" : "";
    }
    return event.getDecodeError().isEmpty() ? text : text + " [undecodable: " + event.getDecodeError() + "]";
  }

}
