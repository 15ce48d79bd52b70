package org.calicoledger.hooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.calicoledger.events.history.FieldChange;
import org.calicoledger.events.history.HistoryEntry;
import org.calicoledger.events.proto.ChangeEvent;
import org.calicoledger.model.ResourceCodec;

/**
 * One change-log event as a hook receives it: a JSON document (the webhook body, the command's stdin, the dead
 * letter's {@code event}) and environment variables for commands.
 *
 * <p>The JSON: {@code hook}, {@code revision}, {@code position} and {@code count} (inside the revision), {@code offset}
 * (on calico.changes), {@code operation} ({@code create}, {@code update}, {@code delete}), {@code kind},
 * {@code namespace} (namespaced kinds), {@code name}, {@code key} (the etcd key), {@code time} (when the journal saw
 * it, RFC 3339), {@code actor} and {@code reason} (who and why), {@code resync}, {@code changes}
 * ({@code [{path, from, to}]} as {@code calicoctl history -o json}), {@code previous} and {@code value} (the resource
 * before and after; absent on create and delete respectively), {@code decodeError} when set. Revision and position
 * identify the event: a re-delivery carries the same ones.
 *
 * <p>Immutable and shared: the change feed hands one instance to every worker. The JSON without its {@code hook} field
 * is serialized once, on first use (a race computes it twice, harmlessly), and each hook's body is that with its name
 * put in front.
 */
final class HookEvent {
  private final HistoryEntry entry;
  private volatile byte[] shared;

  private HookEvent(HistoryEntry entry) {
    this.entry = entry;
  }

  static HookEvent of(ChangeEvent e, long offset) {
    return new HookEvent(HistoryEntry.of(e, offset));
  }

  HistoryEntry entry() {
    return entry;
  }

  ChangeEvent event() {
    return entry.event();
  }

  long offset() {
    return entry.offset();
  }

  long revision() {
    return entry.event().getRevision();
  }

  ObjectNode json(String hook) {
    ChangeEvent e = entry.event();
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("hook", hook);
    o.put("revision", e.getRevision());
    o.put("position", e.getPosition());
    o.put("count", e.getCount());
    o.put("offset", entry.offset());
    o.put("operation", entry.operation());
    o.put("kind", e.getKind());
    if (!e.getNamespace().isEmpty()) {
      o.put("namespace", e.getNamespace());
    }
    o.put("name", e.getName());
    o.put("key", e.getKey());
    o.put("time", Instant.ofEpochMilli(e.getObservedTimeMs()).toString());
    o.put("actor", e.getActor());
    o.put("reason", e.getReason());
    o.put("resync", e.getResync());
    var changes = o.putArray("changes");
    for (FieldChange c : entry.changes()) {
      var fc = changes.addObject().put("path", c.path());
      if (c.before() != null) {
        fc.set("from", c.before());
      }
      if (c.after() != null) {
        fc.set("to", c.after());
      }
    }
    if (e.hasPrevValue()) {
      o.set("previous", value(e.getPrevValue()));
    }
    if (e.hasValue()) {
      o.set("value", value(e.getValue()));
    }
    if (!e.getDecodeError().isEmpty()) {
      o.put("decodeError", e.getDecodeError());
    }
    return o;
  }

  /** The JSON as compact UTF-8: exactly the bytes that are signed and sent. */
  byte[] body(String hook) {
    byte[] rest = shared;
    if (rest == null) {
      ObjectNode o = json("");
      o.remove("hook");
      rest = ResourceCodec.compact(o).getBytes(StandardCharsets.UTF_8);
      shared = rest;
    }
    byte[] head = ("{\"hook\":" + ResourceCodec.compact(TextNode.valueOf(hook)) + (rest.length > 2 ? "," : ""))
        .getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[head.length + rest.length - 1];
    System.arraycopy(head, 0, out, 0, head.length);
    System.arraycopy(rest, 1, out, head.length, rest.length - 1);
    return out;
  }

  private static JsonNode value(ByteString bytes) {
    try {
      return ResourceCodec.readTree(bytes.toByteArray());
    } catch (IllegalArgumentException notJson) {
      return TextNode.valueOf(bytes.toStringUtf8());
    }
  }

  /**
   * What a command finds in its environment (besides the runner's own): {@code HOOK_NAME}, {@code HOOK_ATTEMPT},
   * {@code EVENT_REVISION}, {@code EVENT_POSITION}, {@code EVENT_OPERATION}, {@code EVENT_KIND},
   * {@code EVENT_NAMESPACE}, {@code EVENT_NAME}, {@code EVENT_KEY}, {@code EVENT_TIME}, {@code EVENT_ACTOR},
   * {@code EVENT_REASON}, {@code EVENT_CHANGED_FIELDS} (paths separated by spaces).
   */
  Map<String, String> environment(String hook, int attempt) {
    ChangeEvent e = entry.event();
    Map<String, String> env = new LinkedHashMap<>();
    env.put("HOOK_NAME", hook);
    env.put("HOOK_ATTEMPT", Integer.toString(attempt));
    env.put("EVENT_REVISION", Long.toString(e.getRevision()));
    env.put("EVENT_POSITION", Integer.toString(e.getPosition()));
    env.put("EVENT_OPERATION", entry.operation());
    env.put("EVENT_KIND", e.getKind());
    env.put("EVENT_NAMESPACE", e.getNamespace());
    env.put("EVENT_NAME", e.getName());
    env.put("EVENT_KEY", e.getKey());
    env.put("EVENT_TIME", Instant.ofEpochMilli(e.getObservedTimeMs()).toString());
    env.put("EVENT_ACTOR", e.getActor());
    env.put("EVENT_REASON", e.getReason());
    env.put("EVENT_CHANGED_FIELDS", entry.changes().stream().map(FieldChange::path).collect(Collectors.joining(" ")));
    return env;
  }
}
