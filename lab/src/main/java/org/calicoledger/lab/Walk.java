package org.calicoledger.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * One walk through the seed's lab on a {@link Cluster}: what the steps share. It narrates (every line goes to
 * {@code out} as it happens: what is checked, what is seen), records the checks of each step ({@link Recorder}), and
 * makes the demo's changes through {@code bin/calicoctl} as {@link #actor} with a reason, remembering them for the
 * history step.
 */
public final class Walk {
  public static final String POOL = "default-ipv4-ippool";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A change the walk made: resource and the reason it gave. */
  public record Change(String kind, String name, String reason) {}

  public final Cluster cluster;
  public final String actor;
  public final Instant started = Instant.now();
  private final Consumer<String> out;
  private final List<Change> changes = Collections.synchronizedList(new ArrayList<>());

  public Walk(Cluster cluster, String actor, Consumer<String> out) {
    this.cluster = cluster;
    this.actor = actor;
    this.out = out;
  }

  /** Prints one line of narration. */
  public void say(String line) {
    out.accept(line);
  }

  /** Prints {@code text} under {@code label}, indented, so command output stands apart from the narration. */
  public void show(String label, String text) {
    out.accept("    " + label + ":");
    String body = text.strip();
    if (body.isEmpty()) {
      out.accept("      (nothing)");
      return;
    }
    body.lines().forEach(l -> out.accept("      " + l));
  }

  /** Starts recording step {@code n}. */
  public Recorder step(int n, String title) {
    say("");
    say("== Step " + n + ": " + title);
    return new Recorder(n, title);
  }

  /** The checks of one step, printed as they are made. */
  public final class Recorder {
    private final int step;
    private final String title;
    private final List<Check> checks = new ArrayList<>();
    private final long t0 = System.nanoTime();

    Recorder(int step, String title) {
      this.step = step;
      this.title = title;
    }

    /** Records a check; {@code evidence} is what was seen (one line is best; more is kept). Returns {@code ok}. */
    public boolean check(String what, boolean ok, String evidence) {
      String ev = evidence == null ? "" : evidence.strip();
      checks.add(new Check(step, what, ok, ev));
      say("  [" + (ok ? "PASS" : "FAIL") + "] " + what + (ev.isEmpty() ? "" : " -- " + firstLines(ev, 3)));
      return ok;
    }

    public StepResult done() {
      return new StepResult(step, title, checks, (System.nanoTime() - t0) / 1_000_000);
    }
  }

  private static String firstLines(String s, int n) {
    List<String> l = s.lines().toList();
    return l.size() <= n ? String.join(" | ", l) : String.join(" | ", l.subList(0, n)) + " | ...";
  }

  /** {@code calicoctl patch KIND NAME -p JSON --reason REASON} as the walk's actor; recorded as a change. */
  public Host.Result patch(String kind, String name, String json, String reason) {
    return calicoctl(null, kind, name, reason, "patch", kind, name, "-p", json);
  }

  /**
   * {@code calicoctl ARGS --reason REASON} (with {@code stdin}) as the walk's actor, printed (arguments with other
   * characters than {@code [\w./:=,-]} in single quotes); recorded as a change of {@code kind}/{@code name} when it
   * succeeds, what it said otherwise.
   */
  public Host.Result calicoctl(String stdin, String kind, String name, String reason, String... args) {
    List<String> cmd = new ArrayList<>(List.of(args));
    cmd.add("--reason");
    cmd.add(reason);
    say("  $ calicoctl " + cmd.stream().map(a -> a.matches("[\\w./:=,-]+") ? a : "'" + a + "'")
        .collect(Collectors.joining(" ")) + (stdin == null ? "" : " (stdin: the document above)"));
    Host.Result r = cluster.calicoctlWith(Map.of("CALICO_ACTOR", actor), stdin, cmd.toArray(String[]::new));
    if (r.ok()) {
      changes.add(new Change(kind, name, reason));
    } else {
      say("    failed: " + r.text());
    }
    return r;
  }

  /**
   * Runs the seed's {@code get -o yaml | sed | apply -f -} pipeline on the default pool through bash, as the walk's
   * actor: {@code sedExpr} edits the YAML. Recorded as a change of the pool.
   */
  public Host.Result poolPipeline(String sedExpr, String reason) {
    String script = "bin/calicoctl get ippool " + POOL + " -o yaml | sed -e '" + sedExpr
        + "' | bin/calicoctl apply -f - --reason '" + reason + "'";
    say("  $ " + script);
    Host.Result r = cluster.shell(Map.of("CALICO_ACTOR", actor), script);
    if (r.ok()) {
      changes.add(new Change("ippool", POOL, reason));
      say("    " + r.out().strip());
    } else {
      say("    failed: " + r.text());
    }
    return r;
  }

  /** Records a change made through another path (e.g. {@code calicoctl apply}) for the history step. */
  public void record(Change c) {
    changes.add(c);
  }

  /** The changes made so far, in order. */
  public List<Change> changes() {
    synchronized (changes) {
      return List.copyOf(changes);
    }
  }

  /** The default pool as JSON ({@code calicoctl get ippool ... -o json}). */
  public JsonNode pool() {
    Host.Result r = cluster.calicoctl(null, "get", "ippool", POOL, "-o", "json").orThrow();
    try {
      return JSON.readTree(r.out());
    } catch (IOException e) {
      throw new IllegalStateException("calicoctl get ippool printed no JSON: " + r.out(), e);
    }
  }

  /** {@code ip route get DST} on {@code node}: the route the kernel picks (first line). */
  public static String routeGet(Node node, String dst) {
    Host.Result r = node.exec("ip", "route", "get", dst);
    return r.ok() ? r.out().lines().findFirst().orElse("").strip().replaceAll("\\s+", " ") : r.text();
  }

  /** {@code node}'s routes except its local pods' ({@code dev cali...}): routes to other nodes and the defaults. */
  public static String routes(Node node) {
    return node.ip("route", "show").lines().filter(l -> !l.contains(" dev cali"))
        .map(l -> l.strip().replaceAll("\\s+", " ")).collect(Collectors.joining("\n"));
  }

  /** Waits up to {@code timeout} for {@code node}'s route to {@code dst} to contain {@code part}; returns whether it did. */
  public static boolean awaitRoute(Node node, String dst, String part, Duration timeout) {
    return Host.poll(timeout, () -> routeGet(node, dst).contains(part));
  }

  /** Whether {@code count} pings from {@code pod} on {@code from} to {@code dst} all go unanswered. */
  public static boolean allPingsFail(Node from, String pod, String dst, int count) {
    for (int i = 0; i < count; i++) {
      if (from.ping(pod, dst)) {
        return false;
      }
    }
    return true;
  }

  /** "node-1/pod-1 (192.168.x.y)". */
  public static String label(Node n, String pod) {
    return n.name + "/" + pod + " (" + n.podIp(pod) + ")";
  }
}
