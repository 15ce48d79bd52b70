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
 *   <li>{@link #record} (called after a write that changed something, once the reader has been told, so that audit
 *       bookkeeping is off the path from change to reload) copies the whole set to {@code history/<revision>/};
 *       only the {@link #DEFAULT_HISTORY} (or the configured number of) highest revisions are kept there.
 *   <li>What is on disk is remembered after the first read, so a write reads no file; the directory belongs to this
 *       writer (one instance per directory, called from one thread at a time): edits made behind its back are
 *       replaced only when the rendering of that file changes.
 * </ul>
 */
public final class ConfigWriter {
  public static final int DEFAULT_HISTORY = 10;
  private final Path dir;
  private final int keep;
  /** File name to its text on disk without the revision line (what {@link #differs} compares against). */
  private final java.util.Map<String, String> onDisk = new java.util.HashMap<>();

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

  /**
   * Writes what changed; returns the names of the files rewritten (empty: nothing changed). Call {@link #record}
   * afterwards to keep the version in {@code history/}.
   */
  public WriteResult write(RenderedConfig cfg) {
    try {
      Files.createDirectories(dir);
      List<String> changed = new ArrayList<>();
      for (String name : cfg.bodies().keySet()) {
        String text = cfg.file(name);
        Path target = dir.resolve(name);
        String body = RenderedConfig.withoutRevision(text);
        if (body.equals(known(name, target))) {
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
        onDisk.put(name, body);
        changed.add(name);
      }
      return new WriteResult(cfg.revision(), List.copyOf(changed));
    } catch (IOException e) {
      throw new UncheckedIOException("writing BIRD configuration to " + dir + ": " + e.getMessage(), e);
    }
  }

  /** The file's text without its revision line, read once, or null when there is no such file. */
  private String known(String name, Path target) throws IOException {
    String k = onDisk.get(name);
    if (k == null) {
      try {
        k = RenderedConfig.withoutRevision(Files.readString(target, StandardCharsets.UTF_8));
      } catch (NoSuchFileException e) {
        return null;
      }
      onDisk.put(name, k);
    }
    return k;
  }

  /**
   * Copies the whole set as now on disk to {@code history/<revision>/} and drops the oldest versions beyond the
   * number to keep. Call after a {@link #write} that changed something.
   */
  public void record(RenderedConfig cfg) {
    try {
      Path h = history().resolve(Long.toString(cfg.revision()));
      Files.createDirectories(h);
      for (String name : cfg.bodies().keySet()) {
        Files.copy(dir.resolve(name), h.resolve(name), StandardCopyOption.REPLACE_EXISTING);
      }
      List<Long> revisions = revisions();
      for (int i = 0; i < revisions.size() - keep; i++) {
        deleteTree(history().resolve(Long.toString(revisions.get(i))));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("keeping BIRD configuration history in " + history() + ": " + e.getMessage(), e);
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
