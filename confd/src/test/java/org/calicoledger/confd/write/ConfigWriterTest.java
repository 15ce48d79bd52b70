package org.calicoledger.confd.write;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.calicoledger.confd.render.RenderedConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigWriterTest {
  @TempDir
  Path dir;

  static RenderedConfig cfg(long rev, String a, String b) {
    return new RenderedConfig(rev, Map.of("a.cfg", a, "b.cfg", b), List.of());
  }

  @Test
  void writesEveryFileWithTheRevisionInItsHeader() throws Exception {
    WriteResult r = new ConfigWriter(dir).write(cfg(7, "x;\n", "y;\n"));
    assertThat(r.changed()).containsExactlyInAnyOrder("a.cfg", "b.cfg");
    assertThat(Files.readString(dir.resolve("a.cfg"))).contains("# Source revision: 7\n").endsWith("x;\n")
        .contains("BIRD 2 (Debian bird2 2.0.12)");
    try (var s = Files.list(dir)) {
      assertThat(s.map(p -> p.getFileName().toString())).doesNotContain(".a.cfg.tmp", ".b.cfg.tmp");
    }
  }

  @Test
  void aNewRevisionWithTheSameContentRewritesNothing() throws Exception {
    ConfigWriter w = new ConfigWriter(dir);
    w.write(cfg(7, "x;\n", "y;\n"));
    w.record(cfg(7, "x;\n", "y;\n"));
    Files.setLastModifiedTime(dir.resolve("a.cfg"), FileTime.fromMillis(1000));
    WriteResult r = w.write(cfg(8, "x;\n", "y;\n"));
    assertThat(r.changed()).isEmpty();
    assertThat(Files.getLastModifiedTime(dir.resolve("a.cfg")).toMillis()).isEqualTo(1000);
    assertThat(Files.readString(dir.resolve("a.cfg"))).contains("# Source revision: 7\n");
    assertThat(w.revisions()).containsExactly(7L);
  }

  @Test
  void onlyTheChangedFileIsReplacedAtomically() throws Exception {
    ConfigWriter w = new ConfigWriter(dir);
    w.write(cfg(7, "x;\n", "y;\n"));
    Object inodeB = Files.getAttribute(dir.resolve("b.cfg"), "unix:ino");
    Object inodeA = Files.getAttribute(dir.resolve("a.cfg"), "unix:ino");
    WriteResult r = w.write(cfg(9, "x2;\n", "y;\n"));
    w.record(cfg(9, "x2;\n", "y;\n"));
    assertThat(r.changed()).containsExactly("a.cfg");
    assertThat(Files.getAttribute(dir.resolve("b.cfg"), "unix:ino")).isEqualTo(inodeB);
    assertThat(Files.getAttribute(dir.resolve("a.cfg"), "unix:ino")).isNotEqualTo(inodeA); // a new file, renamed in
    assertThat(Files.readString(dir.resolve("history/9/a.cfg"))).endsWith("x2;\n");
    assertThat(Files.readString(dir.resolve("history/9/b.cfg"))).endsWith("y;\n");
  }

  @Test
  void keepsTheLastTenVersions() throws Exception {
    ConfigWriter w = new ConfigWriter(dir);
    for (long rev = 1; rev <= 25; rev++) {
      w.write(cfg(rev, "x" + rev + ";\n", "y;\n"));
      w.record(cfg(rev, "x" + rev + ";\n", "y;\n"));
    }
    assertThat(w.revisions()).containsExactlyElementsOf(LongStream.rangeClosed(16, 25).boxed().toList());
    assertThat(Files.readString(dir.resolve("history/16/a.cfg"))).endsWith("x16;\n");
  }

  @Test
  void aNewWriterComparesWithWhatIsOnDisk() throws Exception {
    new ConfigWriter(dir).write(cfg(7, "x;\n", "y;\n"));
    assertThat(new ConfigWriter(dir).write(cfg(8, "x;\n", "y;\n")).changed()).isEmpty();
    assertThat(new ConfigWriter(dir).write(cfg(9, "x;\n", "z;\n")).changed()).containsExactly("b.cfg");
  }

  @Test
  void theRevisionLineIsIgnoredOnlyInTheHeader() {
    String t = RenderedConfig.header("a.cfg", 5) + "x;\n";
    assertThat(RenderedConfig.withoutRevision(t)).doesNotContain("Source revision").endsWith("x;\n");
    assertThat(RenderedConfig.withoutRevision(RenderedConfig.header("a.cfg", 6) + "x;\n"))
        .isEqualTo(RenderedConfig.withoutRevision(t));
  }
}
