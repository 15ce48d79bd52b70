package org.calicoledger.confd.render;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import org.calicoledger.events.image.ClusterImage;
import org.calicoledger.model.SecretResolver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden files: each case under {@code src/test/resources/golden/<case>/} holds {@code case.properties}
 * ({@code node=} the node to render for), {@code resources.yaml} (Calico resources, as calicoctl would store them),
 * optionally {@code affinities.txt} ({@code host cidr [state]} per line) and {@code secrets/<name>/<key>} files;
 * {@code expected/} holds the six rendered files. The test renders, compares byte for byte, and runs real BIRD's
 * parser on the whole set ({@code bird -p -c bird.cfg}, which includes the other five) in a temporary directory.
 *
 * <p>To regenerate the expected files after an intended change, run from the repository root:
 * {@code mvn -B -o -pl confd test -Dtest=GoldenRenderTest -Dconfd.golden.update=true}, then review the diff
 * ({@code git diff confd/src/test/resources/golden}); the parse check still runs.
 */
class GoldenRenderTest {
  static final Path GOLDEN = Path.of("src/test/resources/golden");
  static final boolean UPDATE = Boolean.getBoolean("confd.golden.update");
  static Path tmp;

  @BeforeAll
  static void tmp() throws IOException {
    tmp = Files.createTempDirectory("cfd-golden-");
  }

  @AfterAll
  static void clean() throws IOException {
    try (Stream<Path> w = Files.walk(tmp)) {
      w.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  static List<String> cases() throws IOException {
    List<String> out = new ArrayList<>();
    try (Stream<Path> s = Files.list(GOLDEN)) {
      s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().forEach(out::add);
    }
    return out;
  }

  static RenderedConfig render(Path dir) throws IOException {
    Properties props = new Properties();
    try (InputStream in = Files.newInputStream(dir.resolve("case.properties"))) {
      props.load(in);
    }
    ImageFixture f = new ImageFixture()
        .resources(Files.readString(dir.resolve("resources.yaml")), dir.getFileName() + "/resources.yaml");
    if (Files.exists(dir.resolve("affinities.txt"))) {
      f.affinities(dir.resolve("affinities.txt"));
    }
    ClusterImage image = f.build();
    return BirdRenderer.render(image, props.getProperty("node"), SecretResolver.files(dir.resolve("secrets")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void rendersTheExpectedFilesAndBirdParsesThem(String name) throws Exception {
    Path dir = GOLDEN.resolve(name);
    RenderedConfig cfg = render(dir);
    assertThat(cfg.bodies().keySet()).containsExactlyElementsOf(BirdRenderer.FILES);
    Path expected = dir.resolve("expected");
    if (UPDATE) {
      Files.createDirectories(expected);
      for (String file : cfg.bodies().keySet()) {
        Files.writeString(expected.resolve(file), cfg.file(file), StandardCharsets.UTF_8);
      }
    }
    for (String file : cfg.bodies().keySet()) {
      assertThat(expected.resolve(file)).as(name + "/" + file + " (regenerate: see the class comment)").exists();
      assertThat(cfg.file(file)).as(name + "/" + file).isEqualTo(Files.readString(expected.resolve(file)));
    }
    Path birdCfg = BirdParser.writeSet(cfg, tmp.resolve(name));
    BirdParser.Result r = BirdParser.parse(birdCfg);
    assertThat(r.code()).as("bird -p -c " + birdCfg + ":\n" + r.output()).isZero();
    // bird.cfg reaches every other file through include, so the one parse covered all six
    assertThat(cfg.bodies().get("bird.cfg")).contains("include \"bird_aggr.cfg\";", "include \"bird_ipam.cfg\";",
        "include \"bird6.cfg\";");
    assertThat(cfg.bodies().get("bird6.cfg")).contains("include \"bird6_aggr.cfg\";", "include \"bird6_ipam.cfg\";");
  }
}
