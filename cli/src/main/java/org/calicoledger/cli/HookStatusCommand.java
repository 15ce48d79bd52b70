package org.calicoledger.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.calicoledger.events.KafkaSettings;
import org.calicoledger.events.subscriber.ChangeLogUnavailableException;
import org.calicoledger.hooks.HookLag;
import org.calicoledger.hooks.HookLedger;
import org.calicoledger.hooks.HookStatus;
import org.calicoledger.model.Hook;
import org.calicoledger.model.Kind;
import org.calicoledger.model.Resource;
import org.calicoledger.model.ResourceCodec;
import org.calicoledger.store.ResourceKey;
import org.calicoledger.store.StoreException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code hook status [NAME]}: per hook, its position (the last revision handled), its lag (events of the change log
 * still to handle, counted on Kafka), its last success and last error, and how many events it dead-lettered. Status
 * comes from etcd (written by calico-hooks at most one status interval late); lag needs Kafka, and is shown as
 * {@code ?} with a warning when Kafka cannot be reached within {@code KAFKA_TIMEOUT}.
 */
@Command(name = "status", description = "Show each hook's position, lag, last success, last error and dead letters.")
final class HookStatusCommand implements Callable<Integer> {
  @ParentCommand
  HookCommand hook;

  @Spec
  CommandSpec spec;

  @Parameters(arity = "0..1", paramLabel = "NAME", description = "Only this hook.")
  String name;

  @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "ps",
      description = "ps (default), wide (full error messages), json, yaml")
  String output;

  private record Row(Hook hook, HookStatus status, HookLedger.ReplayRequest replay, Long lag) {}

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    String format;
    try {
      format = OutputFormat.of(output, "ps", "wide", "json", "yaml");
    } catch (IllegalArgumentException e) {
      err.println("Failed to show hook status: " + e.getMessage());
      return 1;
    }
    List<Hook> hooks = new ArrayList<>();
    Map<String, HookStatus> statuses;
    Map<String, HookLedger.ReplayRequest> replays;
    try {
      if (name != null) {
        Resource r = hook.top.store().get(ResourceKey.of(Kind.HOOK, name)).orElse(null);
        if (r == null) {
          err.println("Failed to show hook status: resource does not exist: Hook(" + name + ")");
          return 1;
        }
        hooks.add((Hook) r);
      } else {
        hook.top.store().list(Kind.HOOK, null).items().forEach(r -> hooks.add((Hook) r));
      }
      HookLedger ledger = hook.ledger();
      statuses = ledger.statuses();
      replays = ledger.pendingReplays();
    } catch (StoreException e) {
      err.println("Failed to show hook status: " + e.getMessage());
      return 1;
    }
    Map<String, Long> lags = lags(hooks, statuses, err);
    List<Row> rows = new ArrayList<>();
    for (Hook h : hooks) {
      HookStatus s = statuses.get(h.name());
      boolean current = s != null && s.uid().equals(h.metadata().uid());
      rows.add(new Row(h, current ? s : null, replays.get(h.name()), current ? lags.get(h.name()) : null));
    }
    switch (format) {
      case "json" -> out.print(ResourceCodec.toJson(json(rows)));
      case "yaml" -> out.print(ResourceCodec.toYaml(json(rows)));
      default -> out.print(table(rows, format.equals("wide")));
    }
    return 0;
  }

  private Map<String, Long> lags(List<Hook> hooks, Map<String, HookStatus> statuses, PrintWriter err) {
    Map<String, Long> positions = new HashMap<>();
    for (Hook h : hooks) {
      HookStatus s = statuses.get(h.name());
      if (s != null) {
        positions.put(h.name(), s.offset());
      }
    }
    if (positions.isEmpty()) {
      return Map.of();
    }
    try {
      return HookLag.count(KafkaSettings.fromEnvironment(hook.top.env), ChangeLogAccess.timeout(hook.top.env),
          positions);
    } catch (ChangeLogUnavailableException | IllegalArgumentException e) {
      err.println("Warning: lag unknown: " + e.getMessage());
      return Map.of();
    }
  }

  private static String table(List<Row> rows, boolean wide) {
    TextTable t = new TextTable("NAME", "ACTION", "POSITION", "LAG", "DELIVERED", "LAST SUCCESS", "LAST ERROR",
        "DEAD-LETTERED");
    for (Row r : rows) {
      HookStatus s = r.status();
      String position = s == null || s.offset() < 0 ? "not started" : "revision " + s.revision();
      if (r.replay() != null) {
        position += " (replay from " + r.replay().from() + " pending)";
      }
      t.row(r.hook().name(), HookColumns.action(r.hook()), position, lag(r), s == null ? "-" : Long.toString(s.delivered()),
          s == null || s.lastSuccess() == null ? "-" : s.lastSuccess().time() + " (revision " + s.lastSuccess().revision() + ")",
          s == null ? "-" : error(s.lastError(), wide), s == null ? "-" : Long.toString(s.deadLettered()));
    }
    return t.toString();
  }

  private static String lag(Row r) {
    if (r.lag() == null) {
      return r.status() == null || r.status().offset() < 0 ? "-" : "?";
    }
    return r.lag() < 0 ? "more than " + (-r.lag()) : Long.toString(r.lag());
  }

  private static String error(HookStatus.Outcome e, boolean wide) {
    if (e == null) {
      return "-";
    }
    String text = e.time() + (e.revision() > 0 ? " (revision " + e.revision() + ", attempt " + e.attempt() + ")" : "")
        + ": " + e.message();
    return wide || text.length() <= 100 ? text : text.substring(0, 97) + "...";
  }

  private static ArrayNode json(List<Row> rows) {
    ArrayNode a = JsonNodeFactory.instance.arrayNode();
    for (Row r : rows) {
      ObjectNode o = a.addObject();
      o.put("name", r.hook().name());
      o.put("action", HookColumns.action(r.hook()));
      HookStatus s = r.status();
      o.put("started", s != null && s.offset() >= 0);
      if (s != null) {
        o.put("offset", s.offset());
        o.put("revision", s.revision());
        o.put("fromRevision", s.fromRevision());
        o.put("delivered", s.delivered());
        o.put("deadLettered", s.deadLettered());
        outcome(o, "lastSuccess", s.lastSuccess());
        outcome(o, "lastError", s.lastError());
        if (s.replayedFrom() > 0) {
          o.put("replayedFrom", s.replayedFrom());
        }
        o.put("updated", s.updated());
      }
      if (r.lag() != null) {
        o.put("lag", r.lag());
      }
      if (r.replay() != null) {
        o.put("replayPending", r.replay().from());
      }
    }
    return a;
  }

  private static void outcome(ObjectNode o, String field, HookStatus.Outcome x) {
    if (x == null) {
      return;
    }
    ObjectNode n = o.putObject(field);
    n.put("time", x.time());
    n.put("revision", x.revision());
    n.put("position", x.position());
    n.put("attempt", x.attempt());
    if (x.message() != null) {
      n.put("message", x.message());
    }
  }
}
