package org.calicoledger.node.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.calicoledger.node.testing.FelixLab;
import org.calicoledger.node.testing.NodeLab;

/**
 * The pods of the policy tests on a {@link FelixLab}: each made through {@code bin/calico}, with a {@link PodAgent}
 * in its namespace, its WorkloadEndpoint's name as the CNI plugin stored it, and labels set through calicoctl.
 *
 * <p>Reachability: {@link #reaches} probes once; {@link #await} probes until the expected verdict holds, and fails
 * with evidence (what was sent and received, both nodes' filter table with counters, Felix's warnings).
 */
final class PolicyPods implements AutoCloseable {
  /** Layer-4 protocol of a probe. */
  enum Proto { TCP, UDP }

  /** One pod: its key (also what its agent answers), node, Kubernetes namespace, address and endpoint name. */
  record Pod(String key, FelixLab.Node node, String namespace, String ip, String wep) {}

  private final FelixLab lab;
  private final PodAgents agents = new PodAgents();
  private final Map<String, Pod> pods = new LinkedHashMap<>();
  private Boolean labelCommand;

  PolicyPods(FelixLab lab) {
    this.lab = lab;
  }

  /** Where a pod goes: its node and Kubernetes namespace, or namespace null for a plain CNI container. */
  record Placement(FelixLab.Node node, String namespace) {}

  /**
   * Makes the pods {@code key -> placement} through the CNI plugin, starts their agents, then gives their endpoints
   * {@code labels} (one {@code calicoctl apply} of them all, after one {@code get}).
   */
  void add(Map<String, Placement> where, Map<String, Map<String, String>> labels) throws Exception {
    Map<String, String> ips = new LinkedHashMap<>();
    for (var e : where.entrySet()) {
      FelixLab.Node node = e.getValue().node();
      ips.put(e.getKey(), node.addPod(e.getKey(), e.getValue().namespace()));
      agents.start(e.getKey(), node.podNs(e.getKey()));
    }
    JsonNode list = json(lab.calicoctl(null, "get", "workloadendpoint", "-A", "-o", "json").out());
    ObjectNode docs = NodeLab.JSON.createObjectNode().put("apiVersion", "projectcalico.org/v3").put("kind", "List");
    for (var e : where.entrySet()) {
      FelixLab.Node node = e.getValue().node();
      ObjectNode w = endpointOf(list, e.getValue().namespace(), node.name, e.getKey());
      ObjectNode meta = (ObjectNode) w.path("metadata");
      ObjectNode l = meta.has("labels") ? (ObjectNode) meta.get("labels") : meta.putObject("labels");
      labels.getOrDefault(e.getKey(), Map.of()).forEach(l::put);
      docs.withArray("items").add(w);
      pods.put(e.getKey(), new Pod(e.getKey(), node, meta.path("namespace").asText(), ips.get(e.getKey()),
          meta.path("name").asText()));
    }
    lab.calicoctl(docs.toString(), "apply", "-f", "-");
  }

  Pod get(String key) {
    Pod p = pods.get(key);
    if (p == null) {
      throw new IllegalArgumentException("no pod " + key + "; made: " + pods.keySet());
    }
    return p;
  }

  /** The WorkloadEndpoint's stored form (JSON). */
  JsonNode endpoint(String key) {
    Pod p = get(key);
    return json(lab.calicoctl(null, "get", "workloadendpoint", p.wep(), "-n", p.namespace(), "-o", "json").out());
  }

  /**
   * The endpoint {@link FelixLab.Node#addPod} made for {@code pod} on {@code node}, from a list: Kubernetes pod
   * {@code <node>-<pod>} in {@code namespace}, or (namespace null) container {@code c-<node>-<pod>}.
   */
  private static ObjectNode endpointOf(JsonNode list, String namespace, String node, String pod) {
    JsonNode items = list.isArray() ? list : list.path("items");
    for (JsonNode w : items) {
      JsonNode spec = w.path("spec");
      boolean match = namespace == null
          ? spec.path("orchestrator").asText().equals("cni") && spec.path("containerID").asText()
              .equals("c-" + node + "-" + pod)
          : spec.path("pod").asText().equals(node + "-" + pod)
              && namespace.equals(w.path("metadata").path("namespace").asText());
      if (match) {
        return (ObjectNode) w;
      }
    }
    throw new AssertionError("no WorkloadEndpoint for pod " + pod + " of node " + node + " in namespace " + namespace
        + ": " + list);
  }

  /**
   * Sets label {@code key=value} on the pod's endpoint: {@code calicoctl label} when this calicoctl has it, else a
   * {@code calicoctl patch} of {@code metadata.labels} (one command either way, so relabel timings compare).
   */
  NodeLab.Run label(String pod, String key, String value) {
    Pod p = get(pod);
    if (labelCommand == null) {
      // picocli prints the top-level usage (rc 0) for an unknown command's --help: look for it in the list
      labelCommand = lab.calicoctl(null, "--help").out().lines().anyMatch(l -> l.startsWith("  label "));
    }
    if (labelCommand) {
      return lab.calicoctl(null, "label", "workloadendpoint", p.wep(), key + "=" + value, "-n", p.namespace(),
          "--overwrite");
    }
    ObjectNode patch = NodeLab.JSON.createObjectNode();
    patch.putObject("metadata").putObject("labels").put(key, value);
    return lab.calicoctl(null, "patch", "workloadendpoint", p.wep(), "-n", p.namespace(), "-p", patch.toString());
  }

