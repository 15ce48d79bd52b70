package org.calicoledger.confd.bird;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code birdc} against one BIRD control socket: {@code configure} (re-read the configuration: changed protocols are
 * reconfigured or restarted, unchanged ones keep their sessions) and {@code show protocols}.
 */
public final class BirdControl {
  private final String birdc;
  private final Path socket;

  public BirdControl(String birdc, Path socket) {
    this.birdc = birdc;
    this.socket = socket;
  }

  public Path socket() {
    return socket;
  }

  /** Output of one birdc command. */
  public record Reply(int code, String text) {}

  public Reply run(String... command) throws IOException, InterruptedException {
    List<String> cmd = new java.util.ArrayList<>(List.of(birdc, "-s", socket.toString()));
    cmd.addAll(List.of(command));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException(String.join(" ", cmd) + " did not finish within 30 s");
    }
    return new Reply(p.exitValue(), out);
  }

  /**
   * {@code birdc configure}; returns BIRD's answer. Throws when BIRD refused the configuration (it then keeps running
   * the previous one) or cannot be reached.
   */
  public String configure() throws IOException, InterruptedException {
    Reply r = run("configure");
    if (r.code() != 0 || !(r.text().contains("Reconfigured") || r.text().contains("Reconfiguration in progress")
        || r.text().contains("Reconfiguration already in progress"))) {
      throw new IOException("birdc configure failed (" + r.code() + "): " + r.text().strip());
    }
    return r.text();
  }

  /** {@code birdc show protocols}, parsed. */
  public List<BirdProtocols.Row> showProtocols() throws IOException, InterruptedException {
    Reply r = run("show", "protocols");
    if (r.code() != 0) {
      throw new IOException("birdc show protocols failed (" + r.code() + "): " + r.text().strip());
    }
    return BirdProtocols.parse(r.text());
  }
}
