package org.calicoledger.lab;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code compose/docker-compose.yml} against the code: every environment variable it sets for our services (those
 * running {@code ${CALICO_IMAGE}}) is one the code reads, and every command they run exists (a {@code bin/} launcher,
 * the main class it starts, and each option that main accepts). The names the code reads are found by scanning the
 * sources, not listed here, so adding an unknown variable to the compose file (or removing a read from the code)
 * fails this test. Docker is not needed: the file is only parsed.
 */
class ComposeFileTest {
  private static final Path ROOT = Cluster.ROOT;
  private static final Pattern ENV_LINE = Pattern.compile("getenv|\\benv\\b|\\bEnv\\b");
  private static final Pattern LITERAL = Pattern.compile("\"([A-Z][A-Z0-9_]*[A-Z0-9])\"");
  private static final Pattern PREFIXED = Pattern.compile("var\\(env, \"([A-Z][A-Z0-9_]*)\"\\)");
  private static final Pattern FAMILY = Pattern.compile("startsWith\\(\"([A-Z][A-Z0-9_]*_)\"\\)");
  private static final Pattern SHELL_VAR = Pattern.compile("\\$\\{?([A-Z][A-Z0-9_]*)");
  private static final Pattern SHELL_ASSIGN = Pattern.compile("(?m)^\\s*(?:local\\s+|export\\s+)?([A-Z][A-Z0-9_]*)=");
  private static final Pattern MAIN_CLASS = Pattern.compile("(org\\.calicoledger\\.[a-z.]+\\.[A-Z][A-Za-z]*)");
  private static final Pattern OPTION = Pattern.compile("@Option\\(names = (\\{[^}]*\\}|\"[^\"]*\")");

  private static JsonNode compose;
  private static final Set<String> EXACT = new TreeSet<>();
  private static final Set<String> FAMILIES = new TreeSet<>();
  private static final Set<String> FELIX_FIELDS = new TreeSet<>();

  @BeforeAll
  static void scan() throws IOException {
    compose = new ObjectMapper(new YAMLFactory()).readTree(ROOT.resolve("compose/docker-compose.yml").toFile());
    List<Path> sources;
    try (Stream<Path> walk = Files.walk(ROOT)) {
      sources = walk.filter(p -> p.toString().endsWith(".java") && p.toString().contains("/src/main/java/")
          && !p.toString().contains("/target/") && !p.startsWith(ROOT.resolve("lab"))
          && !p.startsWith(ROOT.resolve("bench"))).toList();
    }
    for (Path p : sources) {
      String text = Files.readString(p);
      for (String line : text.split("\n")) {
        if (!ENV_LINE.matcher(line).find() || line.contains("env.put(")) { // put: set for a child, not read
          continue;
        }
        Matcher m = LITERAL.matcher(line);
        while (m.find()) {
          EXACT.add(m.group(1));
        }
      }
      if (text.contains("env.forEach(")) { // a family read by prefix: every variable whose name starts with it
        Matcher f = FAMILY.matcher(text);
        while (f.find()) {
          FAMILIES.add(f.group(1));
        }
      }
      Matcher v = PREFIXED.matcher(text);
      while (v.find()) {
        if (text.contains("env.get(\"CALICO_\" + name)")) {
          EXACT.add("CALICO_" + v.group(1)); // StoreConfig: each ETCD_* may also be given CALICO_-prefixed
        }
      }
      if (p.getFileName().toString().equals("FelixSettings.java")) {
        Matcher fields = Pattern.compile("l\\.[a-z]+\\(\"([A-Za-z]+)\"").matcher(text);
        while (fields.find()) {
          FELIX_FIELDS.add(fields.group(1).toUpperCase(Locale.ROOT));
        }
      }
    }
    try (Stream<Path> bins = Files.list(ROOT.resolve("bin"))) {
      for (Path b : bins.filter(Files::isRegularFile).toList()) {
        String script = Files.readString(b);
        Set<String> assigned = new TreeSet<>();
        Matcher a = SHELL_ASSIGN.matcher(script);
        while (a.find()) {
          assigned.add(a.group(1));
        }
        Matcher m = SHELL_VAR.matcher(script);
        while (m.find()) {
          if (!assigned.contains(m.group(1))) {
            EXACT.add(m.group(1));
          }
        }
      }
    }
  }

