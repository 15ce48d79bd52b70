package org.calicoledger.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.calicoledger.ipam.IpamException;
import org.calicoledger.ipam.NodeRemoval;
import org.calicoledger.model.InvalidResourceException;
import org.calicoledger.model.Kind;
import org.calicoledger.model.Resource;
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
 * Deletes by file or by kind and names. A {@code resourceVersion} in the file makes the delete conditional on it. A
 * Node is deleted with its endpoints, addresses, blocks and per-node resources, as Calico's calicoctl does
 * ({@link NodeRemoval}); stop the node's calico-node first.
 */
@Command(name = "delete", description = "Delete resources named in a file or on the command line.")
final class DeleteCommand implements Callable<Integer> {
  @ParentCommand
  Calicoctl top;

  @Spec
  CommandSpec spec;

  @Option(names = {"-f", "--filename"}, paramLabel = "FILE", description = "File, directory or - for stdin.")
  String file;

  @Option(names = {"-R", "--recursive"}, description = "Process the directory recursively.")
  boolean recursive;

  @Parameters(paramLabel = "KIND NAME", description = "A kind and one or more names.")
  List<String> args = new ArrayList<>();

  @Option(names = {"-n", "--namespace"}, paramLabel = "NS")
  String namespace;

  @Option(names = {"-s", "--skip-not-exists"}, description = "Count resources that do not exist as deleted.")
  boolean skipNotExists;

  @Option(names = "--reason", paramLabel = "TEXT", description = "Why: recorded with the change in the history.")
  String reason;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    List<ResourceKey> keys = new ArrayList<>();
    List<Long> revisions = new ArrayList<>();
    try {
      if (file != null) {
        if (!args.isEmpty()) {
          throw new IllegalArgumentException("give either -f FILE or KIND NAME, not both");
        }
        for (ResourceCodec.Document d : Inputs.read(file, recursive, System.in)) {
          if (!d.ok()) {
            throw d.error();
          }
          Resource r = Scope.place(d.resource(), namespace);
          keys.add(ResourceKey.of(r));
          revisions.add(r.metadata().revision());
        }
      } else {
        if (args.size() < 2) {
          throw new IllegalArgumentException("No resources specified: give -f FILE or KIND NAME [NAME...]");
        }
        Kind kind = GetCommand.kind(args.get(0));
        String ns = Scope.forList(kind, namespace, false);
        for (String name : args.subList(1, args.size())) {
          if (name.isEmpty()) {
            throw new IllegalArgumentException("resource name may not be empty");
          }
          keys.add(new ResourceKey(kind, ns, name));
          revisions.add(0L);
        }
      }
    } catch (InvalidResourceException | IllegalArgumentException e) {
      err.println("Failed to execute command: " + e.getMessage());
      return 1;
    }
    Store store = top.store();
    Audit audit = new Audit(top.actor(), reason);
    int ok = 0;
    List<String> failed = new ArrayList<>();
    for (int i = 0; i < keys.size(); i++) {
      ResourceKey k = keys.get(i);
      try {
        if (k.kind() == Kind.CLUSTER_INFORMATION) {
          throw new IllegalArgumentException("operation delete is not supported on " + k + ": it is managed by calico-node");
        }
        if (k.kind() == Kind.NODE) {
          removeNode(store, k, revisions.get(i), audit);
        } else {
          store.delete(k, revisions.get(i), audit);
        }
        ok++;
      } catch (StoreException.NotFound e) {
        if (skipNotExists) {
          ok++;
        } else {
          failed.add("Failed to delete '" + k.kind().kindName() + "' resource: " + e.getMessage());
        }
      } catch (StoreException | InvalidResourceException | IllegalArgumentException | IpamException e) {
        failed.add("Failed to delete '" + k.kind().kindName() + "' resource: " + e.getMessage());
        if (e instanceof StoreException.Unavailable) {
          break;
        }
      }
    }
    String kinds = keys.stream().map(ResourceKey::kind).distinct().count() == 1
        ? "'" + keys.get(0).kind().kindName() + "' " : "";
    if (ok > 0) {
      out.println("Successfully deleted " + ok + " " + kinds + "resource(s)");
    }
    failed.forEach(err::println);
    return failed.isEmpty() ? 0 : 1;
  }

  /**
   * A Node goes with what hangs off it ({@link NodeRemoval}); a {@code resourceVersion} from a file must still be the
   * Node's, checked before anything is removed.
   */
  private static void removeNode(Store store, ResourceKey k, long revision, Audit audit) {
    if (revision > 0) {
      long now = store.get(k).orElseThrow(() -> new StoreException.NotFound(k.toString())).metadata().revision();
      if (now != revision) {
        throw new StoreException.Conflict(k.toString(), revision, now);
      }
    }
    NodeRemoval.remove(store, k.name(), audit);
  }
}
