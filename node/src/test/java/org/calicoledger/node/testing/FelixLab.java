package org.calicoledger.node.testing;

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
import org.calicoledger.node.testing.NodeLab.Run;

/**
 * A cluster of calico-node processes in network namespaces, with a router between two subnets, for Felix's tests
 * (and anyone who needs real nodes that route to each other):
 * <pre>
 *   subnet 1 10.10.1.0/24                 router namespace ({id}-r)                  subnet 2 10.10.2.0/24
 *   node ns {id}-{name}: eth0 10.10.1.N --- br1 10.10.1.254   br2 10.10.2.254 --- node ns: eth0 10.10.2.N
 *                                           ip_forward=1, no pod routes
 *                                           etcd 10.10.1.254:2379 (+127.0.0.1), calico-journal with an embedded
 *                                           Kafka broker on 10.10.1.254:9092
 * </pre>
 * Each node runs {@code bin/calico-node} in its namespace with {@code KAFKA_BOOTSTRAP_SERVERS} (so Felix runs), its
 * own run directory (CNI socket) and {@code IP=<its address>/24}; pods are namespaces {@code {id}-{node}-{pod}} made
 * through the CNI plugin {@code bin/calico}, run from the test JVM as a container runtime does. Nothing listens or
 * routes outside the namespaces the lab creates.
 *
 * <p>Cleanup: {@link #close} (also a shutdown hook) kills every process the lab started, deletes every namespace it
 * created and its temporary directory. Names start with {@code fxa-<pid>-<n>}: labs left by a test JVM that no longer
 * runs are removed at the next start.
 */
public final class FelixLab implements AutoCloseable {
  public static final String PREFIX = "fxa-";
  public static final String ETCD = "http://10.10.1.254:2379";
  public static final String KAFKA = "10.10.1.254:9092";
  private static final AtomicInteger LABS = new AtomicInteger();

  public final String id;
  public final String routerNs;
  public final Path dir;
  private final Set<String> namespaces = new LinkedHashSet<>();
  private final Map<String, Node> nodes = new LinkedHashMap<>();
  private final List<Process> infra = new ArrayList<>();
  private final Thread hook;

  /** One calico-node of the lab. */
  public final class Node {
    public final String name;
    public final String ns;
    public final String ip;
    public final Path runDir;
    private Process process;
    private int starts;

    Node(String name, String ip) {
      this.name = name;
      this.ns = id + "-" + name;
      this.ip = ip;
      this.runDir = dir.resolve("run-" + name);
    }

    public Path log() {
      return dir.resolve("calico-node-" + name + "-" + starts + ".log");
    }

    /** Runs a command in the node's namespace. */
    public Run exec(String... cmd) {
      List<String> c = new ArrayList<>(List.of("ip", "netns", "exec", ns));
      c.addAll(List.of(cmd));
      return NodeLab.run(c, Map.of(), null, Duration.ofSeconds(60));
    }

    /** {@code ip ARGS} in the node's namespace; fails the test when it fails. */
    public String ip(String... args) {
      List<String> c = new ArrayList<>(List.of("ip", "-n", ns));
      c.addAll(List.of(args));
      Run r = NodeLab.run(c, Map.of(), null, Duration.ofSeconds(30));
      if (r.code() != 0) {
        throw new AssertionError(String.join(" ", c) + ": " + r.err());
      }
      return r.out();
    }

    /** An HTTP GET on the node's health port: status line, headers and body. */
    public String http(String path) {
      return exec("bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/9099 && printf 'GET " + path
          + " HTTP/1.0\\r\\n\\r\\n' >&3 && cat <&3").out();
    }

    /** A pod made through {@code bin/calico} ADD; returns its IPv4 address. */
    public String addPod(String pod) {
      return addPod(pod, "default");
    }

    /** The network namespace of {@code pod} on this node. */
    public String podNs(String pod) {
      return ns + "-" + pod;
    }

