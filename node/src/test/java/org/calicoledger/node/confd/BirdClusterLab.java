package org.calicoledger.node.confd;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.calicoledger.node.testing.NodeLab;
import org.calicoledger.node.testing.NodeLab.Run;

/**
 * A cluster of calico-nodes in network namespaces, all on one L2 segment:
 *
 * <pre>
 *   cfd-PID-N-sw:     br0 10.98.0.254/24; etcd on 10.98.0.254:2379; bin/calico-journal with its embedded Kafka broker
 *                     on 10.98.0.254:9092
 *   cfd-PID-N-nodeI:  eth0 10.98.0.I/24 (veth into br0), default via .254, ip_forward on (as on any Kubernetes
 *                     host), bin/calico-node
 *                     NODENAME=node-I with the given environment
 *   cfd-PID-N-p-POD:  pods, added with bin/calico through their node's agent
 * </pre>
 *
 * Everything stays inside these namespaces. {@link #close} (also a shutdown hook) kills the processes, deletes the
 * namespaces and the temporary directory; namespaces left by test JVMs that are gone are removed at start.
 */
public final class BirdClusterLab implements AutoCloseable {
  public static final String PREFIX = "cfd-";
  public static final String ETCD = "http://10.98.0.254:2379";
  public static final String KAFKA = "10.98.0.254:9092";
  private static final AtomicInteger LABS = new AtomicInteger();

  public final String id;
  public final String sw;
  public final Path dir;
  private final Set<String> namespaces = new LinkedHashSet<>();
  private final Map<String, Process> agents = new LinkedHashMap<>();
  private final List<Process> processes = new ArrayList<>();
  private final Thread hook;
  private final Map<String, Integer> agentStarts = new LinkedHashMap<>();

