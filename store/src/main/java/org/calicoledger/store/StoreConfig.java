package org.calicoledger.store;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.calicoledger.model.GoDuration;

/**
 * How to reach etcd, configured as calicoctl is: environment variables ({@code DATASTORE_TYPE}, {@code ETCD_ENDPOINTS},
 * {@code ETCD_CA_CERT_FILE}, {@code ETCD_CERT_FILE}, {@code ETCD_KEY_FILE}, {@code ETCD_USERNAME}, {@code ETCD_PASSWORD};
 * each may also be given with a {@code CALICO_} prefix, which wins), or a {@code CalicoAPIConfig} file, which when present
 * is used alone. Our one addition is {@code ETCD_TIMEOUT} / {@code etcdTimeout}: how long any call may take (default 10s).
 */
public record StoreConfig(
    List<String> endpoints,
    Path caCertFile,
    Path certFile,
    Path keyFile,
    String username,
    String password,
    Duration timeout) {

  public static final String DEFAULT_ENDPOINT = "http://127.0.0.1:2379";
  public static final Path DEFAULT_CONFIG_FILE = Path.of("/etc/calico/calicoctl.cfg");
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  public StoreConfig {
    endpoints = List.copyOf(endpoints);
    if (endpoints.isEmpty()) {
      throw new ConfigException("no etcd endpoints specified: set ETCD_ENDPOINTS (e.g. " + DEFAULT_ENDPOINT + ")");
    }
    for (String e : endpoints) {
      if (!e.startsWith("http://") && !e.startsWith("https://")) {
        throw new ConfigException("etcd endpoint '" + e + "' must start with http:// or https:// (e.g. " + DEFAULT_ENDPOINT + ")");
      }
    }
    if ((certFile == null) != (keyFile == null)) {
      throw new ConfigException("ETCD_CERT_FILE and ETCD_KEY_FILE go together: give both or neither");
    }
    for (Path p : new Path[] {caCertFile, certFile, keyFile}) {
      if (p != null && !Files.isReadable(p)) {
        throw new ConfigException("cannot read etcd TLS file " + p + ": check the path and its permissions");
      }
    }
    timeout = timeout == null ? DEFAULT_TIMEOUT : timeout;
  }

  public static StoreConfig local(String endpoint) {
    return new StoreConfig(List.of(endpoint), null, null, null, null, null, null);
  }

  public StoreConfig withTimeout(Duration t) {
    return new StoreConfig(endpoints, caCertFile, certFile, keyFile, username, password, t);
  }

  public boolean tls() {
    return caCertFile != null || certFile != null || endpoints.stream().anyMatch(e -> e.startsWith("https://"));
  }

  /**
   * calicoctl's rule: a config file given explicitly must exist; the default file is used when it exists; otherwise
   * the environment.
   */
  public static StoreConfig load(Path explicitFile, Map<String, String> env) {
    if (explicitFile != null && !explicitFile.equals(DEFAULT_CONFIG_FILE)) {
      if (!Files.exists(explicitFile)) {
        throw new ConfigException("Error reading config file: " + explicitFile + " (no such file)");
      }
      return fromFile(explicitFile);
    }
    if (Files.exists(DEFAULT_CONFIG_FILE)) {
      return fromFile(DEFAULT_CONFIG_FILE);
    }
    return fromEnvironment(env);
  }

  public static StoreConfig fromEnvironment(Map<String, String> env) {
    Settings s = new Settings();
    s.datastoreType = var(env, "DATASTORE_TYPE");
    s.endpoints = var(env, "ETCD_ENDPOINTS");
    s.ca = var(env, "ETCD_CA_CERT_FILE");
    s.cert = var(env, "ETCD_CERT_FILE");
    s.key = var(env, "ETCD_KEY_FILE");
    s.username = var(env, "ETCD_USERNAME");
    s.password = var(env, "ETCD_PASSWORD");
    s.timeout = var(env, "ETCD_TIMEOUT");
    if (var(env, "ETCD_DISCOVERY_SRV") != null) {
      throw new ConfigException("ETCD_DISCOVERY_SRV is not supported; list the members in ETCD_ENDPOINTS");
    }
    return s.build("environment");
  }

  private static String var(Map<String, String> env, String name) {
    String v = env.get("CALICO_" + name);
    if (v == null || v.isEmpty()) {
      v = env.get(name);
    }
    return v == null || v.isEmpty() ? null : v;
  }

  /** A calicoctl {@code CalicoAPIConfig} file (YAML or JSON); unknown keys are errors, as in calicoctl. */
  public static StoreConfig fromFile(Path file) {
    JsonNode root;
    try {
      String text = Files.readString(file);
      root = new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
          .readTree(text);
    } catch (IOException e) {
      throw new ConfigException("syntax error in " + file + ": " + e.getMessage().lines().findFirst().orElse(""));
    }
    if (root == null || !root.isObject()) {
      throw new ConfigException("invalid config file " + file + ": expected a CalicoAPIConfig mapping");
    }
    if (!"projectcalico.org/v3".equals(root.path("apiVersion").asText())) {
      throw new ConfigException("invalid config file " + file + ": unknown APIVersion '" + root.path("apiVersion").asText()
          + "' (use projectcalico.org/v3)");
    }
    if (!"CalicoAPIConfig".equals(root.path("kind").asText())) {
      throw new ConfigException("invalid config file " + file + ": expected kind 'CalicoAPIConfig', got '"
          + root.path("kind").asText() + "'");
    }
    for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!List.of("apiVersion", "kind", "metadata", "spec").contains(f)) {
        throw new ConfigException("invalid config file " + file + ": unknown field '" + f + "'");
      }
    }
    JsonNode spec = root.path("spec");
    List<String> known = List.of("datastoreType", "etcdEndpoints", "etcdCACertFile", "etcdCertFile", "etcdKeyFile",
        "etcdUsername", "etcdPassword", "etcdTimeout", "etcdDiscoverySrv");
    List<String> unknown = new ArrayList<>();
    spec.fieldNames().forEachRemaining(f -> {
      if (!known.contains(f)) {
        unknown.add(f);
      }
    });
    if (!unknown.isEmpty()) {
      throw new ConfigException("invalid config file " + file + ": unknown field(s) spec." + String.join(", spec.", unknown)
          + "; known: " + String.join(", ", known)
          + (unknown.stream().anyMatch(u -> u.startsWith("k8s") || u.equals("kubeconfig"))
              ? " (Kubernetes datastore settings do not apply: this project keeps its state in etcd)" : ""));
    }
    if (!spec.path("etcdDiscoverySrv").asText("").isEmpty()) {
      throw new ConfigException("invalid config file " + file + ": etcdDiscoverySrv is not supported; list etcdEndpoints");
    }
    Settings s = new Settings();
    s.datastoreType = text(spec, "datastoreType");
    s.endpoints = text(spec, "etcdEndpoints");
    s.ca = text(spec, "etcdCACertFile");
    s.cert = text(spec, "etcdCertFile");
    s.key = text(spec, "etcdKeyFile");
    s.username = text(spec, "etcdUsername");
    s.password = text(spec, "etcdPassword");
    s.timeout = text(spec, "etcdTimeout");
    return s.build(file.toString());
  }

  private static String text(JsonNode spec, String f) {
    String v = spec.path(f).asText("");
    return v.isEmpty() ? null : v;
  }

  private static final class Settings {
    String datastoreType;
    String endpoints;
    String ca;
    String cert;
    String key;
    String username;
    String password;
    String timeout;

    StoreConfig build(String source) {
      if (datastoreType != null && !datastoreType.equals("etcdv3")) {
        throw new ConfigException("datastore type '" + datastoreType + "' (from " + source + ") is not supported: this"
            + " project keeps its state in etcd; use etcdv3");
      }
      List<String> eps = endpoints == null ? List.of(DEFAULT_ENDPOINT)
          : Arrays.stream(endpoints.split(",")).map(String::trim).filter(e -> !e.isEmpty()).toList();
      Duration t = DEFAULT_TIMEOUT;
      if (timeout != null) {
        try {
          t = GoDuration.parse(timeout);
        } catch (IllegalArgumentException e) {
          throw new ConfigException("etcd timeout '" + timeout + "' (from " + source + "): " + e.getMessage());
        }
      }
      if ((username == null) != (password == null)) {
        throw new ConfigException("ETCD_USERNAME and ETCD_PASSWORD go together (from " + source + ")");
      }
      return new StoreConfig(eps, path(ca), path(cert), path(key), username, password, t);
    }

    private static Path path(String p) {
      return p == null ? null : Path.of(p);
    }
  }

  /** A configuration that cannot be used; the message says which setting and how to fix it. */
  public static final class ConfigException extends StoreException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
      super(message, false, null);
    }
  }
}
