package org.calicoledger.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import org.calicoledger.events.history.Bound;
import org.calicoledger.events.history.ChangeHistory;
import org.calicoledger.events.history.FieldChange;
import org.calicoledger.events.history.ImageDiff;
import org.calicoledger.events.history.ResourceDiff;
import org.calicoledger.events.subscriber.ChangeLogUnavailableException;
import org.calicoledger.model.Kind;
import org.calicoledger.model.ResourceCodec;
import org.calicoledger.store.Keys;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code diff --from P --to P [KIND]}: what differs between two points of history: resources (and other keys under
 * {@code /calico/}, such as IPAM blocks) added ({@code +}), removed ({@code -}) and changed ({@code ~}, with the fields).
 * A key rewritten with the same value is not a difference. Exit code 0 whether or not anything differs.
 */
@Command(name = "diff", description = "Show what changed between two revisions or times.")
final class DiffCommand implements Callable<Integer> {
  @ParentCommand
  Calicoctl top;

  @Spec
  CommandSpec spec;

  @Option(names = "--from", required = true, paramLabel = "TIME|REV", description = "The earlier point.")
  String fromText;

  @Option(names = "--to", required = true, paramLabel = "TIME|REV", description = "The later point.")
  String toText;

  @Parameters(paramLabel = "KIND", arity = "0..1", description = "Only this kind (e.g. ippools).")
  String kindName;

  @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "ps", description = "ps (default), json, yaml")
  String output;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    String format;
    Bound from;
    Bound to;
    Kind kind;
    try {
      format = OutputFormat.of(output, "ps", "json", "yaml");
      kind = kindName == null ? null : GetCommand.kind(kindName);
      from = ChangeLogAccess.bound("--from", fromText);
      to = ChangeLogAccess.bound("--to", toText);
    } catch (IllegalArgumentException e) {
      err.println("Failed to diff: " + e.getMessage());
      return 1;
    }
    ImageDiff diff;
    try (ChangeHistory h = ChangeLogAccess.open(top.env)) {
      diff = h.diff(from, to);
    } catch (ChangeLogUnavailableException | IllegalArgumentException e) {
      err.println("Failed to read the change log: " + e.getMessage());
      return 1;
    }
    List<ResourceDiff> changes = diff.changes().stream()
        .filter(d -> kind == null || Keys.parse(d.key()).map(k -> k.kind() == kind).orElse(false)).toList();
    switch (format) {
      case "json" -> out.print(ResourceCodec.toJson(json(diff, changes)));
      case "yaml" -> out.print(ResourceCodec.toYaml(json(diff, changes)));
      default -> out.print(text(diff, changes));
    }
    return 0;
  }

  private static String text(ImageDiff diff, List<ResourceDiff> changes) {
    StringBuilder sb = new StringBuilder();
    sb.append("Differences from revision ").append(diff.fromRevision()).append(" to revision ")
        .append(diff.toRevision()).append(":\n");
    int added = 0;
    int removed = 0;
    for (ResourceDiff d : changes) {
      switch (d.type()) {
        case ADDED -> {
          added++;
          sb.append("+ ").append(d.resource()).append('\n');
        }
        case REMOVED -> {
          removed++;
          sb.append("- ").append(d.resource()).append('\n');
        }
        default -> {
          sb.append("~ ").append(d.resource()).append('\n');
          for (FieldChange f : d.fields()) {
            sb.append("    ").append(f).append('\n');
          }
        }
      }
    }
    int changed = changes.size() - added - removed;
    sb.append(changes.isEmpty() ? "No differences.\n" : changes.size() + " difference(s): " + added + " added, "
        + removed + " removed, " + changed + " changed\n");
    return sb.toString();
  }

  private static ObjectNode json(ImageDiff diff, List<ResourceDiff> changes) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("fromRevision", diff.fromRevision());
    o.put("toRevision", diff.toRevision());
    ArrayNode added = o.putArray("added");
    ArrayNode removed = o.putArray("removed");
    ArrayNode changed = o.putArray("changed");
    for (ResourceDiff d : changes) {
      ArrayNode target = switch (d.type()) {
        case ADDED -> added;
        case REMOVED -> removed;
        case CHANGED -> changed;
      };
      ObjectNode item = target.addObject().put("resource", d.resource()).put("key", d.key());
      if (d.type() == ResourceDiff.Type.CHANGED) {
        item.set("fields", ChangeLogAccess.fields(d.fields()));
      }
    }
    return o;
  }
}
