package org.calicoledger.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Supplier;
import org.calicoledger.model.InvalidResourceException;
import org.calicoledger.store.EtcdStore;
import org.calicoledger.store.Store;
import org.calicoledger.store.StoreConfig;
import org.calicoledger.store.StoreException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * {@code calicoctl}: Calico's command line over this project's store. Output, messages and exit codes follow
 * calicoctl's (0 on success, 1 on any failure; results on stdout, errors on stderr).
 */
@Command(name = "calicoctl", mixinStandardHelpOptions = false,
    description = "Manage Calico resources in etcd (create, apply, replace, delete, get, patch, label).",
    subcommands = {CreateCommand.class, ApplyCommand.class, ReplaceCommand.class, DeleteCommand.class,
        GetCommand.class, PatchCommand.class, LabelCommand.class, VersionCommand.class, HistoryCommand.class,
        ReplayCommand.class,
        DiffCommand.class, IpamCommand.class, HookCommand.class, NodeCommand.class})
public final class Calicoctl implements Runnable {
  @Option(names = {"-c", "--config"}, scope = ScopeType.INHERIT, paramLabel = "CONFIG",
      description = "Path to a CalicoAPIConfig file (default /etc/calico/calicoctl.cfg if it exists, else the environment).")
  Path config;

  @Option(names = "--allow-version-mismatch", scope = ScopeType.INHERIT, hidden = true,
      description = "Accepted for compatibility with calicoctl scripts; no version check is made.")
  boolean allowVersionMismatch;

  @Option(names = {"-h", "--help"}, usageHelp = true, scope = ScopeType.INHERIT, description = "Show this help.")
  boolean help;

  final Map<String, String> env;
  private final Supplier<Store> storeFactory;
  private Store store;

  Calicoctl(Map<String, String> env, Supplier<Store> storeFactory) {
    this.env = env;
    this.storeFactory = storeFactory;
  }

  /** The store, connected on first use from {@code --config} or the environment. */
  Store store() {
    if (store == null) {
      store = storeFactory != null ? storeFactory.get() : EtcdStore.connect(StoreConfig.load(config, env));
    }
    return store;
  }

  String actor() {
    String a = env.get("CALICO_ACTOR");
    return a == null || a.isBlank() ? null : a;
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(new CommandLine(this), "a command is required");
  }

  public static void main(String[] args) {
    // calicoctl's stderr is for its own messages; library chatter only when CALICO_LOG_LEVEL asks for it
    org.calicoledger.store.Logging.configure("off");
    System.exit(run(args, System.getenv(), new PrintWriter(System.out, true), new PrintWriter(System.err, true), null));
  }

  /** Runs one invocation; returns the exit code. {@code storeFactory} null means etcd from the configuration. */
  static int run(String[] args, Map<String, String> env, PrintWriter out, PrintWriter err, Supplier<Store> storeFactory) {
    Calicoctl top = new Calicoctl(env, storeFactory);
    CommandLine cli = new CommandLine(top)
        .setOut(out)
        .setErr(err)
        .setCaseInsensitiveEnumValuesAllowed(true)
        .setParameterExceptionHandler((ex, argv) -> {
          err.println("Invalid option: 'calicoctl " + String.join(" ", argv) + "': " + ex.getMessage()
              + ". Use flag '--help' to read about a specific subcommand.");
          return 1;
        })
        .setExecutionExceptionHandler((ex, cmd, parsed) -> {
          err.println(describe(ex));
          return 1;
        });
    try {
      return cli.execute(args);
    } finally {
      out.flush();
      err.flush();
      if (top.store != null) {
        top.store.close();
      }
    }
  }

  /** A failure as one line for stderr: our exceptions already name the problem; others get their type. */
  static String describe(Throwable ex) {
    if (ex instanceof StoreConfig.ConfigException) {
      return "Failed to create Calico API client: " + ex.getMessage();
    }
    if (ex instanceof StoreException || ex instanceof InvalidResourceException) {
      return ex.getMessage();
    }
    return ex.getClass().getSimpleName() + ": " + ex.getMessage();
  }
}