  /** Our services: those running the project's image. */
  private static Map<String, JsonNode> ours() {
    Map<String, JsonNode> out = new TreeMap<>();
    compose.path("services").fields().forEachRemaining(e -> {
      if (e.getValue().path("image").asText().contains("CALICO_IMAGE")) {
        out.put(e.getKey(), e.getValue());
      }
    });
    return out;
  }

  /** Whether the code reads {@code name}: an exact name, or one of a family it reads by prefix (FELIX_ by field). */
  static boolean read(String name, Set<String> exact, Set<String> families, Set<String> felixFields) {
    if (exact.contains(name)) {
      return true;
    }
    for (String f : families) {
      if (name.startsWith(f) && name.length() > f.length()) {
        String rest = name.substring(f.length());
        if (f.equals("FELIX_")) {
          return felixFields.contains(rest);
        }
        return rest.matches("[A-Z0-9]+(_[A-Z0-9]+)*");
      }
    }
    return false;
  }

  @Test
  void theScanFindsWhatTheCodeIsKnownToRead() {
    // guards the scanner itself: if these go missing, the patterns above no longer see the code
    assertThat(EXACT).contains("ETCD_ENDPOINTS", "CALICO_ETCD_ENDPOINTS", "KAFKA_BOOTSTRAP_SERVERS", "NODENAME", "IP",
        "CALICO_NETWORKING_BACKEND", "CALICO_RUN_DIR", "CALICO_IPV4POOL_CIDR", "CALICO_NO_SETUP", "CALICO_JAVA_OPTS");
    assertThat(FAMILIES).contains("FELIX_", "KAFKA_CLIENT_");
    assertThat(FELIX_FIELDS).contains("ROUTEREFRESHINTERVAL");
  }

  @Test
  void anUnknownVariableIsRejected() {
    assertThat(read("ETCD_ENDPOINTS", EXACT, FAMILIES, FELIX_FIELDS)).isTrue();
    assertThat(read("FELIX_ROUTEREFRESHINTERVAL", EXACT, FAMILIES, FELIX_FIELDS)).isTrue();
    assertThat(read("ETCD_ENDPOINT", EXACT, FAMILIES, FELIX_FIELDS)).isFalse();
    assertThat(read("CALICO_IPV4POOL_CIDRS", EXACT, FAMILIES, FELIX_FIELDS)).isFalse();
    assertThat(read("FELIX_NOSUCHSETTING", EXACT, FAMILIES, FELIX_FIELDS)).isFalse();
  }

  @Test
  void composeRunsTheClusterTheIssueAsksFor() {
    JsonNode services = compose.path("services");
    for (String s : List.of("etcd-1", "etcd-2", "etcd-3", "kafka-1", "kafka-2", "kafka-3", "journal-1", "journal-2",
        "calico-node")) {
      assertThat(services.has(s)).as("service %s", s).isTrue();
    }
    assertThat(ours()).containsOnlyKeys("journal-1", "journal-2", "calico-node");
    JsonNode node = services.path("calico-node");
    assertThat(node.path("network_mode").asText()).isEqualTo("host");
    assertThat(node.path("privileged").asBoolean()).isTrue();
    assertThat(node.has("profiles")).as("calico-node runs on every host").isFalse();
    for (int i = 1; i <= 3; i++) {
      JsonNode env = services.path("kafka-" + i).path("environment");
      assertThat(env.path("KAFKA_NODE_ID").asInt()).isEqualTo(i);
      assertThat(env.path("KAFKA_PROCESS_ROLES").asText()).isEqualTo("broker,controller");
      assertThat(env.path("KAFKA_CONTROLLER_QUORUM_VOTERS").asText().split(",")).hasSize(3);
      assertThat(env.path("KAFKA_MIN_INSYNC_REPLICAS").asInt()).isEqualTo(2);
      assertThat(services.path("etcd-" + i).path("command").toString()).contains("--initial-cluster=etcd-1=");
    }
  }

