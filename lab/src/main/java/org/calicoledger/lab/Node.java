package org.calicoledger.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One host of a {@link Cluster}: namespace {@code <prefix>node-<i>} with eth0 on its subnet (A: 10.10.1.i/24,
 * B: 10.10.2.i/24) and a default route via the fabric, running {@code bin/calico-node} as {@code node-<i>} with its own
 * run directory (CNI socket, BIRD socket, WireGuard key). Pods are namespaces {@code <prefix>node-<i>-<pod>} made with
 * {@code bin/calico} ADD, run from the lab's JVM in the root namespace as a container runtime would.
 *
 * <p>Thread-safety: pods may be added from several threads; start/stop/kill of the agent are for one thread.
 */
public final class Node {
  private static final ObjectMapper JSON = new ObjectMapper();

  public final int index;
  public final String name;
  public final String ns;
  public final String ip;
  /** 'A' (10.10.1.0/24) or 'B' (10.10.2.0/24). */
  public final char subnet;
  public final Path runDir;
  /** The WireGuard interface name: unique on this machine (wireguard-go's socket path is shared by all namespaces). */
  public final String wireguardInterface;
  private final Cluster cluster;
  private final Map<String, String> pods = Collections.synchronizedMap(new LinkedHashMap<>());
  private Host.Proc agent;
  private int starts;

  Node(Cluster cluster, int index) {
    this.cluster = cluster;
    this.index = index;
    this.name = "node-" + index;
    this.ns = cluster.prefix + name;
    this.subnet = subnetOf(index);
    this.ip = (subnet == 'A' ? "10.10.1." : "10.10.2.") + index;
    this.runDir = cluster.dir.resolve("run-" + name);
    String tag = cluster.prefix.replaceFirst("^e2e-", "").replaceAll("[^A-Za-z0-9]+", "-");
    String wg = "wg-" + tag + index;
    this.wireguardInterface = wg.length() <= 15 ? wg : "wg" + Integer.toHexString(wg.hashCode()) + index;
  }

  /** Nodes 1 and 2 are in subnet A, node 3 in B; further nodes alternate (even A, odd B). */
  public static char subnetOf(int index) {
    if (index <= 2) {
      return 'A';
    }
    return index == 3 || index % 2 == 1 ? 'B' : 'A';
  }

  /** The gateway on this node's subnet (the fabric's bridge address). */
  public String gateway() {
    return subnet == 'A' ? "10.10.1.254" : "10.10.2.254";
  }