  private BirdClusterLab() throws IOException {
    id = PREFIX + ProcessHandle.current().pid() + "-" + LABS.incrementAndGet();
    sw = id + "-sw";
    dir = Files.createTempDirectory(id + "-");
    hook = new Thread(this::cleanup, id + "-cleanup");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /** The switch namespace with etcd and the journal; nodes are added with {@link #startNode}. */
  public static BirdClusterLab start() throws Exception {
    removeLeftovers();
    BirdClusterLab lab = new BirdClusterLab();
    try {
      lab.addNamespace(lab.sw);
      lab.must("ip", "-n", lab.sw, "link", "set", "lo", "up");
      lab.must("ip", "-n", lab.sw, "link", "add", "br0", "type", "bridge");
      lab.must("ip", "-n", lab.sw, "addr", "add", "10.98.0.254/24", "dev", "br0");
      lab.must("ip", "-n", lab.sw, "link", "set", "br0", "up");
      lab.startEtcd();
      lab.startJournal();
      return lab;
    } catch (Exception | AssertionError e) {
      lab.close();
      throw e;
    }
  }

  private void startEtcd() throws Exception {
    Process etcd = spawn("etcd", List.of("ip", "netns", "exec", sw, "etcd", "--name", "lab", "--data-dir",
        dir.resolve("etcd").toString(), "--listen-client-urls", ETCD, "--advertise-client-urls", ETCD,
        "--listen-peer-urls", "http://127.0.0.1:2380", "--initial-advertise-peer-urls", "http://127.0.0.1:2380",
        "--initial-cluster", "lab=http://127.0.0.1:2380"), Map.of());
    waitFor(Duration.ofSeconds(30), "etcd healthy", () -> etcd.isAlive()
        && run(List.of("ip", "netns", "exec", sw, "etcdctl", "--endpoints", ETCD, "endpoint", "health"),
            Map.of("ETCDCTL_API", "3")).code() == 0);
  }

  private void startJournal() throws Exception {
    Process j = spawn("journal", List.of("ip", "netns", "exec", sw, "env", "CALICO_NO_SETUP=1", "ETCD_ENDPOINTS=" + ETCD,
        NodeLab.ROOT.resolve("bin/calico-journal").toString(), "--kafka-embedded", dir.resolve("kafka").toString(),
        "--kafka-listen", KAFKA, "--name", "journal-" + id), Map.of());
    Path log = dir.resolve("journal.log");
    waitFor(Duration.ofSeconds(90), "the journal leading", () -> {
      if (!j.isAlive()) {
        throw new AssertionError("calico-journal exited: " + read(log));
      }
      String t = read(log);
      return t.contains(" leads");
    });
  }

  /** Creates node namespace {@code i} (1..253) and starts calico-node in it; waits for " is ready". */
  public void startNode(int i, Map<String, String> env) throws Exception {
    String ns = nodeNs(i);
    if (!namespaces.contains(ns)) {
      addNamespace(ns);
      must("ip", "-n", ns, "link", "set", "lo", "up");
      must("ip", "-n", ns, "link", "add", "eth0", "type", "veth", "peer", "name", "n" + i, "netns", sw);
      must("ip", "-n", sw, "link", "set", "n" + i, "master", "br0", "up");
      must("ip", "-n", ns, "addr", "add", "10.98.0." + i + "/24", "dev", "eth0");
      must("ip", "-n", ns, "link", "set", "eth0", "up");
      // a host has a default route; proxy ARP for the pods' gateway 169.254.1.1 needs one (the switch namespace
      // does not forward, so nothing leaves the lab)
      must("ip", "-n", ns, "route", "add", "default", "via", "10.98.0.254", "dev", "eth0");
      must("ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv4.ip_forward=1");
    }
    startAgent(i, env);
  }

  public void startAgent(int i, Map<String, String> env) throws Exception {
    String ns = nodeNs(i);
    int n = agentStarts.merge(ns, 1, Integer::sum);
    List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns, "env", "CALICO_NO_SETUP=1",
        "NODENAME=node-" + i, "IP=10.98.0." + i + "/24", "ETCD_ENDPOINTS=" + ETCD, "KAFKA_BOOTSTRAP_SERVERS=" + KAFKA,
        "CALICO_RUN_DIR=" + runDir(i), "CALICO_IPV4POOL_IPIP=Never"));
    env.forEach((k, v) -> cmd.add(k + "=" + v));
    cmd.add(NodeLab.ROOT.resolve("bin/calico-node").toString());
    Process p = spawn("node" + i + "-" + n, cmd, Map.of());
    agents.put(ns, p);
    Path log = agentLog(i);
    waitFor(Duration.ofSeconds(120), "calico-node node-" + i + " ready", () -> {
      if (!p.isAlive()) {
        throw new AssertionError("calico-node node-" + i + " exited:\n" + read(log));
      }
      return read(log).contains(" is ready");
    });
  }

  public Process agent(int i) {
    return agents.get(nodeNs(i));
  }

  /** SIGTERM to node {@code i}'s calico-node; returns its exit code. */
  public int stopAgent(int i) throws InterruptedException {
    Process p = agents.get(nodeNs(i));
    p.destroy();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      throw new AssertionError("calico-node node-" + i + " did not stop within 60 s of SIGTERM");
    }
    return p.exitValue();
  }

  public Path agentLog(int i) {
    return dir.resolve("node" + i + "-" + agentStarts.getOrDefault(nodeNs(i), 1) + ".log");
  }

  public String nodeNs(int i) {
    return id + "-node" + i;
  }

  public Path runDir(int i) {
    return dir.resolve("run" + i);
  }

  public Path confdDir(int i) {
    return runDir(i).resolve("confd");
  }

  /** {@code birdc -s <node i's socket> ARGS} (a Unix socket: no namespace needed). */
  public Run birdc(int i, String... args) {
    List<String> c = new ArrayList<>(List.of("birdc", "-s", runDir(i).resolve("bird.ctl").toString()));
    c.addAll(List.of(args));
    return run(c, Map.of());
  }

  public Run inNode(int i, String... cmd) {
    List<String> c = new ArrayList<>(List.of("ip", "netns", "exec", nodeNs(i)));
    c.addAll(List.of(cmd));
    return run(c, Map.of());
  }

  /** bin/calicoctl against the cluster's etcd, from the switch namespace; {@code stdin} may be null. */
  public Run calicoctl(String stdin, String... args) {
    List<String> c = new ArrayList<>(List.of("ip", "netns", "exec", sw, "env", "CALICO_NO_SETUP=1",
        "ETCD_ENDPOINTS=" + ETCD, NodeLab.ROOT.resolve("bin/calicoctl").toString()));
    c.addAll(List.of(args));
    return NodeLab.run(c, Map.of(), stdin, Duration.ofSeconds(120));
  }

  /** A pod namespace on node {@code i}, added with bin/calico through that node's agent; returns its address. */
  public String addPod(int i, String pod) {
    return addPod(i, pod, null);
  }

  /** As {@link #addPod(int, String)}, from IP pool {@code pool} (null: any). */
  public String addPod(int i, String pod, String pool) {
    String ns = id + "-p-" + pod;
    addNamespace(ns);
    String conf = "{\"cniVersion\":\"1.0.0\",\"name\":\"k8s-pod-network\",\"type\":\"calico\","
        + "\"ipam\":{\"type\":\"calico-ipam\"" + (pool == null ? "" : ",\"ipv4_pools\":[\"" + pool + "\"]")
        + "},\"node_agent_socket\":\"" + runDir(i).resolve("cni.sock") + "\"}";
    Map<String, String> env = Map.of("CALICO_NO_SETUP", "1", "CNI_COMMAND", "ADD", "CNI_IFNAME", "eth0",
        "CNI_PATH", "/usr/lib/cni", "CNI_CONTAINERID", "c-" + pod, "CNI_NETNS", "/var/run/netns/" + ns,
        "CNI_ARGS", "IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=" + pod);
    Run r = NodeLab.run(List.of(NodeLab.ROOT.resolve("bin/calico").toString()), env, conf, Duration.ofSeconds(120));
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (r.code() != 0 && pool != null && r.out().contains("does not exist") && System.nanoTime() < deadline) {
      // the node agent's IPAM names pools from a cached snapshot: a pool created since appears when it is re-read
      try {
        Thread.sleep(500);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      r = NodeLab.run(List.of(NodeLab.ROOT.resolve("bin/calico").toString()), env, conf, Duration.ofSeconds(120));
    }
    if (r.code() != 0) {
      throw new AssertionError("CNI ADD of " + pod + " on node-" + i + " failed: " + r.out() + r.err());
    }
    return r.json().path("ips").path(0).path("address").asText().replace("/32", "");
  }

  public Run inPod(String pod, String... cmd) {
    List<String> c = new ArrayList<>(List.of("ip", "netns", "exec", id + "-p-" + pod));
    c.addAll(List.of(cmd));
    return run(c, Map.of());
  }

  public static Run run(List<String> cmd, Map<String, String> env) {
    return NodeLab.run(cmd, env, null, Duration.ofSeconds(60));
  }

  public void must(String... cmd) {
    Run r = run(List.of(cmd), Map.of());
    if (r.code() != 0) {
      throw new AssertionError(String.join(" ", cmd) + " failed (" + r.code() + "): " + r.out() + r.err());
    }
  }

  /** Polls {@code cond} every 200 ms until true; fails naming {@code what} after {@code timeout}. */
  /**
   * Fails unless a BIRD protocol's "since" ({@code birdc show protocols}, {@code HH:mm:ss.SSS}) is where it was: the
   * session was not restarted. BIRD keeps that time on its monotonic clock and turns it into wall time when it prints
   * it, so the printed value can move by a millisecond between two calls (CI saw {@code .645}, then {@code .646});
   * a restarted session moves it by far more (BIRD's connect delay alone is seconds), so 50 ms is allowed.
   */
  public static void assertSameSession(String before, String after, String what) {
    long ms = Math.abs(Duration.between(java.time.LocalTime.parse(before), java.time.LocalTime.parse(after))
        .toMillis());
    org.assertj.core.api.Assertions.assertThat(ms).as(what + ": since " + before + ", now " + after)
        .isLessThanOrEqualTo(50);
  }

  public static void waitFor(Duration timeout, String what, BooleanSupplier cond) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (cond.getAsBoolean()) {
        return;
      }
      Thread.sleep(200);
    }
    throw new AssertionError("timed out after " + timeout + " waiting for " + what);
  }

  public static String read(Path p) {
    try {
      return Files.exists(p) ? Files.readString(p) : "";
    } catch (IOException e) {
      return "";
    }
  }

  private Process spawn(String name, List<String> cmd, Map<String, String> env) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(dir.resolve(name + ".log").toFile());
    pb.environment().putAll(env);
    Process p = pb.start();
    processes.add(p);
    return p;
  }

  private void addNamespace(String ns) {
    must("ip", "netns", "add", ns);
    namespaces.add(ns);
  }

  static void removeLeftovers() {
    for (String ns : NodeLab.namespaces()) {
      if (!ns.startsWith(PREFIX)) {
        continue;
      }
      long owner;
      try {
        owner = Long.parseLong(ns.substring(PREFIX.length()).split("-")[0]);
      } catch (NumberFormatException e) {
        continue;
      }
      if (ProcessHandle.of(owner).isPresent()) {
        continue;
      }
      killInside(ns);
      run(List.of("ip", "netns", "del", ns), Map.of());
    }
  }

  private static void killInside(String ns) {
    Run pids = run(List.of("ip", "netns", "pids", ns), Map.of());
    pids.out().lines().filter(l -> !l.isBlank()).forEach(pid -> ProcessHandle.of(Long.parseLong(pid.strip()))
        .ifPresent(ProcessHandle::destroyForcibly));
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
    List<Process> all = new ArrayList<>(processes);
    java.util.Collections.reverse(all); // nodes first, then the journal, etcd last
    for (Process p : all) {
      if (p.isAlive()) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        try {
          p.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
    processes.clear();
    List<String> nss = new ArrayList<>(namespaces);
    java.util.Collections.reverse(nss);
    for (String ns : nss) {
      killInside(ns); // BIRD and anything else a node started
      run(List.of("ip", "netns", "del", ns), Map.of());
    }
    namespaces.clear();
    if (Files.exists(dir)) {
      try (Stream<Path> walk = Files.walk(dir)) {
        walk.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
      } catch (IOException ignored) {
        // best effort at exit
      }
    }
  }
}