  @Test
  void everyVariableOurServicesSetIsReadByTheCode() {
    List<String> unknown = new ArrayList<>();
    ours().forEach((service, s) -> s.path("environment").fieldNames().forEachRemaining(name -> {
      if (!read(name, EXACT, FAMILIES, FELIX_FIELDS)) {
        unknown.add(service + ": " + name);
      }
    }));
    assertThat(unknown).as("variables no code reads (known: %s; families %s)", EXACT, FAMILIES).isEmpty();
  }

  @Test
  void everyCommandOurServicesRunExistsWithItsOptions() throws IOException {
    for (Map.Entry<String, JsonNode> e : ours().entrySet()) {
      List<String> cmd = new ArrayList<>();
      e.getValue().path("command").forEach(n -> cmd.add(n.asText()));
      assertThat(cmd).as("%s runs a command", e.getKey()).isNotEmpty();
      Path launcher = ROOT.resolve(cmd.get(0));
      assertThat(cmd.get(0)).as("%s runs a bin/ launcher", e.getKey()).startsWith("bin/");
      assertThat(Files.isExecutable(launcher)).as("%s is an executable launcher", launcher).isTrue();
      Matcher main = MAIN_CLASS.matcher(Files.readString(launcher));
      assertThat(main.find()).as("%s names a main class", launcher).isTrue();
      Path source = mainSource(main.group(1));
      assertThat(source).as("source of %s", main.group(1)).exists();
      Set<String> options = options(Files.readString(source));
      for (String arg : cmd.subList(1, cmd.size())) {
        if (arg.startsWith("-")) {
          assertThat(options).as("%s: option %s of %s", e.getKey(), arg, main.group(1)).contains(arg.split("=")[0]);
        }
      }
      if (options.isEmpty()) {
        assertThat(cmd).as("%s: %s takes no arguments", e.getKey(), main.group(1)).hasSize(1);
      }
    }
  }

  @Test
  void theImageIsBuiltFromThisRepositoryAndRunsTheLaunchersWithoutSetup() throws IOException {
    String dockerfile = Files.readString(ROOT.resolve("compose/Dockerfile"));
    assertThat(dockerfile).contains("mvn -B -q -DskipTests install").contains("ENV CALICO_NO_SETUP=1");
    Matcher copies = Pattern.compile("COPY --from=build /src/(\\S+) ").matcher(dockerfile);
    int n = 0;
    while (copies.find()) {
      n++;
      String path = copies.group(1);
      Path module = ROOT.resolve(path.replace("/target", ""));
      assertThat(module).as("Dockerfile copies %s", path).exists();
    }
    assertThat(n).isGreaterThan(5);
    for (JsonNode s : ours().values()) {
      assertThat(s.path("build").path("dockerfile").asText()).isEqualTo("compose/Dockerfile");
    }
  }

  @Test
  void envExampleDefinesEveryVariableTheComposeFileInterpolatesWithoutDefault() throws IOException {
    String text = Files.readString(ROOT.resolve("compose/docker-compose.yml"));
    Set<String> needed = new TreeSet<>();
    Matcher m = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)}").matcher(text);
    while (m.find()) {
      needed.add(m.group(1));
    }
    Set<String> defined = new TreeSet<>();
    for (String line : Files.readAllLines(ROOT.resolve("compose/.env.example"))) {
      if (line.matches("[A-Z][A-Z0-9_]*=.*")) {
        defined.add(line.substring(0, line.indexOf('=')));
      }
    }
    assertThat(defined).containsAll(needed);
  }

  private static Path mainSource(String className) throws IOException {
    String rel = className.replace('.', '/') + ".java";
    try (Stream<Path> dirs = Files.list(ROOT)) {
      return dirs.map(d -> d.resolve("src/main/java").resolve(rel)).filter(Files::exists).findFirst()
          .orElse(ROOT.resolve("missing/" + rel));
    }
  }

  /** The options a main accepts: its picocli {@code @Option} names, plus --help/--version with the standard mixin. */
  private static Set<String> options(String source) {
    Set<String> out = new TreeSet<>();
    Matcher m = OPTION.matcher(source);
    while (m.find()) {
      Matcher name = Pattern.compile("\"(-[^\"]+)\"").matcher(m.group(1));
      while (name.find()) {
        out.add(name.group(1));
      }
    }
    if (source.contains("mixinStandardHelpOptions = true")) {
      out.addAll(List.of("-h", "--help", "-V", "--version"));
    }
    return out;
  }
}