    /**
     * A pod named {@code <node>-<pod>} in Kubernetes namespace {@code namespace} (CNI_ARGS' K8S_POD_NAMESPACE, so
     * its endpoint is labelled with that namespace and has profile {@code kns.<namespace>}), made through
     * {@code bin/calico} ADD; returns its IPv4 address. With {@code namespace} null, a plain CNI container instead
     * (no K8S_POD_* in CNI_ARGS): endpoint {@code <node>-cni-c--<node>--<pod>-eth0} in namespace {@code default}, profile
     * {@code k8s-pod-network} (the network's name).
     */
    public String addPod(String pod, String namespace) {
      String podNs = podNs(pod);
      addNamespace(podNs);
      String conf = "{\"cniVersion\":\"1.0.0\",\"name\":\"k8s-pod-network\",\"type\":\"calico\","
          + "\"ipam\":{\"type\":\"calico-ipam\"},\"node_agent_socket\":\"" + runDir.resolve("cni.sock") + "\"}";
      Map<String, String> env = new LinkedHashMap<>();
      env.put("CALICO_NO_SETUP", "1");
      env.put("CNI_COMMAND", "ADD");
      env.put("CNI_IFNAME", "eth0");
      env.put("CNI_PATH", "/usr/lib/cni");
      env.put("CNI_CONTAINERID", "c-" + name + "-" + pod);
      env.put("CNI_NETNS", "/var/run/netns/" + podNs);
      env.put("CNI_ARGS", namespace == null ? "IgnoreUnknown=1" : "IgnoreUnknown=1;K8S_POD_NAMESPACE=" + namespace
          + ";K8S_POD_NAME=" + name + "-" + pod + ";K8S_POD_INFRA_CONTAINER_ID=c-" + name + "-" + pod);
      Run r = NodeLab.run(List.of(NodeLab.ROOT.resolve("bin/calico").toString()), env, conf, Duration.ofSeconds(120));
      if (r.code() != 0) {
        throw new AssertionError("CNI ADD of " + pod + " on " + name + " failed: " + r.out() + r.err());
      }
      String addr = r.json().path("ips").get(0).path("address").asText();
      return addr.substring(0, addr.indexOf('/'));
    }

    /** Whether one ping from {@code pod} (on this node) to {@code dst} is answered within a second. */
    public boolean ping(String pod, String dst) {
      return NodeLab.run(List.of("ip", "netns", "exec", ns + "-" + pod, "ping", "-c", "1", "-W", "1", dst), Map.of(),
          null, Duration.ofSeconds(10)).code() == 0;
    }

