package org.calicoledger.node.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A node in a network namespace, as the seed's lab has it: namespace {@code <id>-node} with loopback, an uplink
 * {@code eth0} (10.99.0.1/24, default route via .254, both ends of its veth inside the namespace, so nothing reaches
 * the host), a real etcd on the namespace's 127.0.0.1:2379 and {@code bin/calico-node} in it. Pods are further
 * namespaces {@code <id>-<pod>}; {@link #cni} runs {@code bin/calico} from the test JVM, in the root namespace, as a
 * container runtime does.
 *
 * <p>Cleanup: {@link #close} (also run by a shutdown hook) kills the processes, deletes every namespace of this lab
 * and the temporary directory. Namespaces are named {@code cnit-<pid>-<n>-...}: at start, leftovers of test JVMs
 * that no longer run (their pid is gone) are removed with the processes still inside them.
 */
public final class NodeLab implements AutoCloseable {
  public static final Path ROOT = Path.of(System.getProperty("calico.repo.root", "..")).toAbsolutePath().normalize();
  public static final String PREFIX = "cnit-";
  public static final ObjectMapper JSON = new ObjectMapper();
  private static final AtomicInteger LABS = new AtomicInteger();

  public final String id;
  public final String nodeName;
  public final String nodeNs;
  public final Path dir;
  private final Set<String> namespaces = new LinkedHashSet<>();
  private final Thread hook;
  private Process etcd;
  private Process agent;
  private int agentStarts;

  /** Output of a finished command. */
  public record Run(int code, String out, String err, long millis) {
    public JsonNode json() {
      try {
        return out.isBlank() ? null : JSON.readTree(out);
      } catch (IOException e) {
        throw new AssertionError("not JSON: " + out + err, e);
      }
    }
  }

  private NodeLab(String nodeName) throws IOException {
    this.id = PREFIX + ProcessHandle.current().pid() + "-" + LABS.incrementAndGet();
    this.nodeName = nodeName;
    this.nodeNs = id + "-node";
    this.dir = Files.createTempDirectory(id + "-");
    this.hook = new Thread(this::cleanup, id + "-cleanup");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /** A node namespace with etcd, and calico-node started with {@code agentEnv} on top of the lab's settings. */
  public static NodeLab start(String nodeName, Map<String, String> agentEnv) throws Exception {
    removeLeftovers();
    NodeLab lab = new NodeLab(nodeName);
    try {
      lab.createNode();
      lab.startEtcd();
      lab.startAgent(agentEnv);
      return lab;
    } catch (Exception | AssertionError e) {
      lab.close();
      throw e;
    }
  }

  private void createNode() {
    addNamespace(nodeNs);
    must("ip", "-n", nodeNs, "link", "set", "lo", "up");
    must("ip", "-n", nodeNs, "link", "add", "eth0", "type", "veth", "peer", "name", "uplink0");
    must("ip", "-n", nodeNs, "addr", "add", "10.99.0.1/24", "dev", "eth0");
    must("ip", "-n", nodeNs, "link", "set", "eth0", "up");
    must("ip", "-n", nodeNs, "link", "set", "uplink0", "up");
    must("ip", "-n", nodeNs, "route", "add", "default", "via", "10.99.0.254", "dev", "eth0");
  }

  private void startEtcd() throws Exception {
    File log = dir.resolve("etcd.log").toFile();
    etcd = new ProcessBuilder("ip", "netns", "exec", nodeNs, "etcd", "--name", "lab", "--data-dir",
        dir.resolve("etcd").toString(), "--listen-client-urls", "http://127.0.0.1:2379", "--advertise-client-urls",
        "http://127.0.0.1:2379", "--listen-peer-urls", "http://127.0.0.1:2380", "--initial-advertise-peer-urls",
        "http://127.0.0.1:2380", "--initial-cluster", "lab=http://127.0.0.1:2380")
        .redirectErrorStream(true).redirectOutput(log).start();
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      if (!etcd.isAlive()) {
        throw new AssertionError("etcd exited: " + Files.readString(log.toPath()));
      }
      if (inNode("etcdctl", "--endpoints", "http://127.0.0.1:2379", "endpoint", "health").code() == 0) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("etcd in " + nodeNs + " did not become healthy: " + Files.readString(log.toPath()));
  }

  /** Starts calico-node in the node namespace and waits until it says it is ready. */
  public void startAgent(Map<String, String> extraEnv) throws Exception {
    agentStarts++;
    Path log = agentLog();
    List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", nodeNs, "env", "CALICO_NO_SETUP=1",
        "NODENAME=" + nodeName, "ETCD_ENDPOINTS=http://127.0.0.1:2379", "CALICO_RUN_DIR=" + runDir()));
    extraEnv.forEach((k, v) -> cmd.add(k + "=" + v));
    cmd.add(ROOT.resolve("bin/calico-node").toString());
    agent = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      String text = Files.readString(log);
      if (text.contains(" is ready")) {
        return;
      }
      if (!agent.isAlive()) {
        throw new AssertionError("calico-node exited with " + agent.exitValue() + ":\n" + text);
      }
      Thread.sleep(50);
    }
    throw new AssertionError("calico-node did not become ready:\n" + Files.readString(log));
  }

  /** Starts calico-node and expects it to fail; returns its exit code and output. */
  public Run startAgentExpectingFailure(Map<String, String> extraEnv) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", nodeNs, "env", "CALICO_NO_SETUP=1",
        "NODENAME=" + nodeName, "ETCD_ENDPOINTS=http://127.0.0.1:2379", "CALICO_RUN_DIR=" + runDir()));
    extraEnv.forEach((k, v) -> cmd.add(k + "=" + v));
    cmd.add(ROOT.resolve("bin/calico-node").toString());
    return run(cmd, Map.of(), null, Duration.ofSeconds(60));
  }

  public Path agentLog() {
    return dir.resolve("calico-node-" + agentStarts + ".log");
  }

  public Path runDir() {
    return dir.resolve("run");
  }

  public Path socket() {
    return runDir().resolve("cni.sock");
  }

  public Process agent() {
    return agent;
  }

  /** SIGKILL: as abrupt as a crash. */
  public void killAgent() throws InterruptedException {
    if (agent != null) {
      agent.destroyForcibly();
      agent.waitFor(30, TimeUnit.SECONDS);
    }
  }

  /** SIGTERM; returns the exit code. */
  public int stopAgent() throws InterruptedException {
    agent.destroy();
    if (!agent.waitFor(60, TimeUnit.SECONDS)) {
      throw new AssertionError("calico-node did not stop within 60 s of SIGTERM");
    }
    return agent.exitValue();
  }

  /** A pod namespace; returns its path (what a runtime passes as CNI_NETNS). */
  public String pod(String name) {
    String ns = id + "-" + name;
    addNamespace(ns);
    return "/var/run/netns/" + ns;
  }

  public String podNs(String name) {
    return id + "-" + name;
  }

  public void deletePod(String name) {
    String ns = id + "-" + name;
    run(List.of("ip", "netns", "del", ns), Map.of(), null, Duration.ofSeconds(30));
    namespaces.remove(ns);
  }

  private void addNamespace(String ns) {
    must("ip", "netns", "add", ns);
    namespaces.add(ns);
  }

  /** The calico network configuration for this lab's agent; {@code extra} is spliced in as more fields. */
  public String conf(String cniVersion, String extra) {
    return "{\"cniVersion\":\"" + cniVersion + "\",\"name\":\"k8s-pod-network\",\"type\":\"calico\","
        + "\"ipam\":{\"type\":\"calico-ipam\"},\"node_agent_socket\":\"" + socket() + "\"" + extra + "}";
  }

  /** Runs {@code bin/<plugin>} as a runtime does: CNI variables in the environment, {@code conf} on stdin. */
  public Run cni(String plugin, String command, String container, String netns, String args, String conf) {
    Map<String, String> env = new HashMap<>();
    env.put("CALICO_NO_SETUP", "1");
    env.put("CNI_COMMAND", command);
    env.put("CNI_IFNAME", "eth0");
    env.put("CNI_PATH", "/usr/lib/cni");
    if (container != null) {
      env.put("CNI_CONTAINERID", container);
    }
    if (netns != null) {
      env.put("CNI_NETNS", netns);
    }
    if (args != null) {
      env.put("CNI_ARGS", args);
    }
    return run(List.of(ROOT.resolve("bin/" + plugin).toString()), env, conf, Duration.ofSeconds(120));
  }

  /** ADD, DEL or CHECK of Kubernetes pod {@code pod} in namespace {@code default}. */
  public Run calico(String command, String container, String pod, String conf) {
    return cni("calico", command, container, "/var/run/netns/" + podNs(pod),
        "IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=" + pod + ";K8S_POD_INFRA_CONTAINER_ID=" + container,
        conf);
  }

  public Run inNode(String... cmd) {
    List<String> c = new ArrayList<>(List.of("ip", "netns", "exec", nodeNs));
    c.addAll(List.of(cmd));
    return run(c, Map.of("ETCDCTL_API", "3"), null, Duration.ofSeconds(60));
  }

  public Run inPod(String pod, String... cmd) {
    List<String> c = new ArrayList<>(List.of("ip", "netns", "exec", podNs(pod)));
    c.addAll(List.of(cmd));
    return run(c, Map.of(), null, Duration.ofSeconds(60));
  }

  /** The value of an etcd key (null when absent), read inside the node namespace. */
  public String etcdGet(String key) {
    Run r = inNode("etcdctl", "--endpoints", "http://127.0.0.1:2379", "get", key, "--print-value-only");
    if (r.code() != 0) {
      throw new AssertionError("etcdctl get " + key + ": " + r.err());
    }
    return r.out().isBlank() ? null : r.out().strip();
  }

  /** The etcd keys under {@code prefix}. */
  public List<String> etcdKeys(String prefix) {
    Run r = inNode("etcdctl", "--endpoints", "http://127.0.0.1:2379", "get", prefix, "--prefix", "--keys-only");
    return r.out().lines().filter(l -> !l.isBlank()).toList();
  }

  /** An HTTP GET on the agent's health port inside the node namespace: status line and body. */
  public String http(String path) {
    return inNode("bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/9099 && printf 'GET " + path
        + " HTTP/1.0\\r\\n\\r\\n' >&3 && cat <&3").out();
  }

  public void must(String... cmd) {
    Run r = run(List.of(cmd), Map.of(), null, Duration.ofSeconds(30));
    if (r.code() != 0) {
      throw new AssertionError(String.join(" ", cmd) + " failed (" + r.code() + "): " + r.out() + r.err());
    }
  }

  public static Run run(List<String> cmd, Map<String, String> env, String stdin, Duration timeout) {
    try {
      ProcessBuilder pb = new ProcessBuilder(cmd);
      pb.environment().putAll(env);
      long t0 = System.nanoTime();
      Process p = pb.start();
      CompletableFuture<String> err = drain(p.getErrorStream());
      CompletableFuture<String> out = drain(p.getInputStream());
      try (var in = p.getOutputStream()) {
        if (stdin != null) {
          in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
      } catch (IOException exited) {
        // its output says why
      }
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new AssertionError(String.join(" ", cmd) + " did not finish within " + timeout);
      }
      long ms = (System.nanoTime() - t0) / 1_000_000;
      return new Run(p.exitValue(), out.join(), err.join(), ms);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Reads a stream on a thread of its own (many commands may run at once; the common pool has one thread here). */
  private static CompletableFuture<String> drain(java.io.InputStream s) {
    CompletableFuture<String> f = new CompletableFuture<>();
    Thread t = new Thread(() -> {
      try (s) {
        f.complete(new String(s.readAllBytes(), StandardCharsets.UTF_8));
      } catch (IOException e) {
        f.complete("");
      }
    }, "lab-output");
    t.setDaemon(true);
    t.start();
    return f;
  }

  /** Every network namespace on this machine (for the tests' final "nothing left" check). */
  public static List<String> namespaces() {
    return run(List.of("ip", "netns", "list"), Map.of(), null, Duration.ofSeconds(10)).out().lines()
        .map(l -> l.split(" ")[0]).filter(l -> !l.isBlank()).toList();
  }

  /** Namespaces of labs whose test JVM is gone, and the processes left inside them. */
  static void removeLeftovers() {
    for (String ns : namespaces()) {
      if (!ns.startsWith(PREFIX)) {
        continue;
      }
      String[] parts = ns.substring(PREFIX.length()).split("-");
      long owner;
      try {
        owner = Long.parseLong(parts[0]);
      } catch (NumberFormatException e) {
        continue;
      }
      if (ProcessHandle.of(owner).isPresent()) {
        continue; // a live test JVM's (perhaps another run's): not ours to remove
      }
      Run pids = run(List.of("ip", "netns", "pids", ns), Map.of(), null, Duration.ofSeconds(10));
      pids.out().lines().filter(l -> !l.isBlank()).forEach(pid -> ProcessHandle.of(Long.parseLong(pid.strip()))
          .ifPresent(ProcessHandle::destroyForcibly));
      run(List.of("ip", "netns", "del", ns), Map.of(), null, Duration.ofSeconds(30));
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
    for (Process p : new Process[] {agent, etcd}) {
      if (p != null && p.isAlive()) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        try {
          p.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
    List<String> all = new ArrayList<>(namespaces);
    java.util.Collections.reverse(all); // pods first, the node last
    for (String ns : all) {
      Run pids = run(List.of("ip", "netns", "pids", ns), Map.of(), null, Duration.ofSeconds(10));
      pids.out().lines().filter(l -> !l.isBlank()).forEach(pid -> ProcessHandle.of(Long.parseLong(pid.strip()))
          .ifPresent(ProcessHandle::destroyForcibly));
      run(List.of("ip", "netns", "del", ns), Map.of(), null, Duration.ofSeconds(30));
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
