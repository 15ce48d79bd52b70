package org.calicoledger.felix.kernel;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs the kernel's command-line tools ({@code ipset}, {@code iptables-restore}, {@code wg}, ...) for the
 * iptables, ipsets and WireGuard parts, in this process's network namespace ({@link #LOCAL}: calico-node runs inside
 * the node's namespace) or behind a prefix such as {@code ip netns exec NS} (tests, benchmarks).
 *
 * <p>Every run is bounded by {@link #TIMEOUT_SECONDS}; output streams are drained on threads of their own so a tool
 * that writes much (an {@code iptables-save} of 20,000 chains) never blocks on a full pipe.
 */
public class HostCommands {
  public static final int TIMEOUT_SECONDS = 60;
  public static final HostCommands LOCAL = new HostCommands(List.of());

  private final List<String> prefix;

  /** Output of a finished command. */
  public record Result(int code, String out, String err) {
    public boolean ok() {
      return code == 0;
    }
  }

  public HostCommands(List<String> prefix) {
    this.prefix = List.copyOf(prefix);
  }

  /** Commands run inside network namespace {@code ns} through {@code ip netns exec}. */
  public static HostCommands inNamespace(String ns) {
    return new HostCommands(List.of("ip", "netns", "exec", ns));
  }

  /** The words put before every command (empty for {@link #LOCAL}). */
  public List<String> prefix() {
    return prefix;
  }

  /** Runs {@code args} with {@code stdin} (may be null); failures are returned, not thrown. */
  public Result run(String stdin, String... args) {
    List<String> cmd = new ArrayList<>(prefix);
    cmd.addAll(List.of(args));
    Process p;
    try {
      p = new ProcessBuilder(cmd).start();
    } catch (IOException e) {
      throw new KernelCommandException("cannot run " + args[0] + ": " + e.getMessage()
          + " (bin/setup installs iptables, ipset, wireguard-tools and wireguard-go)");
    }
    try {
      CompletableFuture<String> err = drain(p.getErrorStream(), "felix-tool-output");
      CompletableFuture<String> out = drain(p.getInputStream(), "felix-tool-output");
      try (OutputStream in = p.getOutputStream()) {
        if (stdin != null) {
          in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
      } catch (IOException exitedEarly) {
        // the tool failed before reading everything: its exit code and stderr say why
      }
      if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new KernelCommandException(String.join(" ", cmd) + " did not finish within " + TIMEOUT_SECONDS + " s");
      }
      return new Result(p.exitValue(), out.join(), err.join());
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new KernelCommandException(String.join(" ", cmd) + " interrupted (Felix is stopping)");
    }
  }

  /** As {@link #run} but throws with the tool's message (and the head of its input) when it fails. */
  public Result must(String stdin, String... args) {
    return must(stdin, true, args);
  }

  /** As {@link #must} but never puts the input into the message (it holds a secret, e.g. a private key). */
  public Result mustSecret(String stdin, String... args) {
    return must(stdin, false, args);
  }

  private Result must(String stdin, boolean showInput, String... args) {
    Result r = run(stdin, args);
    if (!r.ok()) {
      throw new KernelCommandException(String.join(" ", args) + " failed with exit code " + r.code() + ": "
          + r.err().strip() + (stdin == null || !showInput ? "" : "\ninput was:\n" + head(stdin)));
    }
    return r;
  }

  /** Starts a long-running process (e.g. {@code wireguard-go -f}) with extra environment {@code env}. */
  public Process start(Map<String, String> env, java.io.File log, String... args) throws IOException {
    List<String> cmd = new ArrayList<>(prefix);
    if (!env.isEmpty()) {
      cmd.add("env");
      env.forEach((k, v) -> cmd.add(k + "=" + v));
    }
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log))
        .start();
  }

  private static String head(String s) {
    String[] lines = s.split("\n", 41);
    return lines.length <= 40 ? s : String.join("\n", List.of(lines).subList(0, 40)) + "\n...";
  }

  /**
   * Reads {@code s} to its end on a daemon thread of its own, named {@code thread} (never a shared pool: callers block
   * on the result, and a tool that writes much must never stall on a full pipe); an I/O error reads as "". Shared by
   * every part that runs a tool ({@link IpTool}, calico-node's CNI agent).
   */
  public static CompletableFuture<String> drain(InputStream s, String thread) {
    CompletableFuture<String> f = new CompletableFuture<>();
    Thread t = new Thread(() -> {
      try (s) {
        f.complete(new String(s.readAllBytes(), StandardCharsets.UTF_8));
      } catch (IOException e) {
        f.complete("");
      }
    }, thread);
    t.setDaemon(true);
    t.start();
    return f;
  }
}
