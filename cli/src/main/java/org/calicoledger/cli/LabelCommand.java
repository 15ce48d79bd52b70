package org.calicoledger.cli;

import java.io.PrintWriter;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.calicoledger.model.InvalidResourceException;
import org.calicoledger.model.Kind;
import org.calicoledger.model.Resource;
import org.calicoledger.store.Audit;
import org.calicoledger.store.ResourceKey;
import org.calicoledger.store.StoreException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code label KIND NAME key=value [--overwrite]} and {@code label KIND NAME key --remove}: one label of one stored
 * resource, as Calico's calicoctl does it, with Calico's messages (the kind and name as typed).
 *
 * <p>Without {@code --overwrite}, a key already present with another value is refused; removing an absent key is
 * refused; either way nothing is written. Setting a key to the value it has writes nothing and reports success (Calico
 * writes the same resource again). The write is a compare-and-swap retried on races ({@link ResourceEdit}), carries an
 * audit record, and is validated like every write (label keys and values included). Works on every kind with
 * {@code metadata.labels} except ClusterInformation, which calico-node owns; {@code -n} (default {@code default})
 * picks the namespace of NetworkPolicy, NetworkSet and WorkloadEndpoint.
 */
@Command(name = "label", description = "Set (key=value [--overwrite]) or remove (key --remove) a label of a resource.")
final class LabelCommand implements Callable<Integer> {
  @ParentCommand
  Calicoctl top;

  @Spec
  CommandSpec spec;

  @Parameters(index = "0", paramLabel = "KIND", description = "A kind (e.g. workloadendpoints, node, gnp).")
  String kindName;

  @Parameters(index = "1", paramLabel = "NAME")
  String name;

  @Parameters(index = "2", paramLabel = "KEY=VALUE|KEY", description = "key=value to set, or key with --remove.")
  String label;

  @Option(names = "--overwrite", description = "Replace the value of a key that is already present.")
  boolean overwrite;

  @Option(names = "--remove", description = "Remove the key; an error when it is not present.")
  boolean remove;

  @Option(names = {"-n", "--namespace"}, paramLabel = "NS",
      description = "Namespace of a NetworkPolicy, NetworkSet or WorkloadEndpoint (default: default).")
  String namespace;

  @Option(names = "--reason", paramLabel = "TEXT", description = "Why: recorded with the change in the history.")
  String reason;

  /** What the edit found, for the message: set (new key), updated (key was present) or removed. */
  private enum Change { SET, UPDATED, REMOVED }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    String key;
    String value;
    ResourceKey target;
    try {
      if (overwrite && remove) {
        throw new IllegalArgumentException("--overwrite and --remove cannot be used together");
      }
      if (remove) {
        if (label.contains("=")) {
          throw new IllegalArgumentException("invalid label " + label + ": with --remove give the key only");
        }
        key = label;
        value = null;
      } else {
        String[] kv = label.split("=", -1);
        if (kv.length != 2 || kv[0].isEmpty()) {
          throw new IllegalArgumentException("invalid label " + label + ": expected key=value (or key --remove)");
        }
        key = kv[0];
        value = kv[1];
      }
      Kind kind = GetCommand.kind(kindName);
      if (kind == Kind.CLUSTER_INFORMATION) {
        throw new IllegalArgumentException("ClusterInformation cannot be labelled: it is managed by calico-node");
      }
      target = new ResourceKey(kind, Scope.forList(kind, namespace, false), name);
    } catch (IllegalArgumentException e) {
      err.println(e.getMessage());
      return 1;
    }
    Change[] change = new Change[1];
    try {
      ResourceEdit.apply(top.store(), target, current -> {
        Map<String, String> labels = new TreeMap<>(current.metadata().labels());
        String old = labels.get(key);
        if (remove) {
          if (old == null) {
            throw new IllegalArgumentException("cannot remove label of " + kindName + " " + name + ", key " + key
                + " does not exist");
          }
          labels.remove(key);
          change[0] = Change.REMOVED;
        } else {
          if (old != null && !old.equals(value) && !overwrite) {
            throw new IllegalArgumentException("failed to update label of " + kindName + " " + name + ", key " + key
                + " is already present. please use '--overwrite' to set a new value. (its value is '" + old + "')");
          }
          labels.put(key, value);
          change[0] = old == null ? Change.SET : Change.UPDATED;
        }
        return relabelled(current, labels);
      }, new Audit(top.actor(), reason));
    } catch (StoreException.NotFound e) {
      err.println("failed to get " + kindName + " " + name + ", error " + e.getMessage());
      return 1;
    } catch (IllegalArgumentException e) {
      err.println(e.getMessage());
      return 1;
    } catch (StoreException | InvalidResourceException e) {
      err.println("failed to update " + kindName + " " + name + ", label not changed: " + e.getMessage());
      return 1;
    }
    out.println(switch (change[0]) {
      case SET -> "Successfully set label " + key + " on " + kindName + " " + name;
      case UPDATED -> "Successfully updated label " + key + " on " + kindName + " " + name;
      case REMOVED -> "Successfully removed label " + key + " from " + kindName + " " + name;
    });
    return 0;
  }

  private static Resource relabelled(Resource r, Map<String, String> labels) {
    return r.withMetadata(r.metadata().withLabels(labels));
  }
}
