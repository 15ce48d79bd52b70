package org.calicoledger.bench;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * CNI ADD and DEL latency of {@code bin/calico} (a whole process, as a runtime runs it: JVM start, the request to the
 * calico-node agent, IPAM in etcd, veth, routes, the WorkloadEndpoint) against Debian's reference {@code bridge} +
 * {@code host-local} plugins (a Go binary; host-local keeps its state in files), one pod each, runs alternating.
 *
 * <p>Everything happens in namespaces this benchmark creates and deletes: {@code cnib-<pid>-node} holds etcd and the
 * agent (its uplink and default route stay inside it), {@code -pod} the pod; the reference's bridge lives in
 * {@code -refhost}, its pod in {@code -refpod}. The reference runs through {@code nsenter} into {@code -refhost}
 * (its bridge must not go into the host's namespace); what nsenter adds (the median of {@code nsenter true} minus
 * that of {@code true}, both spawned the same way) is subtracted.
 */
final class CniBench implements Benchmark {
  private static final int WARMUP = 30;
  private static final int RUNS = 60;
  private static final String CALICO_CONF = "{\"cniVersion\":\"1.0.0\",\"name\":\"k8s-pod-network\","
      + "\"type\":\"calico\",\"ipam\":{\"type\":\"calico-ipam\"},\"node_agent_socket\":\"%s\"}";
  private static final String BRIDGE_CONF = "{\"cniVersion\":\"1.0.0\",\"name\":\"refnet\",\"type\":\"bridge\","
      + "\"bridge\":\"cnibr0\",\"isGateway\":true,\"ipMasq\":false,\"ipam\":{\"type\":\"host-local\","
      + "\"subnet\":\"10.88.0.0/16\",\"dataDir\":\"%s\"}}";

  private final String id = "cnib-" + ProcessHandle.current().pid();
  private final List<String> namespaces = new ArrayList<>();
  private final List<Process> processes = new ArrayList<>();
  private Path dir;

  @Override
  public String name() {
    return "cni";
  }

