package org.calicoledger.bench;

import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import org.calicoledger.events.image.ClusterDelta;
import org.calicoledger.events.image.ClusterImage;
import org.calicoledger.events.proto.Operation;
import org.calicoledger.felix.FelixContext;
import org.calicoledger.felix.kernel.HostCommands;
import org.calicoledger.store.Keys;

/**
 * What the felix benchmarks share: the cluster they program and the namespaces they program it into.
 *
 * <p>Cluster ({@link #image}): node {@value #NODE}, one IPv4 pool {@code 10.0.0.0/16} ({@code natOutgoing: true},
 * no encapsulation), one block {@code 10.0.0.0/26} affine to the node, and WorkloadEndpoints {@code 0..n-1} on the
 * node, endpoint {@code i} with address {@link #ip}{@code (i)} behind the interface a benchmark chooses (one per
 * endpoint for the rules, 100 shared for the routes). {@link #plusEndpoint} is the change-log event of one more.
 * Benchmarks with clusters of their own (the policy bench's {@link PolicyCluster}) start from {@link #base} (the
 * pool and the block), add resources as JSON and take {@link #snapshot} of them; {@link #plus} is one change.
 *
 * <p>Namespaces: {@link #namespace} creates {@code <prefix>-<pid>-<role>}; every one still present is deleted by
 * {@link #close} and, should the JVM be stopped first, by a shutdown hook.
 */
final class FelixFixture implements AutoCloseable {
  static final String NODE = "bench-node";
  private final String prefix;
  private final List<String> namespaces = new ArrayList<>();
  private final Thread hook;

  FelixFixture(String prefix) {
    this.prefix = prefix + "-" + ProcessHandle.current().pid();
    this.hook = new Thread(this::deleteAll, prefix + "-cleanup");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /** The context Felix's parts get: node {@value #NODE}, no environment overrides, the given backend. */
  static FelixContext ctx(String backend) {
    return new FelixContext(NODE, Map.of(), Path.of("/nonexistent"), null, "bench", backend, null);
  }

  static String ip(int i) {
    return "10.0." + (i / 250) + "." + (1 + i % 250);
  }

  /** {@code cali} and 11 hex digits of SHA-1 over the pod's name, as Calico names host interfaces. */
  static String hashedIface(int i) {
    try {
      byte[] h = MessageDigest.getInstance("SHA-1").digest(("default.pod" + i).getBytes(StandardCharsets.UTF_8));
      return "cali" + HexFormat.of().formatHex(h).substring(0, 11);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK always has SHA-1", e);
    }
  }

  static String endpointKey(int i) {
    return Keys.RESOURCES + "workloadendpoints/default/" + endpointName(i);
  }

  private static String endpointName(int i) {
    return "bench--node-k8s-pod" + i + "-eth0";
  }

  static String endpointJson(int i, String iface) {
    return endpointJson(endpointName(i), NODE, "pod" + i, iface, ip(i), null, List.of());
  }

  /**
   * A WorkloadEndpoint in namespace {@code default}: {@code labelFields} are a JSON object's fields without braces
   * (null: no labels), {@code profiles} its profiles (empty: none written).
   */
  static String endpointJson(String name, String node, String pod, String iface, String ip, String labelFields,
      List<String> profiles) {
    StringBuilder p = new StringBuilder();
    for (String s : profiles) {
      p.append(p.length() == 0 ? "" : ",").append('"').append(s).append('"');
    }
    return "{\"kind\":\"WorkloadEndpoint\",\"apiVersion\":\"projectcalico.org/v3\",\"metadata\":{\"name\":\""
        + name + "\",\"namespace\":\"default\"" + (labelFields == null ? "" : ",\"labels\":{" + labelFields + "}")
        + "},\"spec\":{\"node\":\"" + node + "\",\"orchestrator\":\"k8s\",\"endpoint\":\"eth0\",\"pod\":\"" + pod
        + "\",\"interfaceName\":\"" + iface + "\",\"ipNetworks\":[\"" + ip + "/32\"]"
        + (profiles.isEmpty() ? "" : ",\"profiles\":[" + p + "]") + "}}";
  }

  /** The pool, the block and endpoints {@code 0..endpoints-1}, as one snapshot (values decoded on first read). */
  static ClusterImage image(int endpoints, IntFunction<String> iface) {
    Map<String, String> r = base();
    for (int i = 0; i < endpoints; i++) {
      r.put(endpointKey(i), endpointJson(i, iface.apply(i)));
    }
    return snapshot(r);
  }

  /** The pool and the node's block (key to JSON, in that order), to which a benchmark adds its resources. */
  static Map<String, String> base() {
    Map<String, String> r = new LinkedHashMap<>();
    r.put(Keys.RESOURCES + "ippools/default-ipv4-ippool", "{\"kind\":\"IPPool\","
        + "\"apiVersion\":\"projectcalico.org/v3\",\"metadata\":{\"name\":\"default-ipv4-ippool\"},\"spec\":{"
        + "\"cidr\":\"10.0.0.0/16\",\"ipipMode\":\"Never\",\"vxlanMode\":\"Never\",\"natOutgoing\":true,"
        + "\"blockSize\":26,\"nodeSelector\":\"all()\"}}");
    r.put("/calico/ipam/v2/assignment/ipv4/block/10.0.0.0-26", "{\"cidr\":\"10.0.0.0/26\","
        + "\"affinity\":\"host:" + NODE + "\",\"allocations\":[],\"unallocated\":[],\"attributes\":[],"
        + "\"deleted\":false}");
    return r;
  }

  /** {@code resources} (key to JSON) as one snapshot at revision 1 (values decoded on first read). */
  static ClusterImage snapshot(Map<String, String> resources) {
    ClusterDelta d = ClusterDelta.snapshot(ClusterImage.EMPTY, 1);
    int pos = 0;
    for (Map.Entry<String, String> e : resources.entrySet()) {
      d.replay(1, pos++, resources.size(), e.getKey(), Operation.PUT, ByteString.copyFromUtf8(e.getValue()));
    }
    return d.apply();
  }

  /** {@code image} after the next revision puts endpoint {@code i} behind {@code iface}. */
  static ClusterImage plusEndpoint(ClusterImage image, int i, String iface) {
    return plus(image, endpointKey(i), endpointJson(i, iface));
  }

  /** {@code image} after the next revision puts {@code json} at {@code key}. */
  static ClusterImage plus(ClusterImage image, String key, String json) {
    ClusterDelta d = new ClusterDelta(image);
    d.replay(image.revision() + 1, 0, 1, key, Operation.PUT, ByteString.copyFromUtf8(json));
    return d.apply();
  }

  /** A new, empty network namespace {@code <prefix>-<pid>-<role>}. */
  String namespace(String role) {
    String ns = prefix + "-" + role;
    HostCommands.LOCAL.must(null, "ip", "netns", "add", ns);
    synchronized (this) {
      namespaces.add(ns);
    }
    return ns;
  }

  synchronized void delete(String ns) {
    HostCommands.LOCAL.run(null, "ip", "netns", "del", ns);
    namespaces.remove(ns);
  }

  private synchronized void deleteAll() {
    for (String ns : new ArrayList<>(namespaces)) {
      delete(ns);
    }
  }

  @Override
  public void close() {
    deleteAll();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the hook runs anyway
    }
  }
}
