package org.calicoledger.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.calicoledger.hooks.HookFiles;
import org.calicoledger.model.InvalidResourceException;
import org.calicoledger.model.Kind;
import org.calicoledger.model.ResourceCodec;
import org.calicoledger.store.Audit;
import org.calicoledger.store.ResourceKey;
import org.calicoledger.store.Store;
import org.calicoledger.store.StoreException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code patch KIND NAME -p JSON}: a JSON merge patch (RFC 7386) on the stored resource, written back only if nobody
 * changed it in between (compare-and-swap on the revision read; on a race the patch is applied again to the fresh
 * copy, see {@link ResourceEdit}).
 */
@Command(name = "patch", description = "Patch a resource with a JSON merge patch, e.g. -p '{\"spec\":{\"natOutgoing\":false}}'.")
final class PatchCommand implements Callable<Integer> {
  @ParentCommand
  Calicoctl top;

  @Spec
  CommandSpec spec;

  @Parameters(index = "0", paramLabel = "KIND")
  String kindName;

  @Parameters(index = "1", paramLabel = "NAME")
  String name;

  @Option(names = {"-p", "--patch"}, required = true, paramLabel = "JSON", description = "The merge patch.")
  String patch;

  @Option(names = {"-t", "--type"}, defaultValue = "merge", paramLabel = "TYPE",
      description = "merge (default) or strategic (treated as merge: Calico resources have no list merge keys here).")
  String type;

  @Option(names = {"-n", "--namespace"}, paramLabel = "NS")
  String namespace;

  @Option(names = "--reason", paramLabel = "TEXT", description = "Why: recorded with the change in the history.")
  String reason;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Kind parsedKind;
    JsonNode parsedPatch;
    try {
      if (!type.equals("merge") && !type.equals("strategic")) {
        throw new IllegalArgumentException("patch type '" + type + "' is not supported: use merge or strategic");
      }
      parsedKind = GetCommand.kind(kindName);
      parsedPatch = ResourceCodec.parseJson(patch);
      if (!parsedPatch.isObject()) {
        throw new IllegalArgumentException("the patch must be a JSON object, e.g. {\"spec\":{\"natOutgoing\":false}}");
      }
    } catch (IllegalArgumentException e) {
      err.println("Hit error: " + e.getMessage());
      return 1;
    }
    Kind kind = parsedKind;
    JsonNode p = parsedPatch;
    ResourceKey key = new ResourceKey(kind, Scope.forList(kind, namespace, false), name);
    Store store = top.store();
    try {
      ResourceEdit.apply(store, key, current -> {
        ObjectNode merged = (ObjectNode) MergePatch.apply(ResourceCodec.tree(current), p);
        if (!kind.kindName().equals(merged.path("kind").asText())
            || !name.equals(merged.path("metadata").path("name").asText())) {
          throw new IllegalArgumentException("a patch may not change kind or metadata.name");
        }
        ResourceCodec.Document doc = ResourceCodec.decodeDocument(merged, "patched " + key);
        if (!doc.ok()) {
          throw doc.error();
        }
        HookFiles.check(doc.resource(), "patched " + key);
        return doc.resource();
      }, new Audit(top.actor(), reason));
    } catch (StoreException | InvalidResourceException | IllegalArgumentException e) {
      err.println("Hit error: " + e.getMessage());
      return 1;
    }
    out.println("Successfully patched 1 '" + kind.kindName() + "' resource");
    return 0;
  }
}
