package org.calicoledger.felix.kernel;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * iproute2 for Felix's reconcilers: {@code ip -force -batch -} and {@code bridge -force -batch -} (one process for
 * any number of changes, every command tried, failures reported per command) and {@code -json} reads.
 *
 * <p>Runs in this process's network namespace (calico-node's), or with {@code netns} set in that named namespace
 * ({@code ip -n}, for benchmarks and tests that drive parts from outside). Every process is bounded by
 * {@link #TIMEOUT_SECONDS}; {@link #spawns()} counts them (the hot path should spawn little). Thread-safe.
 */
public final class IpTool {
  public static final int TIMEOUT_SECONDS = 60;
  private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();
  private final String netns;
  private final AtomicLong spawns = new AtomicLong();

  /** One failed batch command: its 1-based line, the command, and the tool's message. */
  public record Failure(int line, String command, String message) {
    /** The tool said the device does not exist (it may appear later: not an error of the command). */
    public boolean missingDevice() {
      return message.contains("Cannot find device") || message.contains("does not exist");
    }
  }

  /** Thrown when a read fails or a tool cannot be run at all. */
  public static final class IpToolException extends RuntimeException {
    public IpToolException(String message) {
      super(message);
    }
  }

  public IpTool(String netns) {
    this.netns = netns;
  }

  /** The namespace name, or null for this process's. */
  public String netns() {
    return netns;
  }

  public long spawns() {
    return spawns.get();
  }

  /** Runs {@code commands} through {@code ip -force -batch -}; returns the ones that failed. */
  public List<Failure> ipBatch(List<String> commands) {
    return batch("ip", commands);
  }

  /** Runs {@code commands} through {@code bridge -force -batch -}; returns the ones that failed. */
  public List<Failure> bridgeBatch(List<String> commands) {
    return batch("bridge", commands);
  }

  /**
   * Several reads in one process ({@code ip -json -force -batch -}): per command the JSON text it printed, or null
   * when the command failed (e.g. its device does not exist).
   */
  public List<String> ipJsonBatch(List<String> commands) {
    StringBuilder in = new StringBuilder();
    commands.forEach(c -> in.append(c).append('\n'));
    Result r = run(cmd("ip", "-json", "-force", "-batch", "-"), in.toString());
    java.util.Set<Integer> failed = new java.util.HashSet<>();
    for (String line : r.err.split("\n")) {
      if (line.startsWith("Command failed -:")) {
        try {
          failed.add(Integer.parseInt(line.substring("Command failed -:".length()).trim()));
        } catch (NumberFormatException e) {
          // not ours to read
        }
      }
    }
    if (r.code != 0 && failed.isEmpty()) {
      throw new IpToolException("ip -json -batch failed (exit " + r.code + "): " + r.err.strip());
    }
    List<String> docs = new ArrayList<>();
    // one top-level array per command that printed (readValues would unwrap the first array: read value by value)
    try (com.fasterxml.jackson.core.JsonParser p = JSON.getFactory().createParser(r.out)) {
      for (com.fasterxml.jackson.databind.JsonNode n = JSON.readTree(p); n != null; n = JSON.readTree(p)) {
        docs.add(n.toString());
      }
    } catch (IOException e) {
      throw new IpToolException("ip -json -batch printed JSON that does not parse: " + e.getMessage());
    }
    List<String> out = new ArrayList<>();
    int next = 0;
    for (int i = 1; i <= commands.size(); i++) {
      out.add(failed.contains(i) || next >= docs.size() ? null : docs.get(next++));
    }
    return out;
  }

  /** {@code ip -json ARGS}: the JSON text it printed. */
  public String ipJson(String... args) {
    return read("ip", args);
  }

  /** {@code bridge -json ARGS}: the JSON text it printed. */
  public String bridgeJson(String... args) {
    return read("bridge", args);
  }

  /** Whether a link called {@code name} exists (a sysfs look-up in this namespace, no process). */
  public boolean linkExists(String name) {
    if (netns == null) {
      return Files.exists(Path.of("/sys/class/net", name));
    }
    Result r = run(cmd("ip", "link", "show", "dev", name), null);
    return r.code == 0;
  }

  /** Runs {@code sh -c script} in the namespace; returns its stderr ("" when it succeeded). */
  public String shell(String script) {
    List<String> c = new ArrayList<>();
    if (netns != null) {
      c.addAll(List.of("ip", "netns", "exec", netns));
    }
    c.addAll(List.of("sh", "-c", script));
    Result r = run(c, null);
    return r.code == 0 ? "" : r.err.isBlank() ? "exit " + r.code : r.err.strip();
  }

  private List<Failure> batch(String tool, List<String> commands) {
    Batch b = new Batch(tool);
    commands.forEach(b::add);
    return b.finish();
  }

  /** A batch for {@code ip -force -batch -}, written while it is computed ({@link Batch}). */
  public Batch ipBatch() {
    return new Batch("ip");
  }

  /**
   * One {@code <tool> -force -batch -} process fed while its commands are still being computed: the process starts
   * with the first {@link #add} and runs each line as it arrives, so computing the next commands overlaps with the
   * kernel applying the previous ones (a full sync of 10,000 routes needs no second pass over them, and no text of
   * the whole batch in memory). {@link #finish} closes its input, waits for it and returns the commands that failed
   * (1-based lines, as {@link #ipBatch(List)}); a batch without commands starts no process. One thread only.
   */
  public final class Batch {
    private final String tool;
    private final List<String> commands = new ArrayList<>();
    private Process process;
    private java.io.Writer in;
    private CompletableFuture<String> out;
    private CompletableFuture<String> err;
    private boolean broken;

    private Batch(String tool) {
      this.tool = tool;
    }

    public void add(String command) {
      if (process == null) {
        start();
      }
      commands.add(command);
      if (broken) {
        return;
      }
      try {
        in.write(command);
        in.write('\n');
      } catch (IOException exited) {
        broken = true; // the tool died: its exit code and stderr say why, in finish()
      }
    }

    public int size() {
      return commands.size();
    }

    private void start() {
      List<String> command = cmd(tool, "-force", "-batch", "-");
      spawns.incrementAndGet();
      try {
        process = new ProcessBuilder(command).start();
      } catch (IOException e) {
        throw new IpToolException("cannot run " + tool + ": " + e.getMessage()
            + " (Felix needs iproute2's ip and bridge on PATH)");
      }
      err = HostCommands.drain(process.getErrorStream(), "felix-ip-output");
      out = HostCommands.drain(process.getInputStream(), "felix-ip-output");
      in = new java.io.BufferedWriter(new java.io.OutputStreamWriter(process.getOutputStream(),
          StandardCharsets.UTF_8), 1 << 16);
    }

    /** Stops the process without waiting (a caller that failed half-way; what ran is unknown). */
    public void abort() {
      if (process != null) {
        process.destroyForcibly();
      }
    }

    public List<Failure> finish() {
      if (process == null) {
        return List.of();
      }
      try {
        in.close();
      } catch (IOException exited) {
        // its exit code and stderr say why
      }
      int code;
      try {
        if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          throw new IpToolException(tool + " -batch did not finish within " + TIMEOUT_SECONDS + " s");
        }
        code = process.exitValue();
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
        throw new IpToolException("interrupted while " + tool + " ran");
      }
      out.join();
      return failures(tool, commands, code, err.join());
    }
  }

  private static List<Failure> failures(String tool, List<String> commands, int code, String stderr) {
    List<Failure> out = new ArrayList<>();
    StringBuilder msg = new StringBuilder();
    for (String line : stderr.split("\n")) {
      if (line.startsWith("Command failed -:")) {
        int n;
        try {
          n = Integer.parseInt(line.substring("Command failed -:".length()).trim());
        } catch (NumberFormatException e) {
          continue;
        }
        String c = n >= 1 && n <= commands.size() ? commands.get(n - 1) : "?";
        out.add(new Failure(n, c, msg.toString().strip()));
        msg.setLength(0);
      } else if (!line.isBlank()) {
        msg.append(line).append(' ');
      }
    }
    if (code != 0 && out.isEmpty()) {
      throw new IpToolException(tool + " -batch failed (exit " + code + "): " + stderr.strip());
    }
    return out;
  }

  private String read(String tool, String... args) {
    List<String> c = new ArrayList<>(List.of(tool, "-json"));
    if (netns != null) {
      c.add(1, netns);
      c.add(1, "-n");
    }
    c.addAll(List.of(args));
    Result r = run(c, null);
    if (r.code != 0) {
      throw new IpToolException(String.join(" ", c) + " failed (exit " + r.code + "): " + r.err.strip());
    }
    return r.out;
  }

  private List<String> cmd(String tool, String... args) {
    List<String> c = new ArrayList<>(List.of(tool));
    if (netns != null) {
      c.addAll(List.of("-n", netns));
    }
    c.addAll(List.of(args));
    return c;
  }

  private record Result(int code, String out, String err) {}

  private Result run(List<String> command, String stdin) {
    spawns.incrementAndGet();
    Process p;
    try {
      p = new ProcessBuilder(command).start();
    } catch (IOException e) {
      throw new IpToolException("cannot run " + command.get(0) + ": " + e.getMessage()
          + " (Felix needs iproute2's ip and bridge on PATH)");
    }
    CompletableFuture<String> err = HostCommands.drain(p.getErrorStream(), "felix-ip-output");
    CompletableFuture<String> out = stdin == null ? null : HostCommands.drain(p.getInputStream(), "felix-ip-output");
    try (OutputStream o = p.getOutputStream()) {
      if (stdin != null) {
        o.write(stdin.getBytes(StandardCharsets.UTF_8));
      }
    } catch (IOException exited) {
      // its exit code and stderr say why
    }
    try {
      String outText = out == null ? new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8) : null;
      if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IpToolException(String.join(" ", command) + " did not finish within " + TIMEOUT_SECONDS + " s");
      }
      return new Result(p.exitValue(), out == null ? outText : out.join(), err.join());
    } catch (IOException e) {
      throw new IpToolException("reading " + command.get(0) + "'s output: " + e.getMessage());
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IpToolException("interrupted while " + command.get(0) + " ran");
    }
  }
}
