package org.calicoledger.lab;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bin/demo}: brings up the seed's lab as a {@link Cluster} with prefix {@code demo-} (state, logs and data in
 * {@link #STATE}), adds two pods per node, runs the {@link Scenario}'s steps printing what each checks and sees, then
 * a results table; exit 0 only when every check passed (1: a check failed, 2: the cluster did not come up). Any
 * earlier demo (an interrupted one, or one left by {@code --keep}) is removed first. {@code --keep} leaves the cluster
 * running and prints commands to explore it; {@code bin/demo down} removes it.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, subcommands = DemoMain.Down.class,
    description = "Bring up a local Calico cluster in network namespaces and walk through the seed's lab.")
public final class DemoMain implements Callable<Integer> {
  public static final String PREFIX = "demo-";
  public static final Path STATE = Path.of(System.getenv().getOrDefault("CALICO_DEMO_DIR", "/var/tmp/calico-demo"));
  static final String ACTOR = "bin/demo";

  @Option(names = "--keep", description = "Leave the cluster running and print commands to explore it.")
  boolean keep;

  @Option(names = "--nodes", paramLabel = "N", defaultValue = "3",
      description = "Number of nodes (default 3: node-1 and node-2 in subnet A, node-3 in subnet B; more alternate).")
  int nodes;

  @Option(names = "--backend", paramLabel = "BACKEND", defaultValue = "builtin",
      description = "calico-node's CALICO_NETWORKING_BACKEND: builtin (default), bird or vxlan.")
  String backend;

  @Option(names = "--ha", description = "High availability: 3 etcd members, 3 Kafka brokers and 2 journals in the "
      + "infra namespace (HaInfra), and step 8 kills one of each while pods ping.")
  boolean ha;

  @Option(names = "--steps", split = ",", paramLabel = "N[,N...]",
      description = "Only these steps (1-7; 8 with --ha), e.g. --steps 1,3 (default: all; later steps expect the earlier ones' state).")
  List<Integer> steps;

  private final PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);

  public static void main(String[] args) {
    System.exit(new CommandLine(new DemoMain()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    long t0 = System.nanoTime();
    Cluster.Options options;
    try {
      options = Cluster.Options.of(PREFIX).withNodes(nodes).withBackend(Cluster.Backend.parse(backend))
          .withWorkDir(STATE).withInfra(infra());
      if (steps != null) {
        for (int n : steps) {
          int max = Scenario.STEPS.size() + (ha ? 1 : 0);
          if (n < 1 || n > max) {
            throw new IllegalArgumentException("--steps " + n + ": steps are 1 to " + max
                + (ha ? "" : " (7 with --ha)"));
          }
        }
      }
    } catch (IllegalArgumentException e) {
      out.println("bin/demo: " + e.getMessage());
      return 2;
    }
    List<String> removed = removePrevious();
    if (!removed.isEmpty()) {
      out.println("removed an earlier demo: " + removed.size() + " namespaces and " + STATE);
    }
    out.println("starting " + nodes + " nodes (backend " + options.backend().value + ") in namespaces " + PREFIX
        + "*: fabric, infra (" + (ha ? "3 etcd members, 3 Kafka brokers, 2 journals" : "etcd + calico-journal with "
        + "its Kafka broker") + "), inet, node-1..node-" + nodes
        + "; logs in " + STATE);
    Cluster cluster;
    try {
      cluster = Cluster.start(options);
    } catch (Exception | Error e) {
      out.println("bin/demo: the cluster did not come up: " + e.getMessage());
      out.println("(everything it started was removed)");
      return 2;
    }
    boolean passed;
    try {
      writeState(cluster);
      out.printf("cluster up in %.1f s: %s%n", (System.nanoTime() - t0) / 1e9, cluster);
      Walk walk = new Walk(cluster, ACTOR, out::println);
      Scenario.addPods(walk, 2);
      writeState(cluster);
      List<StepResult> results = new ArrayList<>(
          Scenario.runAll(walk, s -> steps == null || steps.contains(s.number()), r -> { }));
      if (ha && (steps == null || steps.contains(Scenario.HA_STEP.number()))) {
        results.add(Scenario.run(walk, Scenario.HA_STEP));
      }
      passed = results.stream().allMatch(StepResult::passed);
      out.println();
      out.println("== Results");
      out.print(ResultsTable.render(results));
      out.printf("bin/demo took %.1f s%n", (System.nanoTime() - t0) / 1e9);
      if (keep) {
        writeState(cluster);
        out.println();
        out.println("The cluster keeps running (--keep). Explore it as root:");
        cluster.exploreCommands().forEach(c -> out.println("  " + c));
        out.println("Remove it with: bin/demo down");
        cluster.detach();
      }
    } finally {
      if (!keep) {
        cluster.close();
      }
    }
    return passed ? 0 : 1;
  }

  /**
   * The hook for {@code --ha}: the factory of the cluster's etcd and change log. The high-availability variant
   * (several etcd members, Kafka brokers and journals) plugs in here through {@link Cluster.Options#withInfra}.
   */
  Infra.Factory infra() {
    return ha ? HaInfra::start : SingleInfra::start;
  }

  /** Removes an earlier demo: processes in its pid list, every {@code demo-} namespace (and what runs in it), STATE. */
  static List<String> removePrevious() {
    List<String> removed = new ArrayList<>();
    Path pids = STATE.resolve("pids");
    if (Files.exists(pids)) {
      try {
        for (String l : Files.readAllLines(pids)) {
          ProcessHandle.of(Long.parseLong(l.strip())).filter(DemoMain::ours).ifPresent(ProcessHandle::destroyForcibly);
        }
      } catch (IOException | NumberFormatException e) {
        // the namespaces below still take their processes
      }
    }
    removed.addAll(Cluster.removeAll(PREFIX));
    Host.deleteTree(STATE);
    return removed;
  }

  /** Whether a process from the pid list is still one of ours (pids are reused): a calico launcher, java or etcd. */
  private static boolean ours(ProcessHandle h) {
    String cmd = h.info().commandLine().orElse("");
    return cmd.contains("calico") || cmd.contains("etcd") || cmd.contains("wireguard-go") || cmd.contains("bird");
  }

  private static void writeState(Cluster c) throws IOException {
    Files.createDirectories(STATE);
    List<String> pids = c.pids().stream().map(String::valueOf).toList();
    Files.write(STATE.resolve("pids"), pids);
    Files.write(STATE.resolve("namespaces"), c.namespaces());
  }

  /** {@code bin/demo down}: removes everything an earlier demo made. */
  @Command(name = "down", mixinStandardHelpOptions = true,
      description = "Remove the demo's namespaces, processes and files (" + "/var/tmp/calico-demo" + ").")
  static final class Down implements Callable<Integer> {
    @Override
    public Integer call() {
      List<String> removed = removePrevious();
      System.out.println(removed.isEmpty() ? "nothing to remove: no " + PREFIX + "* namespaces"
          : "removed " + removed.size() + " namespaces (" + String.join(", ", removed) + "), their processes and "
              + STATE);
      return 0;
    }
  }
}
