package org.calicoledger.ipam.cni;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.calicoledger.cni.CniException;

/**
 * The network configuration a runtime passes on stdin, with the fields Calico's IPAM plugin reads:
 * <pre>
 * {"cniVersion": "1.0.0", "name": "k8s-pod-network", "type": "calico",
 *  "etcd_endpoints": "http://127.0.0.1:2379", "datastore_type": "etcdv3", "nodename": "node-1",
 *  "ipam": {"type": "calico-ipam", "assign_ipv4": "true", "assign_ipv6": "false",
 *           "ipv4_pools": ["10.0.0.0/16"], "ipv6_pools": []},
 *  "args": {"cni": {"ips": ["10.0.0.5"]}}, "prevResult": {...}}
 * </pre>
 * {@code assign_ipv4}/{@code assign_ipv6} are strings in Calico's examples; JSON booleans are accepted too.
 * The node agent reads the same fields for the {@code calico} plugin ({@link #parse(JsonNode, boolean)}).
 */
public record NetConf(String cniVersion, String name, String nodename, String nodenameFile, String etcdEndpoints,
    String etcdKeyFile, String etcdCertFile, String etcdCaCertFile, String datastoreType, boolean assignIpv4,
    boolean assignIpv6, List<String> ipv4Pools, List<String> ipv6Pools, List<String> requestedIps, JsonNode prevResult) {

  static final String DEFAULT_NODENAME_FILE = "/var/lib/calico/nodename";
  private static final ObjectMapper JSON = new ObjectMapper();

  public static JsonNode parseJson(String stdin) {
    if (stdin == null || stdin.isBlank()) {
      throw new CniException(CniException.DECODING_FAILURE, "no network configuration on stdin",
          "the runtime must pass the network configuration JSON on stdin");
    }
    try {
      JsonNode n = JSON.readTree(stdin);
      if (n == null || !n.isObject()) {
        throw new CniException(CniException.DECODING_FAILURE, "network configuration is not a JSON object", stdin.strip());
      }
      return n;
    } catch (IOException e) {
      throw new CniException(CniException.DECODING_FAILURE, "cannot decode the network configuration",
          e.getMessage().lines().findFirst().orElse(""));
    }
  }

  static NetConf parse(JsonNode n) {
    return parse(n, true);
  }

  /**
   * The configuration's fields; {@code calicoIpam} false when the caller delegates IPAM to another plugin type (the
   * {@code ipam} section is then that plugin's, and its calico-ipam fields are ignored).
   */
  public static NetConf parse(JsonNode n, boolean calicoIpam) {
    String version = text(n, "cniVersion");
    String name = text(n, "name");
    if (name == null || name.isEmpty()) {
      throw new CniException(CniException.INVALID_NETWORK_CONFIG, "network configuration has no \"name\"",
          "the handle of an allocation is <name>.<containerID>, so the network needs a name");
    }
    JsonNode ipam = calicoIpam ? n.path("ipam") : com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    String type = text(ipam, "type");
    if (type != null && !type.equals("calico-ipam")) {
      throw new CniException(CniException.INVALID_NETWORK_CONFIG, "ipam.type is \"" + type + "\"",
          "this plugin is calico-ipam");
    }
    String subnet = text(ipam, "subnet");
    if ("usePodCidr".equals(subnet)) {
      throw new CniException(CniException.UNSUPPORTED_FIELD, "ipam.subnet usePodCidr is not supported",
          "that setting delegates to host-local IPAM with Kubernetes pod CIDRs; this project allocates from Calico pools");
    }
    String ds = text(n, "datastore_type");
    if (ds != null && !ds.isEmpty() && !ds.equals("etcdv3")) {
      throw new CniException(CniException.INVALID_NETWORK_CONFIG, "datastore_type \"" + ds + "\" is not supported",
          "this project keeps its state in etcd: use etcdv3");
    }
    boolean v4 = flag(ipam, "assign_ipv4", true);
    boolean v6 = flag(ipam, "assign_ipv6", false);
    List<String> ips = new ArrayList<>(list(n.path("args").path("cni"), "ips"));
    ips.addAll(list(n.path("runtimeConfig"), "ips"));
    return new NetConf(version == null ? "0.1.0" : version, name, text(n, "nodename"),
        text(n, "nodename_file"), text(n, "etcd_endpoints"), text(n, "etcd_key_file"), text(n, "etcd_cert_file"),
        text(n, "etcd_ca_cert_file"), ds, v4, v6, list(ipam, "ipv4_pools"), list(ipam, "ipv6_pools"), ips,
        n.get("prevResult"));
  }

  /** The node: {@code nodename}, else the file calico-node writes, else the host name (Calico's order). */
  String node(Map<String, String> env) {
    if (nodename != null && !nodename.isEmpty()) {
      return nodename;
    }
    Path f = Path.of(nodenameFile != null ? nodenameFile : DEFAULT_NODENAME_FILE);
    try {
      if (Files.isReadable(f)) {
        String s = Files.readString(f).strip();
        if (!s.isEmpty()) {
          return s;
        }
      }
    } catch (IOException e) {
      // fall through to the host name
    }
    String h = env.get("HOSTNAME");
    if (h == null || h.isEmpty()) {
      try {
        h = java.net.InetAddress.getLocalHost().getHostName();
      } catch (java.net.UnknownHostException e) {
        throw new CniException(CniException.INVALID_NETWORK_CONFIG, "cannot tell which node this is",
            "set \"nodename\" in the network configuration");
      }
    }
    return h.toLowerCase(java.util.Locale.ROOT);
  }

  /** The etcd settings: the configuration's, over the environment's (ETCD_ENDPOINTS, ETCD_*_FILE...). */
  Map<String, String> etcdEnvironment(Map<String, String> env) {
    Map<String, String> out = new HashMap<>(env);
    put(out, "ETCD_ENDPOINTS", etcdEndpoints);
    put(out, "ETCD_KEY_FILE", etcdKeyFile);
    put(out, "ETCD_CERT_FILE", etcdCertFile);
    put(out, "ETCD_CA_CERT_FILE", etcdCaCertFile);
    return out;
  }

  private static void put(Map<String, String> env, String k, String v) {
    if (v != null && !v.isEmpty()) {
      env.remove("CALICO_" + k);
      env.put(k, v);
    }
  }

  private static String text(JsonNode n, String f) {
    JsonNode v = n.get(f);
    return v == null || v.isNull() ? null : v.asText();
  }

  private static boolean flag(JsonNode n, String f, boolean dflt) {
    JsonNode v = n.get(f);
    if (v == null || v.isNull() || (v.isTextual() && v.asText().isEmpty())) {
      return dflt;
    }
    if (v.isBoolean()) {
      return v.asBoolean();
    }
    String s = v.asText();
    if (s.equalsIgnoreCase("true")) {
      return true;
    }
    if (s.equalsIgnoreCase("false")) {
      return false;
    }
    throw new CniException(CniException.INVALID_NETWORK_CONFIG, "ipam." + f + " must be \"true\" or \"false\", got "
        + v, "");
  }

  private static List<String> list(JsonNode n, String f) {
    JsonNode v = n.get(f);
    List<String> out = new ArrayList<>();
    if (v == null || v.isNull()) {
      return out;
    }
    if (!v.isArray()) {
      throw new CniException(CniException.INVALID_NETWORK_CONFIG, f + " must be a list", "got " + v);
    }
    v.forEach(x -> out.add(x.asText()));
    return out;
  }
}
