package org.calicoledger.confd.write;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.calicoledger.confd.render.RenderedConfig;

/**
 * Writes rendered files into the confd directory ({@code CALICO_CONFD_DIR}) so that a reader (BIRD on
 * {@code configure}) only ever sees a whole old or a whole new file, and only when the content changed.
 *
 * <p>Rules:
 * <ul>
 *   <li>A file is rewritten only when its text differs from the file on disk other than in the header's revision line
 *       ({@link RenderedConfig#withoutRevision}); so a render at a new revision that changes nothing writes nothing.
 *   <li>Each write goes to {@code .<name>.tmp} in the same directory, then an atomic rename over the old file.
 *       (No fsync: after a power loss confd renders again from the change log at start.)
 *   <li>When any file changed, the whole set as now on disk is copied to {@code history/<revision>/}; only the
 *       {@link #DEFAULT_HISTORY} (or the configured number of) highest revisions are kept there, for audit.
 *   <li>Single writer: one instance per directory, called from one thread at a time.
 * </ul>
 */
public final class ConfigWriter {
  public static final int DEFAULT_HISTORY = 10;
  private final Path dir;
  private final int keep;

  public ConfigWriter(Path dir, int keep) {
    if (keep < 1) {
      throw new IllegalArgumentException("history to keep must be at least 1, got " + keep);
    }
    this.dir = dir;
    this.keep = keep;
  }

  public ConfigWriter(Path dir) {
    this(dir, DEFAULT_HISTORY);
  }

  public Path dir() {
    return dir;
  }

  public Path history() {
    return dir.resolve("history");
  }

  /** Writes what changed; returns the names of the files rewritten (empty: nothing changed). */
  public WriteResult write(RenderedConfig cfg) {
    try {
      Files.createDirectories(dir);
      List<String> changed = new ArrayList<>();
      for (String name : cfg.bodies().keySet()) {
        String text = cfg.file(name);
        Path target = dir.resolve(name);
        if (!differs(target, text)) {
          continue;
        }
        Path tmp = dir.resolve("." + name + ".tmp");
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        try {
          Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
          Files.deleteIfExists(tmp);
          throw new IOException("the file system of " + dir + " cannot rename atomically; put CALICO_CONFD_DIR on"
              + " a local file system", e);
        }
        changed.add(name);
      }
      if (!changed.isEmpty()) {
        record(cfg);
      }
      return new WriteResult(cfg.revision(), List.copyOf(changed));
    } catch (IOException e) {
      throw new UncheckedIOException("writing BIRD configuration to " + dir + ": " + e.getMessage(), e);
    }
  }

  private static boolean differs(Path target, String text) throws IOException {
    String old;
    try {
      old = Files.readString(target, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return true;
    }
    return !RenderedConfig.withoutRevision(old).equals(RenderedConfig.withoutRevision(text));
  }

  /** Copies the whole set as written to {@code history/<revision>/} and drops the oldest beyond {@link #keep}. */
  private void record(RenderedConfig cfg) throws IOException {
    Path h = history().resolve(Long.toString(cfg.revision()));
    Files.createDirectories(h);
    for (String name : cfg.bodies().keySet()) {
      Files.copy(dir.resolve(name), h.resolve(name), StandardCopyOption.REPLACE_EXISTING);
    }
    List<Long> revisions = revisions();
    for (int i = 0; i < revisions.size() - keep; i++) {
      deleteTree(history().resolve(Long.toString(revisions.get(i))));
    }
  }

  /** The revisions kept in {@code history/}, oldest first. */
  public List<Long> revisions() throws IOException {
    if (!Files.isDirectory(history())) {
      return List.of();
    }
    List<Long> out = new ArrayList<>();
    try (Stream<Path> s = Files.list(history())) {
      s.map(p -> p.getFileName().toString()).filter(n -> n.matches("[0-9]{1,19}"))
          .forEach(n -> out.add(Long.parseLong(n)));
    }
    out.sort(Comparator.naturalOrder());
    return out;
  }

  private static void deleteTree(Path p) throws IOException {
    try (Stream<Path> w = Files.walk(p)) {
      for (Path x : w.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(x);
      }
    }
  }
}