  /** The environment calico-node runs with (the cluster's settings plus this node's). */
  public Map<String, String> agentEnv() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("CALICO_NO_SETUP", "1");
    env.put("NODENAME", name);
    env.put("IP", ip + "/24");
    env.put("ETCD_ENDPOINTS", cluster.infra().etcdEndpoints());
    env.put("KAFKA_BOOTSTRAP_SERVERS", cluster.infra().kafkaBootstrap());
    env.put("CALICO_NETWORKING_BACKEND", cluster.options.backend().value);
    env.put("CALICO_RUN_DIR", runDir.toString());
    env.put("FELIX_WIREGUARDINTERFACENAME", wireguardInterface);
    env.putAll(cluster.poolEnv());
    env.putAll(cluster.options.nodeEnv());
    return env;
  }

  /** Starts calico-node and waits (up to 120 s) for its " is ready" line; fails with its log when it exits. */
  public synchronized void start() {
    if (agent != null && agent.alive()) {
      throw new IllegalStateException("calico-node " + name + " is already running (pid " + agent.pid() + ")");
    }
    starts++;
    Host.Proc p = cluster.host.spawn(name, Host.nsCommand(ns, agentEnv(),
        List.of(Cluster.ROOT.resolve("bin/calico-node").toString())), Map.of(), log());
    agent = p;
    Host.await(Duration.ofSeconds(120), "calico-node " + name + " ready", () -> {
      String text = p.logText();
      if (!p.alive()) {
        throw new IllegalStateException("calico-node " + name + " exited:\n" + text);
      }
      return text.contains(" is ready");
    });
  }

  /** SIGTERM to calico-node; returns its exit status (-1 when it had to be killed). */
  public synchronized int stop() {
    return agent == null ? 0 : agent.stop(Duration.ofSeconds(60));
  }

  /** SIGKILL to calico-node and its children: as abrupt as a crash. */
  public synchronized void kill() {
    if (agent != null) {
      agent.kill();
    }
  }

  /** The running (or last) calico-node process; null before the first start. */
  public synchronized Host.Proc agent() {
    return agent;
  }

  /** The current (last started) calico-node's log file. */
  public Path log() {
    return cluster.dir.resolve("calico-node-" + name + "-" + starts + ".log");
  }

  /** Runs {@code cmd} in this node's namespace (60 s). */
  public Host.Result exec(String... cmd) {
    return Host.inNs(ns, cmd);
  }

  /** {@code ip ARGS} in this node's namespace; its output, or an exception naming the command. */
  public String ip(String... args) {
    List<String> c = new ArrayList<>(List.of("ip", "-n", ns));
    c.addAll(List.of(args));
    return Host.run(c, Map.of(), null, Host.SHORT).orThrow().out();
  }

  /** {@code bin/calicoctl ARGS} inside this node's namespace (what {@code calicoctl node status} needs). */
  public Host.Result calicoctl(String stdin, String... args) {
    List<String> c = new ArrayList<>(List.of(Cluster.ROOT.resolve("bin/calicoctl").toString()));
    c.addAll(List.of(args));
    return Host.run(Host.nsCommand(ns, cluster.calicoctlEnv(), c), Map.of(), stdin, Duration.ofSeconds(120));
  }

  /** The namespace of pod {@code pod} of this node. */
  public String podNs(String pod) {
    return ns + "-" + pod;
  }

  /** Pods added so far: name to IPv4 address, in the order added. */
  public Map<String, String> pods() {
    synchronized (pods) {
      return Collections.unmodifiableMap(new LinkedHashMap<>(pods));
    }
  }

  /** The IPv4 address of pod {@code pod}, or an exception naming it. */
  public String podIp(String pod) {
    String a = pods.get(pod);
    if (a == null) {
      throw new IllegalArgumentException("node " + name + " has no pod '" + pod + "' (has " + pods.keySet() + ")");
    }
    return a;
  }

  /**
   * A pod namespace and {@code bin/calico} ADD for it through this node's agent, as a container runtime calls the
   * plugin (CNI variables in the environment, the network configuration on stdin). Returns the pod's IPv4 address.
   */
  public String addPod(String pod) {
    String podNs = podNs(pod);
    cluster.host.addNamespace(podNs);
    Host.Result r = cni("ADD", pod);
    if (!r.ok()) {
      throw new IllegalStateException("CNI ADD of " + pod + " on " + name + " failed (exit " + r.code() + "): "
          + r.text());
    }
    try {
      JsonNode result = JSON.readTree(r.out());
      String addr = result.path("ips").path(0).path("address").asText();
      if (!addr.contains("/")) {
        throw new IllegalStateException("CNI ADD of " + pod + " on " + name + " returned no address: " + r.out());
      }
      String ip4 = addr.substring(0, addr.indexOf('/'));
      pods.put(pod, ip4);
      return ip4;
    } catch (IOException e) {
      throw new IllegalStateException("CNI ADD of " + pod + " on " + name + " printed no JSON: " + r.out(), e);
    }
  }

  /** {@code bin/calico} DEL for pod {@code pod}, then its namespace goes. */
  public Host.Result deletePod(String pod) {
    Host.Result r = cni("DEL", pod);
    cluster.host.removeNamespace(podNs(pod));
    pods.remove(pod);
    return r;
  }

  private Host.Result cni(String command, String pod) {
    String container = "c-" + name + "-" + pod;
    String conf = "{\"cniVersion\":\"1.0.0\",\"name\":\"k8s-pod-network\",\"type\":\"calico\","
        + "\"ipam\":{\"type\":\"calico-ipam\"},\"node_agent_socket\":\"" + runDir.resolve("cni.sock") + "\"}";
    Map<String, String> env = new LinkedHashMap<>();
    env.put("CALICO_NO_SETUP", "1");
    env.put("CNI_COMMAND", command);
    env.put("CNI_IFNAME", "eth0");
    env.put("CNI_PATH", "/usr/lib/cni");
    env.put("CNI_CONTAINERID", container);
    env.put("CNI_NETNS", "/var/run/netns/" + podNs(pod));
    env.put("CNI_ARGS", "IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=" + name + "-" + pod
        + ";K8S_POD_INFRA_CONTAINER_ID=" + container);
    return Host.run(List.of(Cluster.ROOT.resolve("bin/calico").toString()), env, conf, Duration.ofSeconds(120));
  }

  /** Runs {@code cmd} in pod {@code pod}'s namespace. */
  public Host.Result inPod(String pod, String... cmd) {
    return Host.inNs(podNs(pod), cmd);
  }

  /** Whether one ping from {@code pod} to {@code dst} is answered within a second. */
  public boolean ping(String pod, String dst) {
    return Host.inNs(podNs(pod), Map.of(), null, Duration.ofSeconds(10), "ping", "-c", "1", "-W", "1", dst).ok();
  }

  /** Whether a ping from {@code pod} to {@code dst} is answered within {@code timeout} (one probe a second). */
  public boolean pingWithin(String pod, String dst, Duration timeout) {
    return Host.poll(timeout, () -> ping(pod, dst));
  }

  @Override
  public String toString() {
    return name + " (" + ip + ", subnet " + subnet + ")";
  }
}