  @Override
  public List<Row> run() throws Exception {
    Thread hook = new Thread(this::cleanup, "cni-bench-cleanup");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      return measure();
    } finally {
      cleanup();
      Runtime.getRuntime().removeShutdownHook(hook);
    }
  }

  private List<Row> measure() throws Exception {
    dir = Files.createTempDirectory(id + "-");
    String node = netns("node");
    Sh.run("ip", "-n", node, "link", "set", "lo", "up");
    Sh.run("ip", "-n", node, "link", "add", "eth0", "type", "veth", "peer", "name", "uplink0");
    Sh.run("ip", "-n", node, "addr", "add", "10.99.0.1/24", "dev", "eth0");
    Sh.run("ip", "-n", node, "link", "set", "eth0", "up");
    Sh.run("ip", "-n", node, "link", "set", "uplink0", "up");
    Sh.run("ip", "-n", node, "route", "add", "default", "via", "10.99.0.254", "dev", "eth0");
    start(dir.resolve("etcd.log"), "ip", "netns", "exec", node, "etcd", "--name", "b", "--data-dir",
        dir.resolve("etcd").toString(), "--listen-client-urls", "http://127.0.0.1:2379", "--advertise-client-urls",
        "http://127.0.0.1:2379", "--listen-peer-urls", "http://127.0.0.1:2380", "--initial-advertise-peer-urls",
        "http://127.0.0.1:2380", "--initial-cluster", "b=http://127.0.0.1:2380");
    Path log = dir.resolve("calico-node.log");
    Path socket = dir.resolve("run/cni.sock");
    start(log, "ip", "netns", "exec", node, "env", "CALICO_NO_SETUP=1", "NODENAME=bench-node",
        "ETCD_ENDPOINTS=http://127.0.0.1:2379", "CALICO_RUN_DIR=" + dir.resolve("run"),
        "CALICO_IPV4POOL_CIDR=10.244.0.0/16", Launchers.ROOT.resolve("bin/calico-node").toString());
    awaitReady(log);
    String pod = "/var/run/netns/" + netns("pod");
    String refHost = "/var/run/netns/" + netns("refhost");
    String refPod = "/var/run/netns/" + netns("refpod");
    String calicoConf = String.format(CALICO_CONF, socket);
    String bridgeConf = String.format(BRIDGE_CONF, dir.resolve("host-local"));
    List<String> calico = List.of(Launchers.ROOT.resolve("bin/calico").toString());
    List<String> bridge = List.of("nsenter", "--net=" + refHost, "/usr/lib/cni/bridge");
    List<String> nsenterTrue = List.of("nsenter", "--net=" + refHost, "true");
    List<String> plainTrue = List.of("true");
    Map<String, String> podArgs = Map.of("CNI_ARGS", "K8S_POD_NAMESPACE=default;K8S_POD_NAME=bench-0");

    List<Double> ourAdd = new ArrayList<>();
    List<Double> ourDel = new ArrayList<>();
    List<Double> refAdd = new ArrayList<>();
    List<Double> refDel = new ArrayList<>();
    List<Double> nsenter = new ArrayList<>();
    List<Double> spawn = new ArrayList<>();
    double[] agentBefore = null;
    for (int i = 0; i < WARMUP + RUNS; i++) {
      boolean keep = i >= WARMUP;
      if (i == WARMUP) {
        agentBefore = agentTotals(node);
      }
      double a = cni(calico, "ADD", "bench-c", pod, podArgs, calicoConf);
      double d = cni(calico, "DEL", "bench-c", pod, podArgs, calicoConf);
      double ra = cni(bridge, "ADD", "ref-c", refPod, Map.of(), bridgeConf);
      double rd = cni(bridge, "DEL", "ref-c", refPod, Map.of(), bridgeConf);
      double n = cni(nsenterTrue, "VERSION", "x", refPod, Map.of(), "");
      double t = cni(plainTrue, "VERSION", "x", refPod, Map.of(), "");
      if (keep) {
        ourAdd.add(a);
        ourDel.add(d);
        refAdd.add(ra);
        refDel.add(rd);
        nsenter.add(n);
        spawn.add(t);
      }
    }
    double[] agentAfter = agentTotals(node);
    double agentAdd = (agentAfter[0] - agentBefore[0]) / (agentAfter[1] - agentBefore[1]) * 1000;
    double agentDel = (agentAfter[2] - agentBefore[2]) / (agentAfter[3] - agentBefore[3]) * 1000;
    double base = Math.max(0, Stats.median(nsenter) - Stats.median(spawn));
    List<Double> refAddNet = refAdd.stream().map(x -> Math.max(0.1, x - base)).toList();
    List<Double> refDelNet = refDel.stream().map(x -> Math.max(0.1, x - base)).toList();
    return List.of(
        // the reference needs no datastore round trip and no JVM (one starts in about 95 ms here): 8x is the goal
        Row.of("cni ADD p50: bin/calico (agent, etcd IPAM + endpoint) vs bridge + host-local, ms",
            Stats.median(ourAdd), Stats.median(refAddNet), "ms", Row.Goal.ratioAtMost(8)),
        Row.of("cni ADD p99: bin/calico vs bridge + host-local, ms", Stats.percentile(ourAdd, 0.99),
            Stats.percentile(refAddNet, 0.99), "ms", Row.Goal.none()),
        Row.of("cni DEL p50: bin/calico vs bridge + host-local, ms", Stats.median(ourDel), Stats.median(refDelNet),
            "ms", Row.Goal.none()),
        Row.of("cni DEL p99: bin/calico vs bridge + host-local, ms", Stats.percentile(ourDel, 0.99),
            Stats.percentile(refDelNet, 0.99), "ms", Row.Goal.none()),
        // where bin/calico's time goes: the rest is the plugin process (JVM start, socket, JSON)
        Row.of("cni ADD: the agent's own time (mean of the measured runs, its /metrics), ms", agentAdd, Double.NaN,
            "ms", Row.Goal.none()),
        Row.of("cni DEL: the agent's own time (mean of the measured runs, its /metrics), ms", agentDel, Double.NaN,
            "ms", Row.Goal.none()));
  }

  /** The agent's request-duration sums (s) and counts for the calico plugin: ADD sum, ADD count, DEL sum, DEL count. */
  private static double[] agentTotals(String node) throws IOException, InterruptedException {
    String metrics = output("ip", "netns", "exec", node, "bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/9099 &&"
        + " printf 'GET /metrics HTTP/1.0\\r\\n\\r\\n' >&3 && cat <&3");
    double[] out = new double[4];
    for (String line : metrics.split("\n")) {
      if (!line.contains("plugin=\"calico\"")) {
        continue;
      }
      int at = (line.contains("command=\"ADD\"") ? 0 : line.contains("command=\"DEL\"") ? 2 : -1)
          + (line.startsWith("calico_cni_request_duration_seconds_sum") ? 0
              : line.startsWith("calico_cni_request_duration_seconds_count") ? 1 : -10);
      if (at >= 0) {
        out[at] = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1).strip());
      }
    }
    return out;
  }

  private static String output(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor(30, TimeUnit.SECONDS);
    return out;
  }

  /** Runs one plugin command as a runtime does; returns its wall time in ms; fails on a non-zero exit. */
  private double cni(List<String> plugin, String command, String container, String netns, Map<String, String> extra,
      String conf) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(plugin).redirectErrorStream(true);
    Map<String, String> env = pb.environment();
    env.put("CALICO_NO_SETUP", "1");
    env.put("CNI_COMMAND", command);
    env.put("CNI_CONTAINERID", container);
    env.put("CNI_NETNS", netns);
    env.put("CNI_IFNAME", "eth0");
    env.put("CNI_PATH", "/usr/lib/cni");
    env.putAll(extra);
    long t0 = System.nanoTime();
    Process p = pb.start();
    try (var in = p.getOutputStream()) {
      in.write(conf.getBytes(StandardCharsets.UTF_8));
    }
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", plugin) + " " + command + " failed: "
          + new String(out, StandardCharsets.UTF_8));
    }
    return (System.nanoTime() - t0) / 1e6;
  }

  private String netns(String role) throws IOException, InterruptedException {
    String ns = id + "-" + role;
    Sh.run("ip", "netns", "add", ns);
    namespaces.add(ns);
    return ns;
  }

  private void start(Path log, String... cmd) throws IOException {
    File f = log.toFile();
    processes.add(new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(f).start());
  }

  private void awaitReady(Path log) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (System.nanoTime() < deadline) {
      String text = Files.exists(log) ? Files.readString(log) : "";
      if (text.contains(" is ready")) {
        return;
      }
      if (processes.stream().anyMatch(p -> !p.isAlive())) {
        throw new IllegalStateException("calico-node or etcd exited:\n" + text);
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("calico-node did not become ready:\n" + Files.readString(log));
  }

  private synchronized void cleanup() {
    for (Process p : processes) {
      p.destroyForcibly();
      try {
        p.waitFor(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    processes.clear();
    for (int i = namespaces.size() - 1; i >= 0; i--) {
      try {
        Sh.run("ip", "netns", "del", namespaces.get(i));
      } catch (IOException | InterruptedException | IllegalStateException e) {
        System.err.println("bench cni: cannot delete namespace " + namespaces.get(i) + ": " + e.getMessage());
      }
    }
    namespaces.clear();
    if (dir != null && Files.exists(dir)) {
      try (Stream<Path> walk = Files.walk(dir)) {
        walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException ignored) {
        // best effort
      }
    }
  }
}
