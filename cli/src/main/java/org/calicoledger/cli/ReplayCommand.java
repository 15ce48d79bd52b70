package org.calicoledger.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.calicoledger.events.history.Bound;
import org.calicoledger.events.history.ChangeHistory;
import org.calicoledger.events.image.ClusterImage;
import org.calicoledger.events.subscriber.ChangeLogUnavailableException;
import org.calicoledger.model.BGPConfiguration;
import org.calicoledger.model.Kind;
import org.calicoledger.model.Resource;
import org.calicoledger.model.ResourceCodec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code replay --at P [KIND]}: the resources as they were at a revision or time, rebuilt from the change log, printed
 * as {@code calicoctl get} prints them (a {@code <Kind>List} whose {@code resourceVersion} is the revision replayed to;
 * every kind in one {@code List} without KIND). Every namespace is shown unless {@code -n} picks one.
 */
@Command(name = "replay", description = "Print the resources as they were at a revision or time.")
final class ReplayCommand implements Callable<Integer> {
  @ParentCommand
  Calicoctl top;

  @Spec
  CommandSpec spec;

  @Option(names = "--at", required = true, paramLabel = "TIME|REV",
      description = "A revision, RFC 3339 time (2026-11-26T10:00:00Z) or age (10m, 2h).")
  String at;

  @Parameters(paramLabel = "KIND", arity = "0..1", description = "Only this kind (e.g. ippools).")
  String kindName;

  @Option(names = {"-n", "--namespace"}, paramLabel = "NS", description = "Only this namespace (namespaced kinds).")
  String namespace;

  @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "yaml",
      description = "yaml (default), json, or ps/wide with a KIND")
  String output;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    String format;
    Bound point;
    Kind kind = null;
    try {
      format = OutputFormat.of(output, "yaml", "json", "ps", "wide");
      if (kindName != null) {
        kind = GetCommand.kind(kindName);
        if (kind == Kind.HOOK) {
          throw new IllegalArgumentException("hooks are not part of the network's state that replay rebuilds; their"
              + " changes are in calicoctl history hook");
        }
      } else if (format.equals("ps") || format.equals("wide")) {
        throw new IllegalArgumentException("-o " + format + " needs a KIND; use -o yaml or -o json for every kind");
      }
      if (namespace != null && (kind == null || !kind.namespaced())) {
        throw new IllegalArgumentException("-n/--namespace needs a namespaced KIND (e.g. workloadendpoints)");
      }
      point = ChangeLogAccess.bound("--at", at);
    } catch (IllegalArgumentException e) {
      err.println("Failed to replay: " + e.getMessage());
      return 1;
    }
    ClusterImage image;
    try (ChangeHistory h = ChangeLogAccess.open(top.env)) {
      image = h.imageAt(point);
    } catch (ChangeLogUnavailableException | IllegalArgumentException e) {
      err.println("Failed to read the change log: " + e.getMessage());
      return 1;
    }
    if (kind != null) {
      List<Resource> items = items(image, kind);
      switch (format) {
        case "yaml" -> out.print(ResourceCodec.toYaml(ResourceCodec.listTree(kind, items, image.revision())));
        case "json" -> out.print(ResourceCodec.toJson(ResourceCodec.listTree(kind, items, image.revision())));
        default -> out.print(Tables.render(kind, items, format.equals("wide"), kind.namespaced(), globalAs(image)));
      }
      return 0;
    }
    ObjectNode list = JsonNodeFactory.instance.objectNode();
    list.put("kind", "List");
    list.put("apiVersion", Resource.API_VERSION);
    list.putObject("metadata").put("resourceVersion", Long.toString(image.revision()));
    ArrayNode arr = list.putArray("items");
    for (Kind k : Kind.values()) {
      image.resources(k).forEach(r -> arr.add(ResourceCodec.tree(r)));
    }
    out.print(format.equals("json") ? ResourceCodec.toJson(list) : ResourceCodec.toYaml(list));
    return 0;
  }

  private List<Resource> items(ClusterImage image, Kind kind) {
    List<Resource> out = new ArrayList<>();
    for (Resource r : image.resources(kind)) {
      if (namespace == null || namespace.equals(r.namespace())) {
        out.add(r);
      }
    }
    return out;
  }

  private static String globalAs(ClusterImage image) {
    BGPConfiguration d = image.bgpConfigurations().get("default");
    return d != null && d.spec().asNumber() != null ? d.spec().asNumber().toString()
        : Long.toString(BGPConfiguration.DEFAULT_AS);
  }
}
