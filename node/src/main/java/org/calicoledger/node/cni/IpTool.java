package org.calicoledger.node.cni;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.calicoledger.cni.CniException;
import org.calicoledger.felix.kernel.HostCommands;

/**
 * Runs iproute2's {@code ip -batch -} (one process for many commands) in this process's network namespace (the
 * node's) or, through {@code nsenter --net=PATH}, in a pod's; a shell script may run first in the pod's namespace
 * (for its sysctls, which only a process inside can write). Every run is bounded by {@link #TIMEOUT_SECONDS}.
 * {@code ip -batch} stops at the first failing command: callers order commands so that stopping early leaves nothing
 * they cannot remove.
 */
final class IpTool {
  static final int TIMEOUT_SECONDS = 20;

  record Result(int exitCode, String out, String err) {
    boolean ok() {
      return exitCode == 0;
    }
  }

  /** Runs {@code commands} in the node's namespace; throws code 101 with the tool's message if one fails. */
  Result host(List<String> commands, boolean json) {
    return check(run(command(null, null, json), commands), commands);
  }

  /** Runs {@code script} (may be null) then {@code commands} inside the namespace at {@code netns}. */
  Result pod(String netns, String script, List<String> commands, boolean json) {
    return check(run(command(netns, script, json), commands), commands);
  }

  /** As {@link #pod} but returns failures instead of throwing (for removal, where "already gone" is success). */
  Result podQuietly(String netns, List<String> commands) {
    return run(command(netns, null, false), commands);
  }

  Result hostQuietly(List<String> commands) {
    return run(command(null, null, false), commands);
  }

  /** Runs shell {@code script} in the namespace at {@code netns} (null: the node's); failures are returned. */
  Result shell(String netns, String script) {
    List<String> cmd = new ArrayList<>();
    if (netns != null) {
      cmd.add("nsenter");
      cmd.add("--net=" + netns);
    }
    cmd.addAll(List.of("sh", "-c", script));
    return run(cmd, List.of());
  }

  private static List<String> command(String netns, String script, boolean json) {
    List<String> cmd = new ArrayList<>();
    if (netns != null) {
      cmd.add("nsenter");
      cmd.add("--net=" + netns);
      if (script != null) {
        cmd.addAll(List.of("sh", "-c", script + "\nexec ip " + (json ? "-j " : "") + "-batch -"));
        return cmd;
      }
    }
    cmd.add("ip");
    if (json) {
      cmd.add("-j");
    }
    cmd.add("-batch");
    cmd.add("-");
    return cmd;
  }

  private static Result run(List<String> cmd, List<String> commands) {
    Process p;
    try {
      p = new ProcessBuilder(cmd).start();
    } catch (IOException e) {
      throw new CniException(CniException.DATAPLANE_FAILURE, "cannot run " + cmd.get(0) + ": " + e.getMessage(),
          "calico-node needs iproute2's ip and util-linux's nsenter on PATH (bin/setup installs them)");
    }
    try {
      CompletableFuture<String> err = HostCommands.drain(p.getErrorStream(), "ip-output");
      CompletableFuture<String> out = HostCommands.drain(p.getInputStream(), "ip-output");
      try (OutputStream in = p.getOutputStream()) {
        in.write((String.join("\n", commands) + "\n").getBytes(StandardCharsets.UTF_8));
      } catch (IOException exitedEarly) {
        // the tool failed before reading everything: its exit code and stderr say why
      }
      if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new CniException(CniException.DATAPLANE_FAILURE, String.join(" ", cmd) + " did not finish within "
            + TIMEOUT_SECONDS + " s", String.join("; ", commands));
      }
      return new Result(p.exitValue(), out.join(), err.join());
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new CniException(CniException.TRY_AGAIN_LATER, "calico-node is shutting down", "retry the request");
    }
  }


  private static Result check(Result r, List<String> commands) {
    if (!r.ok()) {
      throw new CniException(CniException.DATAPLANE_FAILURE, "ip failed: " + r.err().strip().replace('\n', ' '),
          "commands: " + String.join("; ", commands));
    }
    return r;
  }
}
