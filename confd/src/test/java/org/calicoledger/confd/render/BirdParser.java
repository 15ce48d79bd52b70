package org.calicoledger.confd.render;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Real BIRD's parser ({@code bird -p -c FILE}) on a rendered set written into one directory. */
public final class BirdParser {
  private BirdParser() {}

  /** Writes every file of {@code cfg} into {@code dir}, returns {@code bird.cfg}'s path. */
  public static Path writeSet(RenderedConfig cfg, Path dir) throws IOException {
    Files.createDirectories(dir);
    for (String name : cfg.bodies().keySet()) {
      Files.writeString(dir.resolve(name), cfg.file(name), StandardCharsets.UTF_8);
    }
    return dir.resolve("bird.cfg");
  }

  /** {@code bird -p -c file}: exit code and output (empty on success). */
  public static Result parse(Path file) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("bird", "-p", "-c", file.toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("bird -p did not finish within 30 s");
    }
    return new Result(p.exitValue(), out);
  }

  public record Result(int code, String output) {}
}
