package org.calicoledger.hooks;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.calicoledger.model.GoDuration;
import org.calicoledger.model.Hook;

/**
 * Runs a command once per attempt, without a shell: the event JSON on its stdin, the event's key facts in its
 * environment ({@link HookEvent#environment}), stdout and stderr merged and kept (the last {@value #TAIL} bytes) for
 * the error message. Success is exit status 0 within the timeout. On timeout, or when the worker is interrupted, the
 * command and every process it started are killed, so no attempt outlives its hook.
 */
record ExecAction(List<String> command, Duration timeout) implements Action {
  private static final int TAIL = 2000;
  /** Feeds stdin and drains stdout so a chatty or non-reading command never blocks on a full pipe. */
  private static final ExecutorService PIPES = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "hook-exec-pipe");
    t.setDaemon(true);
    return t;
  });

  ExecAction {
    command = List.copyOf(command);
  }

  static ExecAction of(Hook.Exec e) {
    List<String> cmd = new ArrayList<>();
    cmd.add(e.command());
    if (e.args() != null) {
      cmd.addAll(e.args());
    }
    return new ExecAction(cmd, GoDuration.parse(e.timeout()));
  }

  @Override
  public String describe() {
    return "exec " + String.join(" ", command);
  }

  @Override
  public void deliver(String hook, HookEvent event, int attempt) throws DeliveryException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().putAll(event.environment(hook, attempt));
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new DeliveryException("cannot run " + command.get(0) + ": " + e.getMessage(), e);
    }
    byte[] body = event.body(hook);
    PIPES.submit(() -> {
      try (OutputStream in = p.getOutputStream()) {
        in.write(body);
      } catch (IOException ignored) {
        // the command exited or closed its stdin without reading: its exit status decides
      }
    });
    Future<String> output = PIPES.submit(() -> tail(p.getInputStream()));
    boolean exited = false;
    try {
      exited = p.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } finally {
      if (!exited) {
        kill(p); // timed out, or this worker was stopped
      }
    }
    if (!exited) {
      throw new DeliveryException("timed out after " + human(timeout) + " (the command and the processes it"
          + " started were killed)" + shown(output));
    }
    if (p.exitValue() != 0) {
      throw new DeliveryException("exit status " + p.exitValue() + shown(output));
    }
  }

  private static void kill(Process p) {
    p.descendants().forEach(ProcessHandle::destroyForcibly);
    p.destroyForcibly(); // the output pipe then ends, unless an escaped daemon holds it: shown() waits 1s at most
  }

  /** {@code : <last output>} when the command printed anything, waiting briefly for the pipe to drain. */
  private static String shown(Future<String> output) {
    try {
      String s = output.get(1, TimeUnit.SECONDS).strip();
      return s.isEmpty() ? "" : ": " + s;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    } catch (ExecutionException | TimeoutException e) {
      output.cancel(true);
      return "";
    }
  }

  private static String tail(InputStream in) throws IOException {
    ByteArrayOutputStream keep = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    byte[] last = new byte[0];
    for (int n; (n = in.read(buf)) >= 0; ) {
      keep.write(buf, 0, n);
      if (keep.size() > 4 * TAIL) {
        byte[] all = keep.toByteArray();
        last = java.util.Arrays.copyOfRange(all, all.length - TAIL, all.length);
        keep.reset();
        keep.write(last);
      }
    }
    byte[] all = keep.toByteArray();
    int from = Math.max(0, all.length - TAIL);
    return (from > 0 ? "..." : "") + new String(all, from, all.length - from, StandardCharsets.UTF_8);
  }

  static String human(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
  }
}
