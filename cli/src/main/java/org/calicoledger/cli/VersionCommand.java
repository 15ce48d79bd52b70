package org.calicoledger.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.calicoledger.model.ClusterInformation;
import org.calicoledger.model.Kind;
import org.calicoledger.store.ResourceKey;
import org.calicoledger.store.StoreException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** Client version and commit, and the cluster's version and type from ClusterInformation {@code default}. */
@Command(name = "version", description = "Print the client version and the cluster's version and type.")
final class VersionCommand implements Callable<Integer> {
  @ParentCommand
  Calicoctl top;

  @Spec
  CommandSpec spec;

  @Option(names = "--client", description = "Print only the client version.")
  boolean clientOnly;

  static Properties build() {
    Properties p = new Properties();
    try (InputStream in = VersionCommand.class.getResourceAsStream("version.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException ignored) {
      // unknown version
    }
    return p;
  }

  static String clientVersion() {
    return "v" + build().getProperty("version", "unknown");
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    Properties b = build();
    out.println(String.format("%-19s%s", "Client Version:", clientVersion()));
    String commit = b.getProperty("commit", "");
    out.println(String.format("%-19s%s", "Git commit:", commit.isEmpty() || commit.startsWith("${") ? "unknown" : commit));
    if (clientOnly) {
      return 0;
    }
    try {
      var ci = top.store().get(ResourceKey.of(Kind.CLUSTER_INFORMATION, ClusterInformation.NAME))
          .map(r -> ((ClusterInformation) r).spec());
      out.println(String.format("%-19s%s", "Cluster Version:", ci.map(s -> s.calicoVersion()).filter(v -> v != null && !v.isEmpty()).orElse("unknown")));
      out.println(String.format("%-19s%s", "Cluster Type:", ci.map(s -> s.clusterType()).filter(v -> v != null && !v.isEmpty()).orElse("unknown")));
      return 0;
    } catch (StoreException e) {
      spec.commandLine().getErr().println("Unable to retrieve Cluster Version or Type: " + e.getMessage());
      return 1;
    }
  }
}
