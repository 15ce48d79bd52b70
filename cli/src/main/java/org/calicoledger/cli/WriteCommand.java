package org.calicoledger.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.calicoledger.model.ClusterInformation;
import org.calicoledger.model.InvalidResourceException;
import org.calicoledger.model.Resource;
import org.calicoledger.model.ResourceCodec;
import org.calicoledger.hooks.HookFiles;
import org.calicoledger.model.Validation;
import org.calicoledger.store.Audit;
import org.calicoledger.store.Store;
import org.calicoledger.store.StoreException;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The shared shape of create, apply and replace: read every document, check them all (syntax, kind, fields, values)
 * before writing anything, then write each in order, continuing past failures, and summarise as calicoctl does.
 */
abstract class WriteCommand implements Callable<Integer> {
  @ParentCommand
  Calicoctl top;

  @Spec
  CommandSpec spec;

  @Option(names = {"-f", "--filename"}, required = true, paramLabel = "FILE",
      description = "File, directory (*.yaml, *.yml, *.json) or - for stdin.")
  String file;

  @Option(names = {"-R", "--recursive"}, description = "Process the directory recursively.")
  boolean recursive;

  @Option(names = {"-n", "--namespace"}, paramLabel = "NS", description = "Namespace of namespaced resources.")
  String namespace;

  @Option(names = "--reason", paramLabel = "TEXT", description = "Why: recorded with the change in the history.")
  String reason;

  /** {@code apply}. */
  abstract String verb();

  /** {@code applied}. */
  abstract String past();

  abstract Resource write(Store store, Resource r, Audit audit);

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    List<ResourceCodec.Document> docs;
    try {
      docs = Inputs.read(file, recursive, System.in);
    } catch (InvalidResourceException e) {
      err.println("Failed to execute command: " + e.getMessage());
      return 1;
    }
    List<Resource> resources = new ArrayList<>();
    List<String> refused = new ArrayList<>();
    for (ResourceCodec.Document d : docs) {
      if (!d.ok()) {
        refused.add(failure(kindOf(d), d.error().getMessage()));
        continue;
      }
      try {
        Resource r = Scope.place(d.resource(), namespace);
        if (r instanceof ClusterInformation) {
          throw new IllegalArgumentException("operation " + verb() + " is not supported on ClusterInformation("
              + r.name() + "): it is managed by calico-node");
        }
        Validation.check(r.withDefaults(), d.where());
        HookFiles.check(r, d.where()); // a hook's secret and CA files must be readable here
        resources.add(r);
      } catch (InvalidResourceException e) {
        refused.add(failure(d.resource().kind().kindName(), e.getMessage()));
      } catch (IllegalArgumentException e) {
        refused.add(failure(d.resource().kind().kindName(), d.where() + ": " + e.getMessage()));
      }
    }
    if (!refused.isEmpty()) {
      refused.forEach(err::println);
      err.println("Nothing was written: " + refused.size() + " of " + docs.size()
          + " document(s) were refused; fix them and run the command again.");
      return 1;
    }
    Store store = top.store();
    Audit audit = new Audit(top.actor(), reason);
    try {
      store.ensureInitialized(null, null);
    } catch (StoreException e) {
      err.println(e.getMessage());
      return 1;
    }
    int ok = 0;
    List<String> failed = new ArrayList<>();
    for (Resource r : resources) {
      try {
        write(store, r, audit);
        ok++;
      } catch (StoreException.Unavailable e) {
        failed.add(failure(r.kind().kindName(), e.getMessage()));
        break; // etcd is gone: the rest would fail the same way, each after a full timeout
      } catch (StoreException | InvalidResourceException e) {
        failed.add(failure(r.kind().kindName(), e.getMessage()));
      }
    }
    String kinds = resources.stream().map(r -> r.kind().kindName()).distinct().count() == 1
        ? "'" + resources.get(0).kind().kindName() + "' " : "";
    if (failed.isEmpty()) {
      out.println("Successfully " + past() + " " + ok + " " + kinds + "resource(s)");
      return 0;
    }
    if (ok > 0) {
      out.println("Partial success: " + past() + " " + ok + " out of " + resources.size() + " " + kinds + "resources:");
    }
    failed.forEach(err::println);
    return 1;
  }

  private String failure(String kind, String message) {
    return "Failed to " + verb() + " " + (kind == null ? "" : "'" + kind + "' ") + "resource: " + message;
  }

  private static String kindOf(ResourceCodec.Document d) {
    return d.resource() == null ? null : d.resource().kind().kindName();
  }
}
