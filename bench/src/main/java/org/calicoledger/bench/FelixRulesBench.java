package org.calicoledger.bench;

import com.google.protobuf.ByteString;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.calicoledger.events.image.ClusterDelta;
import org.calicoledger.events.image.ClusterImage;
import org.calicoledger.events.proto.Operation;
import org.calicoledger.felix.FelixContext;
import org.calicoledger.felix.dataplane.ipsets.IpSet;
import org.calicoledger.felix.dataplane.ipsets.IpSetsPart;
import org.calicoledger.felix.dataplane.ipsets.IpsetScript;
import org.calicoledger.felix.dataplane.iptables.ActualTable;
import org.calicoledger.felix.dataplane.iptables.IptablesPart;
import org.calicoledger.felix.dataplane.iptables.IptablesScript;
import org.calicoledger.felix.dataplane.iptables.TableModel;
import org.calicoledger.felix.kernel.HostCommands;
import org.calicoledger.store.Keys;

/**
 * Felix's iptables and ipsets parts: a full sync (start of Felix, empty kernel) for 10,000 local workload endpoints,
 * against the raw tools applying the same content.
 *
 * <p>Ours: fresh ipsets and iptables parts in a fresh namespace; {@code onImage} of an image with one natOutgoing pool
 * and 10,000 WorkloadEndpoints on this node, then {@code apply(true)} of both: {@code ipset save} and
 * {@code iptables-save -t filter|nat} read back, diffed, one {@code ipset restore} and one
 * {@code iptables-restore --noflush} per table. Content: the pool ipsets plus one 10,000-member {@code hash:net} set of
 * the endpoint addresses (standing in for a policy selector's set; policy is a later issue), and 20,000 per-endpoint
 * chains {@code cali-fw-<iface>}/{@code cali-tw-<iface>} (3 rules each, default allow), two dispatch chains of 10,000
 * goto rules each, {@code cali-FORWARD}, the NAT chains and the hook jumps: 20,005 chains, 80,008 rules.
 * Anchor: in another fresh namespace, {@code ipset restore} and one {@code iptables-restore --noflush} of exactly the
 * text ours writes (rendered once beforehand). Samples interleaved, medians; goal at most 1.3x.
 */
final class FelixRulesBench implements Benchmark {
  static final int ENDPOINTS = 10_000;
  static final int SAMPLES = 3;
  private final String id = "fxb-bench-" + ProcessHandle.current().pid();
  private final List<String> namespaces = new ArrayList<>();

  @Override
  public String name() {
    return "felix-rules";
  }

