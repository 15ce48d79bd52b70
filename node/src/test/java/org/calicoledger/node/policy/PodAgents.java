package org.calicoledger.node.policy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One {@link PodAgent} process per pod namespace, started by the test JVM with {@code ip netns exec}: each listens on
 * TCP and UDP {@link #PORTS} and answers with its pod's name, and probes other pods on command.
 *
 * <p>Probes: {@link #tcp} and {@link #udp} return the reply that arrived within {@link #TIMEOUT_MS} (per step), or
 * null. A denied connection is dropped by Felix, so a failing probe costs about one timeout; an allowed one a few
 * milliseconds. Every probe is a new socket, so conntrack never carries an earlier verdict over.
 *
 * <p>Cleanup: {@link #close} kills every agent (also when a test failed); the agents also exit on EOF of stdin, so
 * they die with the test JVM.
 */
final class PodAgents implements AutoCloseable {
  static final int[] PORTS = {8080, 8081};
  static final int TIMEOUT_MS = 1000;

  private final Map<String, Agent> agents = new LinkedHashMap<>();
  private final List<Process> started = new ArrayList<>();

  private record Agent(String pod, Process process, Writer in, BlockingQueue<String> out) {}

  /** Starts the agent of {@code pod} in network namespace {@code netns}; returns once it listens. */
  synchronized void start(String pod, String netns) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", netns,
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:+UseSerialGC", "-Xmx48m",
        "-XX:TieredStopAtLevel=1", "-cp", classesDir(), PodAgent.class.getName(), pod));
    for (int p : PORTS) {
      cmd.add(Integer.toString(p));
    }
    Process process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    started.add(process);
    BlockingQueue<String> out = new LinkedBlockingQueue<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
          StandardCharsets.UTF_8))) {
        for (String line = r.readLine(); line != null; line = r.readLine()) {
          out.add(line);
        }
      } catch (IOException ended) {
        // the agent is gone
      }
      out.add("fail agent exited");
    }, "pod-agent-" + pod);
    reader.setDaemon(true);
    reader.start();
    Agent a = new Agent(pod, process, new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8), out);
    agents.put(pod, a);
    String first = out.poll(30, TimeUnit.SECONDS);
    if (!"ready".equals(first)) {
      throw new AssertionError("agent of pod " + pod + " in " + netns + " did not start: " + first + " "
          + String.join("\n", out));
    }
  }

  /** The reply of {@code ip}'s TCP listener on {@code port}, asked from pod {@code from}; null when none came. */
  String tcp(String from, String ip, int port) {
    return tcp(from, ip, port, TIMEOUT_MS);
  }

  /** {@link #tcp} with its own timeout (short ones for timing loops, where an unanswered probe is just retried). */
  String tcp(String from, String ip, int port, int timeoutMs) {
    return ask(from, "tcp " + ip + " " + port + " " + timeoutMs);
  }

  /** The reply of {@code ip}'s UDP listener on {@code port} to a datagram from pod {@code from}; null if none. */
  String udp(String from, String ip, int port) {
    return ask(from, "udp " + ip + " " + port + " " + TIMEOUT_MS);
  }

  private synchronized String ask(String from, String command) {
    Agent a = agents.get(from);
    if (a == null) {
      throw new IllegalArgumentException("no agent for pod " + from + "; started: " + agents.keySet());
    }
    try {
      a.in.write(command + "\n");
      a.in.flush();
      String line = a.out.poll(3L * TIMEOUT_MS + 5000, TimeUnit.MILLISECONDS);
      if (line == null || line.equals("fail agent exited")) {
        throw new AssertionError("agent of " + from + " did not answer '" + command + "' (alive: "
            + a.process.isAlive() + ")");
      }
      return line.startsWith("ok ") ? line.substring(3) : null;
    } catch (IOException e) {
      throw new AssertionError("agent of " + from + " is gone: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static String classesDir() {
    try {
      return Path.of(PodAgent.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public synchronized void close() {
    for (Agent a : agents.values()) {
      try {
        a.in.close();
      } catch (IOException ignored) {
        // killed below anyway
      }
      a.process.descendants().forEach(ProcessHandle::destroyForcibly);
      a.process.destroyForcibly();
      try {
        a.process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    agents.clear();
  }

  /** Pids of agents ever started here that still run (for the class's "nothing left" check). */
  synchronized List<Long> alive() {
    return started.stream().filter(Process::isAlive).map(Process::pid).toList();
  }
}
