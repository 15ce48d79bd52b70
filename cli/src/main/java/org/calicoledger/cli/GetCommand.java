package org.calicoledger.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.calicoledger.model.BGPConfiguration;
import org.calicoledger.model.InvalidResourceException;
import org.calicoledger.model.Kind;
import org.calicoledger.model.ObjectMeta;
import org.calicoledger.model.Resource;
import org.calicoledger.model.ResourceCodec;
import org.calicoledger.store.Listing;
import org.calicoledger.store.ResourceKey;
import org.calicoledger.store.Store;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code get KIND [NAME...]} or {@code get -f FILE}. Without names the whole kind is printed (as a {@code <Kind>List}
 * in YAML and JSON); one name prints that resource; several print a sequence.
 */
@Command(name = "get", description = "Print resources: a table (-o ps, wide), or YAML or JSON.")
final class GetCommand implements Callable<Integer> {
  @ParentCommand
  Calicoctl top;

  @Spec
  CommandSpec spec;

  @Parameters(paramLabel = "KIND [NAME...]", description = "A kind (e.g. ippool, ippools, ipp) and optional names.")
  List<String> args = new ArrayList<>();

  @Option(names = {"-f", "--filename"}, paramLabel = "FILE", description = "Get the resources named in a file.")
  String file;

  @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "ps",
      description = "ps (default), wide, yaml, json, custom-columns=COL,...")
  String output;

  @Option(names = {"-n", "--namespace"}, paramLabel = "NS")
  String namespace;

  @Option(names = {"-A", "-a", "--all-namespaces"}, description = "All namespaces (namespaced kinds).")
  boolean allNamespaces;

  @Option(names = "--export", description = "Leave out the cluster-specific metadata (uid, resourceVersion, ...).")
  boolean export;

  static Kind kind(String name) {
    return Kind.lookup(name).orElseThrow(() -> new IllegalArgumentException("resource type '" + name
        + "' is not supported; known kinds: " + Kind.knownKinds()));
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    String format;
    try {
      format = OutputFormat.of(output, "ps", "wide", "yaml", "json", "custom-columns=");
    } catch (IllegalArgumentException e) {
      err.println(e.getMessage() + (output.startsWith("go-template") ? " (go-template is not supported: use -o json with jq)" : ""));
      return 1;
    }
    Store store;
    List<ResourceKey> named = new ArrayList<>();
    Kind kind;
    try {
      if (file != null) {
        for (ResourceCodec.Document d : Inputs.read(file, false, System.in)) {
          if (!d.ok()) {
            throw d.error();
          }
          named.add(ResourceKey.of(Scope.place(d.resource(), namespace)));
        }
        kind = named.get(0).kind();
      } else {
        if (args.isEmpty()) {
          throw new IllegalArgumentException("give a KIND (e.g. ippool) or -f FILE");
        }
        kind = kind(args.get(0));
        if (allNamespaces && args.size() > 1) {
          throw new IllegalArgumentException("cannot use --all-namespace flag for getting a single resource");
        }
        String ns = Scope.forList(kind, namespace, allNamespaces);
        for (String name : args.subList(1, args.size())) {
          named.add(new ResourceKey(kind, ns, name));
        }
      }
    } catch (IllegalArgumentException | InvalidResourceException e) {
      err.println("Failed to get resources: " + e.getMessage());
      return 1;
    }
    store = top.store();
    boolean showNamespace = kind.namespaced() && (allNamespaces || namespace != null);
    if (named.isEmpty()) {
      Listing<Resource> list = store.list(kind, Scope.forList(kind, namespace, allNamespaces));
      List<Resource> items = list.items().stream().map(this::exported).toList();
      switch (format) {
        case "yaml" -> out.print(ResourceCodec.toYaml(ResourceCodec.listTree(kind, items, list.revision())));
        case "json" -> out.print(ResourceCodec.toJson(ResourceCodec.listTree(kind, items, list.revision())));
        default -> out.print(table(store, kind, items, format, showNamespace));
      }
      return 0;
    }
    List<Resource> found = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    for (ResourceKey k : named) {
      Optional<Resource> r = store.get(k);
      if (r.isPresent()) {
        found.add(exported(r.get()));
      } else {
        missing.add("resource does not exist: " + k);
      }
    }
    if (!found.isEmpty()) {
      switch (format) {
        case "yaml" -> out.print(found.size() == 1 ? ResourceCodec.toYaml(found.get(0)) : ResourceCodec.toYaml(array(found)));
        case "json" -> out.print(found.size() == 1 ? ResourceCodec.toJson(found.get(0)) : ResourceCodec.toJson(array(found)));
        default -> found.forEach(r -> out.print(table(store, r.kind(), List.of(r), format, showNamespace)));
      }
    }
    missing.forEach(err::println);
    return missing.isEmpty() ? 0 : 1;
  }

  private Resource exported(Resource r) {
    if (!export) {
      return r;
    }
    ObjectMeta m = r.metadata();
    return r.withMetadata(new ObjectMeta(m.name(), null, null, null, null, null, null, null, m.labels(), m.annotations()));
  }

  private static JsonNode array(List<Resource> rs) {
    ArrayNode a = JsonNodeFactory.instance.arrayNode();
    rs.forEach(r -> a.add(ResourceCodec.tree(r)));
    return a;
  }

  private String table(Store store, Kind kind, List<Resource> items, String format, boolean showNamespace) {
    String globalAs = Long.toString(BGPConfiguration.DEFAULT_AS);
    if (kind == Kind.NODE && format.equals("wide")) {
      globalAs = store.get(ResourceKey.of(Kind.BGP_CONFIGURATION, "default"))
          .map(r -> ((BGPConfiguration) r).spec().asNumber())
          .map(Object::toString).orElse(globalAs);
    }
    if (format.startsWith("custom-columns=")) {
      List<String> wanted = Arrays.asList(format.substring("custom-columns=".length()).split(","));
      return Tables.custom(kind, items, wanted, globalAs);
    }
    return Tables.render(kind, items, format.equals("wide"), showNamespace, globalAs);
  }
}