  @Override
  public List<Row> run() throws Exception {
    Thread hook = new Thread(this::cleanup, "felix-bench-cleanup");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      ClusterImage image = image();
      Map<String, IpSet> extra = Map.of("cali40bench-wl-ips", endpointSet());
      String ipsetText;
      String iptablesText;
      {
        IpSetsPart ipsets = new IpSetsPart(HostCommands.LOCAL);
        ipsets.setExtra(extra);
        ipsets.onImage(image);
        ipsetText = IpsetScript.diff(ipsets.desired(), Map.of()).restore();
        IptablesPart iptables = new IptablesPart(ctx(), HostCommands.LOCAL);
        iptables.onImage(image);
        StringBuilder sb = new StringBuilder();
        for (TableModel t : iptables.desired()) {
          sb.append(IptablesScript.diff(t, ActualTable.parse("")));
        }
        iptablesText = sb.toString();
      }
      List<Double> ours = new ArrayList<>();
      List<Double> anchor = new ArrayList<>();
      for (int i = 0; i <= SAMPLES; i++) { // sample 0 warms up both sides
        String a = namespace("raw" + i);
        HostCommands raw = HostCommands.inNamespace(a);
        long t0 = System.nanoTime();
        raw.must(ipsetText, "ipset", "restore");
        raw.must(iptablesText, "iptables-restore", "--noflush");
        double rawMs = (System.nanoTime() - t0) / 1e6;
        delete(a);

        String o = namespace("ours" + i);
        HostCommands cmd = HostCommands.inNamespace(o);
        long t1 = System.nanoTime();
        IpSetsPart ipsets = new IpSetsPart(cmd);
        ipsets.setExtra(extra);
        IptablesPart iptables = new IptablesPart(ctx(), cmd);
        ipsets.onImage(image);
        iptables.onImage(image);
        ipsets.apply(true);
        iptables.apply(true);
        double oursMs = (System.nanoTime() - t1) / 1e6;
        if (i == 0) {
          check(cmd);
        }
        delete(o);
        if (i > 0) {
          ours.add(oursMs);
          anchor.add(rawMs);
        }
      }
      return List.of(Row.of("felix full sync, 10k endpoints: iptables + ipsets parts vs ipset/iptables-restore",
          Stats.median(ours), Stats.median(anchor), "ms", Row.Goal.ratioAtMost(1.3)));
    } finally {
      cleanup();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the hook runs anyway
      }
    }
  }

  /** The run is only a measurement if the kernel holds what was meant: every endpoint chain and set member. */
  private static void check(HostCommands cmd) {
    String filter = cmd.must(null, "iptables-save", "-t", "filter").out();
    long chains = filter.lines().filter(l -> l.startsWith(":cali-fw-") || l.startsWith(":cali-tw-")).count();
    String sets = cmd.must(null, "ipset", "list", "cali40bench-wl-ips", "-t").out();
    if (chains != 2L * ENDPOINTS || !sets.contains("Number of entries: " + ENDPOINTS)) {
      throw new IllegalStateException("felix bench: expected " + 2 * ENDPOINTS + " endpoint chains and "
          + ENDPOINTS + " set members, found " + chains + " chains and\n" + sets);
    }
  }

  private static FelixContext ctx() {
    return new FelixContext("bench-node", Map.of(), Path.of("/nonexistent"), null, "bench");
  }

  private static String iface(int i) {
    return String.format("cali%011x", 0x5ca1ab1e000L + i);
  }

  private static String ip(int i) {
    return "10.0." + (i / 250) + "." + (1 + i % 250);
  }

  private static IpSet endpointSet() {
    TreeSet<String> m = new TreeSet<>();
    for (int i = 0; i < ENDPOINTS; i++) {
      m.add(ip(i));
    }
    return new IpSet("cali40bench-wl-ips", "hash:net", "inet", m);
  }

  private static ClusterImage image() {
    ClusterDelta d = ClusterDelta.snapshot(ClusterImage.EMPTY, 1);
    int n = ENDPOINTS + 1;
    int pos = 0;
    put(d, pos++, n, Keys.RESOURCES + "ippools/default-ipv4-ippool", "{\"kind\":\"IPPool\","
        + "\"apiVersion\":\"projectcalico.org/v3\",\"metadata\":{\"name\":\"default-ipv4-ippool\"},\"spec\":{"
        + "\"cidr\":\"10.0.0.0/16\",\"ipipMode\":\"Never\",\"vxlanMode\":\"Never\",\"natOutgoing\":true,"
        + "\"blockSize\":26,\"nodeSelector\":\"all()\"}}");
    for (int i = 0; i < ENDPOINTS; i++) {
      String name = "bench--node-k8s-pod" + i + "-eth0";
      put(d, pos++, n, Keys.RESOURCES + "workloadendpoints/default/" + name, "{\"kind\":\"WorkloadEndpoint\","
          + "\"apiVersion\":\"projectcalico.org/v3\",\"metadata\":{\"name\":\"" + name + "\",\"namespace\":"
          + "\"default\"},\"spec\":{\"node\":\"bench-node\",\"orchestrator\":\"k8s\",\"endpoint\":\"eth0\","
          + "\"pod\":\"pod" + i + "\",\"interfaceName\":\"" + iface(i) + "\",\"ipNetworks\":[\"" + ip(i)
          + "/32\"]}}");
    }
    return d.apply();
  }

  private static void put(ClusterDelta d, int pos, int count, String key, String json) {
    d.replay(1, pos, count, key, Operation.PUT, ByteString.copyFromUtf8(json));
  }

  private String namespace(String role) {
    String ns = id + "-" + role;
    HostCommands.LOCAL.must(null, "ip", "netns", "add", ns);
    namespaces.add(ns);
    return ns;
  }

  private void delete(String ns) {
    HostCommands.LOCAL.run(null, "ip", "netns", "del", ns);
    namespaces.remove(ns);
  }

  private synchronized void cleanup() {
    for (String ns : new ArrayList<>(namespaces)) {
      delete(ns);
    }
  }
}
