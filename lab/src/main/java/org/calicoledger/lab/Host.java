package org.calicoledger.lab;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * This machine as the lab uses it: commands run to completion with a timeout and captured output, long-running
 * processes with a log file, and network namespaces. An instance tracks what it made (namespaces, processes,
 * directories) so {@link #close} removes all of it: processes first (with their descendants, e.g. wireguard-go or
 * BIRD under calico-node), then every process still inside a tracked namespace, then the namespaces in reverse order
 * of creation, then the directories. {@link #close} is idempotent and safe to run from a shutdown hook.
 *
 * <p>Static methods ({@link #run}, {@link #namespaces}, {@link #killInside}, {@link #deleteNamespace}) touch nothing
 * they are not asked to; they are what cleanup of an earlier run uses.
 */
public final class Host implements AutoCloseable {
  /** Default time a short command may take. */
  public static final Duration SHORT = Duration.ofSeconds(60);

  private final Set<String> namespaces = Collections.synchronizedSet(new LinkedHashSet<>());
  private final List<Proc> processes = Collections.synchronizedList(new ArrayList<>());
  private final List<Path> dirs = Collections.synchronizedList(new ArrayList<>());

  /** Output of a finished command. {@code code} is its exit status. */
  public record Result(List<String> command, int code, String out, String err, long millis) {
    public boolean ok() {
      return code == 0;
    }

    /** stdout and stderr, stripped: what a person would see. */
    public String text() {
      return (out + err).strip();
    }

    /** This result, or an {@link IllegalStateException} naming the command, its status and output. */
    public Result orThrow() {
      if (code != 0) {
        throw new IllegalStateException(String.join(" ", command) + " failed (exit " + code + "): " + text());
      }
      return this;
    }
  }

  /** A long-running process with its log file (stdout and stderr together). */
  public static final class Proc {
    public final String name;
    public final Path log;
    private final Process process;

    Proc(String name, Path log, Process process) {
      this.name = name;
      this.log = log;
      this.process = process;
    }

    public long pid() {
      return process.pid();
    }

    public boolean alive() {
      return process.isAlive();
    }

    public Process process() {
      return process;
    }

    /** The log so far ("" while there is none). */
    public String logText() {
      return read(log);
    }

    /** SIGTERM, then SIGKILL after {@code grace}; descendants are killed too. Returns the exit status. */
    public int stop(Duration grace) {
      List<ProcessHandle> kids = process.descendants().toList();
      process.destroy();
      try {
        if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
          process.destroyForcibly();
          process.waitFor(30, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      kids.forEach(ProcessHandle::destroyForcibly);
      return process.isAlive() ? -1 : process.exitValue();
    }

    /** SIGKILL to the process and its descendants: as abrupt as a crash. */
    public void kill() {
      List<ProcessHandle> kids = process.descendants().toList();
      process.destroyForcibly();
      kids.forEach(ProcessHandle::destroyForcibly);
      try {
        process.waitFor(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Runs {@code cmd} to completion (SHORT timeout, no stdin, no extra environment). */
  public static Result run(String... cmd) {
    return run(List.of(cmd), Map.of(), null, SHORT);
  }

  /**
   * Runs {@code cmd} with {@code env} added to this JVM's environment and {@code stdin} (may be null) on its input.
   * A command still running after {@code timeout} is killed and reported as exit 124 with what it printed so far.
   */
  public static Result run(List<String> cmd, Map<String, String> env, String stdin, Duration timeout) {
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
      boolean done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (!done) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
      }
      long ms = (System.nanoTime() - t0) / 1_000_000;
      String e = err.get(10, TimeUnit.SECONDS);
      return new Result(List.copyOf(cmd), done ? p.exitValue() : 124, out.get(10, TimeUnit.SECONDS),
          done ? e : e + "\n(killed: still running after " + timeout.toSeconds() + " s)", ms);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running " + cmd, e);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("reading the output of " + cmd, e);
    }
  }

  /** {@code ip netns exec ns cmd...} with {@code env} set inside (through {@code env}), stdin, timeout. */
  public static Result inNs(String ns, Map<String, String> env, String stdin, Duration timeout, String... cmd) {
    return run(nsCommand(ns, env, List.of(cmd)), Map.of(), stdin, timeout);
  }

  /** {@code ip netns exec ns cmd...} (SHORT timeout). */
  public static Result inNs(String ns, String... cmd) {
    return inNs(ns, Map.of(), null, SHORT, cmd);
  }

  /** {@code ip netns exec ns sh -c script}, failing with the script's output when it fails. */
  public static String sh(String ns, String script) {
    return inNs(ns, "sh", "-c", script).orThrow().out();
  }

  /** The command line that runs {@code cmd} in {@code ns} with {@code env} (through {@code env(1)}). */
  public static List<String> nsCommand(String ns, Map<String, String> env, List<String> cmd) {
    List<String> c = new ArrayList<>(List.of("ip", "netns", "exec", ns));
    if (!env.isEmpty()) {
      c.add("env");
      env.forEach((k, v) -> c.add(k + "=" + v));
    }
    c.addAll(cmd);
    return c;
  }

  /**
   * Starts {@code cmd} (with {@code env} added) in the background, stdout and stderr appended to {@code log}; the
   * process is tracked and killed by {@link #close}.
   */
  public Proc spawn(String name, List<String> cmd, Map<String, String> env, Path log) {
    try {
      Files.createDirectories(log.getParent());
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).redirectInput(ProcessBuilder.Redirect.PIPE);
      pb.environment().putAll(env);
      Proc p = new Proc(name, log, pb.start());
      p.process.getOutputStream().close(); // no stdin: a child that reads it sees end of file
      processes.add(p);
      return p;
    } catch (IOException e) {
      throw new UncheckedIOException("starting " + name + ": " + cmd, e);
    }
  }

  /** The processes this host started that are still alive. */
  public List<Proc> processes() {
    synchronized (processes) {
      return processes.stream().filter(Proc::alive).toList();
    }
  }

  /** Creates network namespace {@code ns} with loopback up; tracked for {@link #close}. */
  public void addNamespace(String ns) {
    run("ip", "netns", "add", ns).orThrow();
    namespaces.add(ns);
    run("ip", "-n", ns, "link", "set", "lo", "up").orThrow();
  }

  /** Kills what runs inside {@code ns} and deletes it (no error when it is gone); it is no longer tracked. */
  public void removeNamespace(String ns) {
    killInside(ns);
    deleteNamespace(ns);
    namespaces.remove(ns);
  }

  /** The namespaces this host created and has not removed, oldest first. */
  public List<String> namespacesMade() {
    synchronized (namespaces) {
      return List.copyOf(namespaces);
    }
  }

  /** A directory removed by {@link #close}. */
  public Path tempDir(String prefix) {
    try {
      Path d = Files.createTempDirectory(prefix);
      dirs.add(d);
      return d;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Tracks {@code dir} (which may not exist yet) for removal by {@link #close}. */
  public void ownDir(Path dir) {
    dirs.add(dir);
  }

  /** Every network namespace on this machine. */
  public static List<String> namespaces() {
    return run("ip", "netns", "list").out().lines().map(l -> l.split(" ")[0]).filter(l -> !l.isBlank()).toList();
  }

  /** SIGKILL to every process in namespace {@code ns} (those {@code ip netns pids} lists), and waits for them. */
  public static void killInside(String ns) {
    List<ProcessHandle> victims = run("ip", "netns", "pids", ns).out().lines().map(String::strip)
        .filter(l -> !l.isEmpty()).map(l -> ProcessHandle.of(Long.parseLong(l))).flatMap(java.util.Optional::stream)
        .toList();
    victims.forEach(ProcessHandle::destroyForcibly);
    poll(Duration.ofSeconds(10), () -> victims.stream().noneMatch(h -> running(h.pid())));
  }

  /**
   * Whether process {@code pid} exists and is not a zombie (a killed process whose parent, e.g. init after the
   * process that started it exited, has not reaped it yet: it holds nothing but its pid).
   */
  public static boolean running(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      int end = stat.lastIndexOf(')');
      return end > 0 && end + 2 < stat.length() && stat.charAt(end + 2) != 'Z';
    } catch (IOException e) {
      return false;
    }
  }

  /** {@code ip netns del ns}; no error when it does not exist. */
  public static void deleteNamespace(String ns) {
    run("ip", "netns", "del", ns);
  }

  /** Removes {@code dir} and everything under it (no error when it is gone). */
  public static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException ignored) {
      // best effort: a file that could not be removed stays
    }
  }

  /**
   * Polls {@code condition} every 200 ms until it holds; an {@link IllegalStateException} naming {@code what}
   * after {@code timeout}. A condition may throw to give up early.
   */
  public static void await(Duration timeout, String what, BooleanSupplier condition) {
    if (!poll(timeout, condition)) {
      throw new IllegalStateException("timed out after " + timeout.toSeconds() + " s waiting for " + what);
    }
  }

  /** As {@link #await}, returning whether the condition held in time instead of throwing. */
  public static boolean poll(Duration timeout, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      if (condition.getAsBoolean()) {
        return true;
      }
      if (System.nanoTime() > deadline) {
        return false;
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
  }

  /** A file's text, or "" when it cannot be read. */
  public static String read(Path p) {
    try {
      return Files.exists(p) ? Files.readString(p) : "";
    } catch (IOException e) {
      return "";
    }
  }

  /** Forgets everything tracked without removing it (what {@code bin/demo --keep} leaves running). */
  public void detach() {
    processes.clear();
    namespaces.clear();
    dirs.clear();
  }

  @Override
  public synchronized void close() {
    List<Proc> procs;
    synchronized (processes) {
      procs = new ArrayList<>(processes);
      processes.clear();
    }
    procs.parallelStream().filter(Proc::alive).forEach(p -> p.stop(Duration.ofSeconds(5)));
    List<String> nss = new ArrayList<>(namespacesMade());
    Collections.reverse(nss); // pods before their node, nodes before the fabric
    for (String ns : nss) {
      killInside(ns);
      deleteNamespace(ns);
      namespaces.remove(ns);
    }
    List<Path> ds;
    synchronized (dirs) {
      ds = new ArrayList<>(dirs);
      dirs.clear();
    }
    ds.forEach(Host::deleteTree);
  }

  /** Reads a stream on a thread of its own (many commands may run at once; the common pool is small here). */
  private static CompletableFuture<String> drain(InputStream s) {
    CompletableFuture<String> f = new CompletableFuture<>();
    Thread t = new Thread(() -> {
      try (s) {
        f.complete(new String(s.readAllBytes(), StandardCharsets.UTF_8));
      } catch (IOException e) {
        f.complete("");
      }
    }, "host-output");
    t.setDaemon(true);
    t.start();
    return f;
  }
}
