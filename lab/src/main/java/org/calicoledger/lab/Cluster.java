package org.calicoledger.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The seed's lab as network namespaces on this machine, every name starting with {@link Options#prefix}:
 * <pre>
 *   &lt;p&gt;infra   eth0 10.10.0.1/24          etcd :2379, calico-journal + embedded Kafka :9092 ({@link Infra})
 *                  |
 *   &lt;p&gt;fabric  brI 10.10.0.254/24  brA 10.10.1.254/24  brB 10.10.2.254/24  brX 203.0.113.254/24
 *            ip_forward=1, no routes to pod addresses
 *                  |                   |                       |
 *   &lt;p&gt;node-1 10.10.1.1  node-2 10.10.1.2 (A)   node-3 10.10.2.3 (B)   &lt;p&gt;inet 203.0.113.1 ("internet")
 *   each running bin/calico-node; pods &lt;p&gt;node-N-&lt;pod&gt; made with bin/calico ADD
 * </pre>
 * The lab drives the project only through its launchers ({@code bin/calico-node}, {@code bin/calico},
 * {@code bin/calicoctl}, {@code bin/calico-journal}) as processes. Nothing listens or routes outside the namespaces it
 * creates. Nodes start in parallel.
 *
 * <p>Cleanup: {@link #close} (also a shutdown hook) kills every process the cluster started and every process left
 * in its namespaces, deletes the namespaces, WireGuard sockets of its nodes and its directory. {@link #detach} leaves
 * everything running ({@code bin/demo --keep}); {@link #removeAll} removes a detached or interrupted cluster by its
 * prefix. Test prefixes are {@code e2e-<pid>-<n>-}: {@link #removeLeftovers} removes those of JVMs that are gone.
 */
public final class Cluster implements AutoCloseable {
  /** The repository whose {@code bin/} launchers the lab runs. */
  public static final Path ROOT = Path.of(System.getProperty("calico.repo.root",
      System.getenv().getOrDefault("CALICO_ROOT", ".."))).toAbsolutePath().normalize();
  public static final String INET_ADDRESS = "203.0.113.1";
  public static final String TEST_PREFIX = "e2e-";
  private static final AtomicInteger CLUSTERS = new AtomicInteger();

  /** calico-node's {@code CALICO_NETWORKING_BACKEND}. */
  public enum Backend {
    BUILTIN("builtin"), BIRD("bird"), VXLAN("vxlan");

    public final String value;

    Backend(String value) {
      this.value = value;
    }

    public static Backend parse(String s) {
      for (Backend b : values()) {
        if (b.value.equalsIgnoreCase(s.strip())) {
          return b;
        }
      }
      throw new IllegalArgumentException("backend '" + s + "' is not one of builtin, bird, vxlan");
    }
  }

  /**
   * What to bring up. {@code prefix}: start of every namespace name (letters, digits, '-'; ends with '-');
   * {@code nodes}: 1 to 50; {@code workDir}: logs, data and run directories (null: a new temporary directory), removed
   * by {@link #close}; {@code infra}: the hook that starts etcd and the change log ({@link SingleInfra#start} by
   * default; the high-availability variant plugs in here); {@code nodeEnv}: more calico-node environment for every
   * node.
   */
  public record Options(String prefix, int nodes, Backend backend, Path workDir, Infra.Factory infra,
      Map<String, String> nodeEnv) {
    public Options {
      if (prefix == null || !prefix.matches("[a-z0-9][a-z0-9-]*-") || prefix.length() > 40) {
        throw new IllegalArgumentException("cluster prefix '" + prefix
            + "': use lower-case letters, digits and '-', ending with '-', at most 40 characters");
      }
      if (nodes < 1 || nodes > 50) {
        throw new IllegalArgumentException("nodes " + nodes + ": allowed 1 to 50");
      }
      if (backend == null || infra == null) {
        throw new IllegalArgumentException("backend and infra are required");
      }
      nodeEnv = Map.copyOf(nodeEnv);
    }

    /** Three nodes, the built-in BGP speaker, a temporary directory, one etcd and one journal. */
    public static Options of(String prefix) {
      return new Options(prefix, 3, Backend.BUILTIN, null, SingleInfra::start, Map.of());
    }

    public Options withNodes(int n) {
      return new Options(prefix, n, backend, workDir, infra, nodeEnv);
    }

    public Options withBackend(Backend b) {
      return new Options(prefix, nodes, b, workDir, infra, nodeEnv);
    }

    public Options withWorkDir(Path d) {
      return new Options(prefix, nodes, backend, d, infra, nodeEnv);
    }

    /** The hook for another etcd/Kafka setup (e.g. the HA infra). */
    public Options withInfra(Infra.Factory f) {
      return new Options(prefix, nodes, backend, workDir, f, nodeEnv);
    }

    public Options withNodeEnv(Map<String, String> env) {
      return new Options(prefix, nodes, backend, workDir, infra, env);
    }
  }

  public final Options options;
  public final String prefix;
  public final Path dir;
  public final String fabricNs;
  public final String infraNs;
  public final String inetNs;
  final Host host = new Host();
  private final List<Node> nodes = new ArrayList<>();
  private final Thread hook;
  private Infra infra;
  private boolean ipip;

  private Cluster(Options options) {
    this.options = options;
    this.prefix = options.prefix();
    this.fabricNs = prefix + "fabric";
    this.infraNs = prefix + "infra";
    this.inetNs = prefix + "inet";
    if (options.workDir() == null) {
      this.dir = host.tempDir(prefix);
    } else {
      this.dir = options.workDir();
      try {
        Files.createDirectories(dir);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      host.ownDir(dir);
    }
    this.hook = new Thread(this::cleanup, prefix + "cleanup");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /** A fresh test prefix {@code e2e-<pid>-<n>-}. */
  public static String testPrefix() {
    return TEST_PREFIX + ProcessHandle.current().pid() + "-" + CLUSTERS.incrementAndGet() + "-";
  }

  /** Brings the whole cluster up (fabric, infra, inet, then the nodes in parallel); on failure removes it again. */
  public static Cluster start(Options options) throws Exception {
    removeLeftovers();
    Cluster c = new Cluster(options);
    try {
      c.createFabric();
      c.ipip = c.probeIpip();
      c.attach(c.infraNs, "vI", "brI", "10.10.0.1/24", "10.10.0.254");
      c.attach(c.inetNs, "vX", "brX", INET_ADDRESS + "/24", "203.0.113.254");
      c.infra = options.infra().start(c.host, c.infraNs, c.dir.resolve("infra"));
      for (int i = 1; i <= options.nodes(); i++) {
        Node n = new Node(c, i);
        c.nodes.add(n);
        c.attach(n.ns, "vn" + i, n.subnet == 'A' ? "brA" : "brB", n.ip + "/24", n.gateway());
      }
      c.startAll(c.nodes);
      return c;
    } catch (Exception | Error e) {
      c.close();
      throw e;
    }
  }

  private void createFabric() {
    host.addNamespace(fabricNs);
    Host.sh(fabricNs, "sysctl -qw net.ipv4.ip_forward=1"
        + " && ip link add brI type bridge && ip addr add 10.10.0.254/24 dev brI && ip link set brI up"
        + " && ip link add brA type bridge && ip addr add 10.10.1.254/24 dev brA && ip link set brA up"
        + " && ip link add brB type bridge && ip addr add 10.10.2.254/24 dev brB && ip link set brB up"
        + " && ip link add brX type bridge && ip addr add 203.0.113.254/24 dev brX && ip link set brX up");
  }

  /** Whether this kernel makes IPIP devices (tried in the fabric namespace). */
  private boolean probeIpip() {
    boolean ok = Host.inNs(fabricNs, "ip", "link", "add", "ipipprobe", "type", "ipip", "local", "10.10.0.254").ok();
    if (ok) {
      Host.inNs(fabricNs, "ip", "link", "del", "ipipprobe");
    }
    return ok;
  }

  /** Namespace {@code ns} with eth0 (address {@code cidr}, default via {@code gw}) plugged into fabric bridge {@code br}. */
  private void attach(String ns, String peer, String br, String cidr, String gw) {
    host.addNamespace(ns);
    Host.run("ip", "link", "add", "eth0", "netns", ns, "type", "veth", "peer", "name", peer, "netns", fabricNs)
        .orThrow();
    Host.sh(ns, "ip addr add " + cidr + " dev eth0 && ip link set eth0 up && ip route add default via " + gw);
    Host.sh(fabricNs, "ip link set " + peer + " master " + br + " && ip link set " + peer + " up");
  }

  /** Starts calico-node on every node of {@code which} at once; waits for all (the first failure is thrown). */
  public void startAll(List<Node> which) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, which.size()));
    try {
      List<Future<?>> fs = new ArrayList<>();
      for (Node n : which) {
        fs.add(pool.submit(n::start));
      }
      for (Future<?> f : fs) {
        try {
          f.get();
        } catch (java.util.concurrent.ExecutionException e) {
          throw e.getCause() instanceof Exception ex ? ex : new IllegalStateException(e.getCause());
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /** Node {@code i}, 1-based. */
  public Node node(int i) {
    if (i < 1 || i > nodes.size()) {
      throw new IllegalArgumentException("node " + i + ": this cluster has nodes 1 to " + nodes.size());
    }
    return nodes.get(i - 1);
  }

  public List<Node> nodes() {
    return List.copyOf(nodes);
  }

  public Infra infra() {
    return infra;
  }

  /** Whether the kernel has IPIP; without it the default pool uses VXLAN ({@link #poolEnv}). */
  public boolean ipipSupported() {
    return ipip;
  }

  /** The pool's encapsulation as "ipip" or "vxlan": what the default pool's Always mode uses here. */
  public String tunnel() {
    return ipip && options.backend() != Backend.VXLAN ? "ipip" : "vxlan";
  }

  /** calico-node's default-pool settings: IPIP Always where the kernel has it, else VXLAN Always. */
  Map<String, String> poolEnv() {
    return tunnel().equals("ipip") ? Map.of() : Map.of("CALICO_IPV4POOL_VXLAN", "Always");
  }

  /** The environment calicoctl needs for this cluster (etcd and, for history, Kafka). */
  public Map<String, String> calicoctlEnv() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("CALICO_NO_SETUP", "1");
    env.put("ETCD_ENDPOINTS", infra.etcdEndpoints());
    env.put("KAFKA_BOOTSTRAP_SERVERS", infra.kafkaBootstrap());
    return env;
  }

  /** {@code bin/calicoctl ARGS} run in the infra namespace; {@code stdin} may be null. */
  public Host.Result calicoctl(String stdin, String... args) {
    return calicoctlWith(Map.of(), stdin, args);
  }

  /** As {@link #calicoctl(String, String...)} with {@code env} added (e.g. {@code CALICO_ACTOR}). */
  public Host.Result calicoctlWith(Map<String, String> env, String stdin, String... args) {
    Map<String, String> e = new LinkedHashMap<>(calicoctlEnv());
    e.putAll(env);
    List<String> c = new ArrayList<>(List.of(ROOT.resolve("bin/calicoctl").toString()));
    c.addAll(List.of(args));
    return Host.run(Host.nsCommand(infraNs, e, c), Map.of(), stdin, Duration.ofSeconds(120));
  }

  /**
   * {@code bash -c script} in the infra namespace, in the repository's directory (so {@code bin/calicoctl} works)
   * with the calicoctl environment and {@code env}: for the seed's pipelines.
   */
  public Host.Result shell(Map<String, String> env, String script) {
    Map<String, String> e = new LinkedHashMap<>(calicoctlEnv());
    e.putAll(env);
    return Host.run(Host.nsCommand(infraNs, e, List.of("bash", "-c", "set -o pipefail; cd " + ROOT + " && "
        + script)), Map.of(), null, Duration.ofSeconds(120));
  }

  /** Runs {@code cmd} in the fabric (router) namespace. */
  public Host.Result fabric(String... cmd) {
    return Host.inNs(fabricNs, cmd);
  }

  /** Every namespace of this cluster that exists now, oldest first. */
  public List<String> namespaces() {
    return host.namespacesMade();
  }

  /** Pids of the processes the cluster started that still run. */
  public List<Long> pids() {
    return host.processes().stream().map(Host.Proc::pid).toList();
  }

  /** Commands a person can paste to look around this cluster (for {@code bin/demo --keep}). */
  public List<String> exploreCommands() {
    String env = "ETCD_ENDPOINTS=" + infra.etcdEndpoints() + " KAFKA_BOOTSTRAP_SERVERS=" + infra.kafkaBootstrap();
    List<String> l = new ArrayList<>();
    l.add("ip netns list | grep '^" + prefix + "'");
    l.add("ip netns exec " + infraNs + " env " + env + " " + ROOT + "/bin/calicoctl get nodes -o wide");
    l.add("ip netns exec " + infraNs + " env " + env + " " + ROOT + "/bin/calicoctl get ippool -o yaml");
    l.add("ip netns exec " + infraNs + " env " + env + " " + ROOT + "/bin/calicoctl history");
    for (Node n : nodes) {
      l.add("ip netns exec " + n.ns + " " + ROOT + "/bin/calicoctl node status");
      l.add("ip -n " + n.ns + " route");
      for (Map.Entry<String, String> p : n.pods().entrySet()) {
        l.add("ip netns exec " + n.podNs(p.getKey()) + " ping -c 2 <address>   # " + p.getKey() + " is "
            + p.getValue());
      }
    }
    l.add("less " + dir + "/calico-node-node-1-1.log");
    return l;
  }

  /** Leaves everything running and forgets it: nothing is removed at close or exit. */
  public void detach() {
    host.detach();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // nothing to remove
    }
  }

  @Override
  public void close() {
    cleanup();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the hook runs anyway
    }
  }

  private synchronized void cleanup() {
    if (infra != null) {
      try {
        infra.close();
      } catch (RuntimeException e) {
        // the Host below kills whatever is left
      }
    }
    host.close();
    for (Node n : nodes) {
      try {
        Files.deleteIfExists(Path.of("/var/run/wireguard/" + n.wireguardInterface + ".sock"));
      } catch (IOException ignored) {
        // best effort
      }
    }
  }

  /**
   * Removes every namespace whose name starts with {@code prefix} (killing what runs inside first), and the
   * wireguard-go sockets named after its nodes. Returns the namespaces removed.
   */
  public static List<String> removeAll(String prefix) {
    List<String> gone = new ArrayList<>();
    List<String> nss = new ArrayList<>(Host.namespaces().stream().filter(n -> n.startsWith(prefix)).toList());
    nss.sort((a, b) -> b.length() - a.length()); // pods (longest names) before nodes before the fabric
    for (String ns : nss) {
      Host.killInside(ns);
    }
    for (String ns : nss) {
      Host.deleteNamespace(ns);
      gone.add(ns);
    }
    String tag = "wg-" + prefix.replaceFirst("^e2e-", "").replaceAll("[^A-Za-z0-9]+", "-");
    try (var s = Files.list(Path.of("/var/run/wireguard"))) {
      s.filter(p -> p.getFileName().toString().startsWith(tag)).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException none) {
      // no wireguard-go ran
    }
    return gone;
  }

  /** Removes test clusters ({@code e2e-<pid>-...}) whose JVM no longer runs. */
  public static void removeLeftovers() {
    java.util.Set<String> deadPrefixes = new java.util.TreeSet<>();
    for (String ns : Host.namespaces()) {
      if (!ns.startsWith(TEST_PREFIX)) {
        continue;
      }
      String[] parts = ns.substring(TEST_PREFIX.length()).split("-");
      long owner;
      try {
        owner = Long.parseLong(parts[0]);
      } catch (NumberFormatException e) {
        continue;
      }
      if (parts.length > 1 && ProcessHandle.of(owner).isEmpty()) {
        deadPrefixes.add(TEST_PREFIX + parts[0] + "-" + parts[1] + "-");
      }
    }
    deadPrefixes.forEach(Cluster::removeAll);
    // and their temporary directories (named after the prefix; see Host#tempDir)
    try (var s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      s.filter(p -> p.getFileName().toString().startsWith(TEST_PREFIX)).filter(p -> {
        String[] parts = p.getFileName().toString().substring(TEST_PREFIX.length()).split("-");
        try {
          return ProcessHandle.of(Long.parseLong(parts[0])).isEmpty();
        } catch (NumberFormatException e) {
          return false;
        }
      }).forEach(Host::deleteTree);
    } catch (IOException | UncheckedIOException e) {
      // best effort
    }
  }

  @Override
  public String toString() {
    return "cluster " + prefix + " (" + nodes.size() + " nodes, " + options.backend().value + ", tunnel "
        + tunnel().toUpperCase(Locale.ROOT) + ")";
  }
}