  /** Whether {@code from} gets an answer from {@code to} over {@code proto} port {@code port} (one probe). */
  boolean reaches(String from, String to, Proto proto, int port) {
    Pod dst = get(to);
    String reply = proto == Proto.TCP ? agents.tcp(from, dst.ip(), port) : agents.udp(from, dst.ip(), port);
    if (reply != null && !reply.equals(to)) {
      throw new AssertionError(from + " -> " + dst.ip() + " " + proto + " " + port + " answered by " + reply
          + ", not " + to);
    }
    return reply != null;
  }

  /**
   * When a verdict was first seen, in milliseconds after {@link #await} was called: {@code sentMs} when the first probe
   * with that verdict was sent, {@code doneMs} when it ended (an unanswered probe ends one timeout later).
   */
  record Seen(long sentMs, long doneMs) {}

  /**
   * Probes until {@code from -> to} is {@code allowed} (or not), for at most {@code seconds}. Fails with evidence.
   */
  Seen await(String from, String to, Proto proto, int port, boolean allowed, int seconds) {
    long t0 = System.nanoTime();
    long deadline = t0 + seconds * 1_000_000_000L;
    int probes = 0;
    do {
      probes++;
      long sent = System.nanoTime();
      if (reaches(from, to, proto, port) == allowed) {
        return new Seen((sent - t0) / 1_000_000, (System.nanoTime() - t0) / 1_000_000);
      }
      sleep(20); // a wrong verdict that holds must not flood the nodes with connections until the deadline
    } while (System.nanoTime() < deadline);
    throw new AssertionError(String.format("%s (%s) -> %s (%s) %s %d: expected %s, but %d probes in %d s were %s"
        + " (each probe: a new socket, reply awaited %d ms)%n%s", from, get(from).ip(), to, get(to).ip(), proto, port,
        allowed ? "an answer" : "no answer", probes, seconds, allowed ? "all unanswered" : "all answered",
        PodAgents.TIMEOUT_MS, evidence(from, to)));
  }

  /**
   * Runs {@code command} (a calicoctl call) while a second thread probes {@code from -> to} (TCP 8080, a new
   * connection every 100 ms at most, so that is the resolution) until it is answered;
   * returns when the first answered probe ended, in milliseconds after the command started, and the command's run.
   * Fails with evidence when no probe is answered within {@code seconds} of the start.
   */
  Overlap answeredDuring(Supplier<NodeLab.Run> command, String from, String to, int seconds)
      throws InterruptedException {
    AtomicLong answered = new AtomicLong(-1);
    AtomicBoolean stop = new AtomicBoolean();
    long t0 = System.nanoTime();
    Thread prober = new Thread(() -> {
      while (!stop.get() && System.nanoTime() - t0 < seconds * 1_000_000_000L) {
        if (to.equals(agents.tcp(from, get(to).ip(), 8080, 100))) {
          answered.set(System.nanoTime());
          return;
        }
        sleep(10); // a refused connection returns at once
      }
    }, "prober-" + from + "-" + to);
    prober.setDaemon(true);
    prober.start();
    NodeLab.Run run;
    try {
      run = command.get();
    } finally {
      prober.join(seconds * 1000L + 5000);
      stop.set(true);
    }
    if (answered.get() < 0) {
      throw new AssertionError(from + " -> " + to + " TCP 8080: no answer within " + seconds + " s of the command"
          + " starting\n" + evidence(from, to));
    }
    return new Overlap((answered.get() - t0) / 1_000_000, run.millis());
  }

  /** The first answer {@code answeredMs} after a command started that ran {@code commandMs}. */
  record Overlap(long answeredMs, long commandMs) {
    /** Milliseconds from the command's return to the answer; 0 when the answer came while it still ran. */
    long afterReturnMs() {
      return Math.max(0, answeredMs - commandMs);
    }
  }

  /** {@link #await} with the usual 15 s for Felix to program a change. */
  void expect(String from, String to, Proto proto, int port, boolean allowed) {
    await(from, to, proto, port, allowed, 15);
  }

  void expectTcp(String from, String to, boolean allowed) {
    expect(from, to, Proto.TCP, 8080, allowed);
  }

  /** The filter table with counters on the nodes of both pods, and their Felix's warnings. */
  String evidence(String from, String to) {
    StringBuilder b = new StringBuilder();
    for (FelixLab.Node n : new FelixLab.Node[] {get(from).node(), get(to).node()}) {
      if (b.indexOf("node " + n.name + ":") >= 0) {
        continue;
      }
      b.append("node ").append(n.name).append(": iptables-save -c -t filter\n")
          .append(n.exec("iptables-save", "-c", "-t", "filter").out())
          .append("node ").append(n.name).append(": felix warnings\n");
      List<String> warnings = n.logText().lines()
          .filter(l -> l.contains("WARNING") || l.contains("ERROR") || l.contains("SEVERE")).toList();
      warnings.subList(Math.max(0, warnings.size() - 30), warnings.size()).forEach(l -> b.append(l).append('\n'));
    }
    return b.toString();
  }

  static JsonNode json(String text) {
    try {
      return NodeLab.JSON.readTree(text);
    } catch (java.io.IOException e) {
      throw new AssertionError("not JSON: " + text, e);
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  PodAgents agents() {
    return agents;
  }

  @Override
  public void close() {
    agents.close();
  }
}
