package org.calicoledger.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import org.calicoledger.events.history.Bound;
import org.calicoledger.events.history.ChangeHistory;
import org.calicoledger.events.history.HistoryEntry;
import org.calicoledger.events.proto.ChangeEvent;
import org.calicoledger.events.subscriber.ChangeLogUnavailableException;
import org.calicoledger.model.Kind;
import org.calicoledger.model.ResourceCodec;
import org.calicoledger.store.Keys;
import org.calicoledger.store.ResourceKey;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code history [KIND [NAME]] [--since P] [--until P]}: the change log's events, oldest first, each with revision,
 * time, actor, reason, operation, resource and the fields that changed. Events the journal reconstructed after etcd
 * compacted its history (not seen as they happened) are marked {@code (resync)}.
 */
@Command(name = "history", description = "Show who changed what, when and why, from the change log on Kafka.")
final class HistoryCommand implements Callable<Integer> {
  @ParentCommand
  Calicoctl top;

  @Spec
  CommandSpec spec;

  @Parameters(paramLabel = "KIND [NAME]", arity = "0..2", description = "Only this kind (e.g. ippool) and name.")
  List<String> args = new ArrayList<>();

  @Option(names = "--since", paramLabel = "TIME|REV",
      description = "From this revision, RFC 3339 time (2026-11-26T10:00:00Z) or age (10m, 2h), inclusive.")
  String since;

  @Option(names = "--until", paramLabel = "TIME|REV", description = "Up to this revision or time, inclusive.")
  String until;

  @Option(names = {"-n", "--namespace"}, paramLabel = "NS", description = "Only this namespace (namespaced kinds).")
  String namespace;

  @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "ps", description = "ps (default), json, yaml")
  String output;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    String format;
    Bound from;
    Bound to;
    Predicate<ChangeEvent> filter;
    try {
      format = OutputFormat.of(output, "ps", "json", "yaml");
      from = ChangeLogAccess.bound("--since", since);
      to = ChangeLogAccess.bound("--until", until);
      filter = filter();
    } catch (IllegalArgumentException e) {
      err.println("Failed to show history: " + e.getMessage());
      return 1;
    }
    List<HistoryEntry> entries;
    try (ChangeHistory h = ChangeLogAccess.open(top.env)) {
      entries = h.events(from, to, filter);
    } catch (ChangeLogUnavailableException | IllegalArgumentException e) {
      err.println("Failed to read the change log: " + e.getMessage());
      return 1;
    }
    switch (format) {
      case "json" -> out.print(ResourceCodec.toJson(json(entries)));
      case "yaml" -> out.print(ResourceCodec.toYaml(json(entries)));
      default -> out.print(table(entries));
    }
    return 0;
  }

  private Predicate<ChangeEvent> filter() {
    if (args.isEmpty()) {
      if (namespace != null) {
        throw new IllegalArgumentException("-n/--namespace needs a namespaced KIND (e.g. workloadendpoints)");
      }
      return e -> true;
    }
    Kind kind = GetCommand.kind(args.get(0));
    if (namespace != null && !kind.namespaced()) {
      throw new IllegalArgumentException(kind.kindName() + " is not namespaced: leave out -n/--namespace");
    }
    String name = args.size() > 1 ? args.get(1) : null;
    return e -> {
      Optional<ResourceKey> k = Keys.parse(e.getKey());
      return k.isPresent() && k.get().kind() == kind && (name == null || name.equals(k.get().name()))
          && (namespace == null || namespace.equals(k.get().namespace()));
    };
  }

  static String operation(HistoryEntry h) {
    return h.operation() + (h.event().getResync() ? " (resync)" : "");
  }

  private static String table(List<HistoryEntry> entries) {
    TextTable t = new TextTable("REVISION", "TIME", "ACTOR", "REASON", "OPERATION", "RESOURCE", "CHANGES");
    for (HistoryEntry h : entries) {
      ChangeEvent e = h.event();
      t.row(Long.toString(h.revision()), ChangeLogAccess.time(e.getObservedTimeMs()), e.getActor(), e.getReason(),
          operation(h), h.resource(), h.summary());
    }
    return t.toString();
  }

  private static ArrayNode json(List<HistoryEntry> entries) {
    ArrayNode a = JsonNodeFactory.instance.arrayNode();
    for (HistoryEntry h : entries) {
      ChangeEvent e = h.event();
      ObjectNode o = a.addObject();
      o.put("revision", h.revision());
      o.put("time", Instant.ofEpochMilli(e.getObservedTimeMs()).toString());
      o.put("actor", e.getActor());
      o.put("reason", e.getReason());
      o.put("operation", h.operation());
      o.put("resync", e.getResync());
      o.put("resource", h.resource());
      o.put("key", e.getKey());
      o.set("changes", ChangeLogAccess.fields(h.changes()));
      if (!e.getDecodeError().isEmpty()) {
        o.put("decodeError", e.getDecodeError());
      }
    }
    return a;
  }
}