    /** Starts calico-node and waits for its " is ready" line. */
    public void start(Map<String, String> env) throws Exception {
      starts++;
      List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns, "env", "CALICO_NO_SETUP=1",
          "NODENAME=" + name, "ETCD_ENDPOINTS=" + ETCD, "KAFKA_BOOTSTRAP_SERVERS=" + KAFKA, "IP=" + ip + "/24",
          "CALICO_RUN_DIR=" + runDir));
      env.forEach((k, v) -> cmd.add(k + "=" + v));
      cmd.add(NodeLab.ROOT.resolve("bin/calico-node").toString());
      process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log().toFile()).start();
      await(Duration.ofSeconds(90), () -> {
        if (!process.isAlive()) {
          throw new AssertionError("calico-node " + name + " exited:\n" + read(log()));
        }
        return read(log()).contains(" is ready");
      }, "calico-node " + name + " ready");
    }

    public void stop() throws InterruptedException {
      if (process != null && process.isAlive()) {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      }
    }

    public String logText() {
      return read(log());
    }
  }

  private FelixLab() throws IOException {
    this.id = PREFIX + ProcessHandle.current().pid() + "-" + LABS.incrementAndGet();
    this.routerNs = id + "-r";
    this.dir = Files.createTempDirectory(id + "-");
    this.hook = new Thread(this::cleanup, id + "-cleanup");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /** The router, etcd and the journal with its Kafka broker. */
  public static FelixLab start() throws Exception {
    removeLeftovers();
    FelixLab lab = new FelixLab();
    try {
      lab.createRouter();
      lab.startEtcd();
      lab.startJournal();
      return lab;
    } catch (Exception | AssertionError e) {
      lab.close();
      throw e;
    }
  }

  private void createRouter() {
    addNamespace(routerNs);
    sh(routerNs, "ip link set lo up && sysctl -qw net.ipv4.ip_forward=1"
        + " && ip link add br1 type bridge && ip addr add 10.10.1.254/24 dev br1 && ip link set br1 up"
        + " && ip link add br2 type bridge && ip addr add 10.10.2.254/24 dev br2 && ip link set br2 up");
  }

  private void startEtcd() throws Exception {
    File log = dir.resolve("etcd.log").toFile();
    infra.add(new ProcessBuilder("ip", "netns", "exec", routerNs, "etcd", "--name", "lab", "--data-dir",
        dir.resolve("etcd").toString(), "--listen-client-urls", "http://127.0.0.1:2379," + ETCD,
        "--advertise-client-urls", ETCD, "--listen-peer-urls", "http://127.0.0.1:2380",
        "--initial-advertise-peer-urls", "http://127.0.0.1:2380", "--initial-cluster", "lab=http://127.0.0.1:2380")
        .redirectErrorStream(true).redirectOutput(log).start());
    await(Duration.ofSeconds(30), () -> inRouter("etcdctl", "--endpoints", "http://127.0.0.1:2379", "endpoint",
        "health").code() == 0, "etcd healthy");
  }

  private void startJournal() throws Exception {
    Path log = dir.resolve("journal.log");
    infra.add(new ProcessBuilder("ip", "netns", "exec", routerNs, "env", "CALICO_NO_SETUP=1",
        "ETCD_ENDPOINTS=http://127.0.0.1:2379", NodeLab.ROOT.resolve("bin/calico-journal").toString(),
        "--kafka-embedded", dir.resolve("kafka").toString(), "--kafka-listen", KAFKA, "--name", "lab")
        .redirectErrorStream(true).redirectOutput(log.toFile()).start());
    await(Duration.ofSeconds(90), () -> {
      if (!infra.get(infra.size() - 1).isAlive()) {
        throw new AssertionError("calico-journal exited:\n" + read(log));
      }
      return read(log).contains("journal lab leads");
    }, "calico-journal leading");
  }

  /**
   * A node namespace on {@code subnet} (1 or 2) with address {@code 10.10.<subnet>.<host>}, wired to the router,
   * and calico-node started in it with {@code env}.
   */
  public Node node(String name, int subnet, int host, Map<String, String> env) throws Exception {
    Node n = new Node(name, "10.10." + subnet + "." + host);
    nodes.put(name, n);
    addNamespace(n.ns);
    String peer = "v-" + name;
    must("ip", "link", "add", "eth0", "netns", n.ns, "type", "veth", "peer", "name", peer, "netns", routerNs);
    sh(n.ns, "ip link set lo up && ip addr add " + n.ip + "/24 dev eth0 && ip link set eth0 up"
        + " && ip route add default via 10.10." + subnet + ".254");
    sh(routerNs, "ip link set " + peer + " master br" + subnet + " && ip link set " + peer + " up");
    n.start(env);
    return n;
  }

  public Node get(String name) {
    return nodes.get(name);
  }

  /** {@code bin/calicoctl ARGS} against the lab's etcd (run in the router namespace). */
  public Run calicoctl(String stdin, String... args) {
    List<String> c = new ArrayList<>(List.of("ip", "netns", "exec", routerNs, "env", "CALICO_NO_SETUP=1",
        "ETCD_ENDPOINTS=http://127.0.0.1:2379", NodeLab.ROOT.resolve("bin/calicoctl").toString()));
    c.addAll(List.of(args));
    Run r = NodeLab.run(c, Map.of(), stdin, Duration.ofSeconds(120));
    if (r.code() != 0) {
      throw new AssertionError("calicoctl " + String.join(" ", args) + ": " + r.out() + r.err());
    }
    return r;
  }

  /** The value of an etcd key, or null. */
  public String etcdGet(String key) {
    Run r = inRouter("etcdctl", "--endpoints", "http://127.0.0.1:2379", "get", key, "--print-value-only");
    return r.out().isBlank() ? null : r.out().strip();
  }

  public Run inRouter(String... cmd) {
    List<String> c = new ArrayList<>(List.of("ip", "netns", "exec", routerNs));
    c.addAll(List.of(cmd));
    return NodeLab.run(c, Map.of("ETCDCTL_API", "3"), null, Duration.ofSeconds(60));
  }

  /** Polls {@code condition} every 200 ms until true; fails with {@code what} after {@code timeout}. */
  public static void await(Duration timeout, BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (condition.getAsBoolean()) {
        return;
      }
      Thread.sleep(200);
    }
    throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for: " + what);
  }

  private void addNamespace(String ns) {
    must("ip", "netns", "add", ns);
    namespaces.add(ns);
  }

  private static void must(String... cmd) {
    Run r = NodeLab.run(List.of(cmd), Map.of(), null, Duration.ofSeconds(30));
    if (r.code() != 0) {
      throw new AssertionError(String.join(" ", cmd) + " failed: " + r.out() + r.err());
    }
  }

  private static void sh(String ns, String script) {
    must("ip", "netns", "exec", ns, "sh", "-c", script);
  }

  static String read(Path p) {
    try {
      return Files.exists(p) ? Files.readString(p) : "";
    } catch (IOException e) {
      return "";
    }
  }

  /** Namespaces of labs whose test JVM is gone, and the processes left inside them. */
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
      NodeLab.run(List.of("ip", "netns", "del", ns), Map.of(), null, Duration.ofSeconds(30));
    }
  }

  private static void killInside(String ns) {
    Run pids = NodeLab.run(List.of("ip", "netns", "pids", ns), Map.of(), null, Duration.ofSeconds(10));
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
    List<Process> all = new ArrayList<>();
    nodes.values().forEach(n -> {
      if (n.process != null) {
        all.add(n.process);
      }
    });
    all.addAll(infra);
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
    List<String> nss = new ArrayList<>(namespaces);
    java.util.Collections.reverse(nss);
    for (String ns : nss) {
      killInside(ns);
      NodeLab.run(List.of("ip", "netns", "del", ns), Map.of(), null, Duration.ofSeconds(30));
    }
    namespaces.clear();
    if (Files.exists(dir)) {
      try (Stream<Path> walk = Files.walk(dir)) {
        walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException ignored) {
        // best effort at exit
      }
    }
  }
}
