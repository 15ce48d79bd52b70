package org.calicoledger.bench.mesh;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.calicoledger.ipam.Assignment;
import org.calicoledger.ipam.Ipam;
import org.calicoledger.store.EtcdStore;
import org.calicoledger.store.StoreConfig;
import org.calicoledger.store.StoreException;
import org.calicoledger.store.Watch;
import org.calicoledger.store.WatchEvent;

/**
 * Ours: {@code n} real {@code bin/calico-node} processes ({@code CALICO_NETWORKING_BACKEND=builtin}: our BGP speaker
 * plus Felix programming that node's kernel), one per namespace {@code <prefix>-nK} at {@code 10.40.0.(K+1)} on bridge
 * {@code br0} of the switch namespace (where this JVM runs), with etcd and {@code bin/calico-journal} (embedded Kafka
 * broker on 10.40.0.254:9092) beside it; full iBGP mesh (Calico's default), IP pool {@code 10.30.0.0/16} with
 * {@code /26} blocks, no IPIP or VXLAN, so other nodes' blocks reach each kernel only through BGP.
 *
 * <p>A change: IPAM assigns an address of an unclaimed block to node K, which claims that block affine to K (pending
 * affinity, block, confirmed affinity: Calico's claim) and then assigns the address, all in etcd. The clock starts
 * before that call; the route is {@code <block> via 10.40.0.(K+1)} in every other node's kernel.
 */
final class OurMesh implements AutoCloseable {
  static final String POOL = "10.30.0.0/16";
  private final MeshHost host;
  private final String switchNs;
  private final Path root;
  private final int n;
  final List<String> namespaces = new ArrayList<>();
  private final List<Path> logs = new ArrayList<>();
  private final List<Process> nodes = new ArrayList<>();
  private final Map<Integer, Integer> starts = new ConcurrentHashMap<>();
  private static final int WAVE = 5;
  private EtcdStore store;
  private Ipam ipam;
  private Watch confirmedWatch;
  /** Affinity key to when a watch on etcd (as the journal has one) saw it confirmed, epoch microseconds. */
  private final Map<String, Long> confirmedAt = new ConcurrentHashMap<>();

  OurMesh(MeshHost host, String switchNs, Path root, int n) {
    this.host = host;
    this.switchNs = switchNs;
    this.root = root;
    this.n = n;
  }

  static String address(int k) {
    return "10.40.0." + (k + 1);
  }

  void start(String nodeJavaOpts) throws Exception {
    MeshHost.run("ip", "link", "add", "br0", "type", "bridge");
    MeshHost.run("ip", "addr", "add", "10.40.0.254/24", "dev", "br0");
    MeshHost.run("ip", "link", "set", "br0", "up");
    Path etcdLog = host.dir.resolve("etcd.log");
    host.spawn(List.of("etcd", "--name", "mesh", "--data-dir", host.dir.resolve("etcd").toString(),
        "--listen-client-urls", "http://127.0.0.1:2379,http://10.40.0.254:2379",
        "--advertise-client-urls", "http://10.40.0.254:2379", "--listen-peer-urls", "http://127.0.0.1:2380",
        "--initial-advertise-peer-urls", "http://127.0.0.1:2380", "--initial-cluster", "mesh=http://127.0.0.1:2380"),
        etcdLog);
    MeshKernel.await(Duration.ofSeconds(30), () -> MeshHost.read(etcdLog).contains("ready to serve client"),
        () -> "etcd ready:\n" + MeshHost.tail(etcdLog, 20));
    Path journalLog = host.dir.resolve("journal.log");
    Process journal = host.spawn(List.of("env", "CALICO_NO_SETUP=1", "ETCD_ENDPOINTS=http://127.0.0.1:2379",
        "CALICO_JAVA_OPTS=-XX:+UseSerialGC -Xmx384m", root.resolve("bin/calico-journal").toString(),
        "--kafka-embedded", host.dir.resolve("kafka").toString(), "--kafka-listen", "10.40.0.254:9092",
        "--name", "mesh"), journalLog);
    MeshKernel.await(Duration.ofSeconds(120), () -> {
      if (!journal.isAlive()) {
        throw new IllegalStateException("calico-journal exited:\n" + MeshHost.tail(journalLog, 40));
      }
      return MeshHost.read(journalLog).contains("journal mesh leads");
    }, () -> "calico-journal leading:\n" + MeshHost.tail(journalLog, 20));

    for (int k = 0; k < n; k++) {
      namespaces.add(host.attached("n" + k, switchNs, "br0", address(k)));
    }
    // the first node creates the default pool; the others start in waves of WAVE, each once the wave before is
    // ready (19 JVMs starting at once on two cores can miss calico-node's 30 s Kafka connect timeout)
    startNode(0, nodeJavaOpts);
    awaitReady(0, Duration.ofSeconds(180), nodeJavaOpts);
    for (int first = 1; first < n; first += WAVE) {
      int end = Math.min(n, first + WAVE);
      for (int k = first; k < end; k++) {
        startNode(k, nodeJavaOpts);
      }
      for (int k = first; k < end; k++) {
        awaitReady(k, Duration.ofSeconds(300), nodeJavaOpts);
      }
    }
    store = EtcdStore.connect(StoreConfig.local("http://127.0.0.1:2379"));
    long revision = -1;
    for (int attempt = 1; revision < 0; attempt++) { // a cold jetcd client on a loaded machine can miss 10 s
      try {
        revision = store.revision();
      } catch (StoreException.Unavailable e) {
        if (attempt == 6) {
          throw e;
        }
        System.out.println("mesh: etcd revision, attempt " + attempt + ": " + e.getMessage());
      }
    }
    confirmedWatch = store.watch("/calico/ipam/v2/host/", revision + 1, new Watch.Listener() {
      @Override
      public void onEvents(List<WatchEvent> events) {
        long now = MeshKernel.nowMicros();
        for (WatchEvent e : events) {
          if (e.value() != null && new String(e.value(), StandardCharsets.UTF_8).contains("\"confirmed\"")) {
            confirmedAt.putIfAbsent(e.key(), now);
          }
        }
      }

      @Override
      public void onError(StoreException error) {
        System.err.println("mesh: affinity watch ended: " + error.getMessage());
      }
    });
    ipam = Ipam.builder(store).actor("bench-mesh").build();
    ipam.updateConfig(c -> c.withMaxBlocksPerHost(1000), "bench: room for many blocks per node");
  }

  private void startNode(int k, String javaOpts) throws Exception {
    Path log = host.dir.resolve("calico-node-" + k + "-" + starts.merge(k, 1, Integer::sum) + ".log");
    if (logs.size() > k) {
      logs.set(k, log);
    } else {
      logs.add(log);
    }
    Process started = host.spawn(List.of("ip", "netns", "exec", namespaces.get(k), "env", "CALICO_NO_SETUP=1",
        "NODENAME=node-" + k, "ETCD_ENDPOINTS=http://10.40.0.254:2379", "KAFKA_BOOTSTRAP_SERVERS=10.40.0.254:9092",
        "IP=" + address(k) + "/24", "CALICO_RUN_DIR=" + host.dir.resolve("run-" + k),
        "CALICO_NETWORKING_BACKEND=builtin", "CALICO_IPV4POOL_CIDR=" + POOL, "CALICO_IPV4POOL_IPIP=Never",
        "CALICO_IPV4POOL_VXLAN=Never", "FELIX_HEALTHHOST=" + address(k), "CALICO_NODE_JAVA_OPTS=" + javaOpts,
        root.resolve("bin/calico-node").toString()), log);
    if (nodes.size() > k) {
      nodes.set(k, started);
    } else {
      nodes.add(started);
    }
  }

  /** Waits for node {@code k}'s " is ready" line; a node that exited is started again, once. */
  private void awaitReady(int k, Duration timeout, String javaOpts) throws Exception {
    boolean[] exited = {false};
    MeshKernel.await(timeout, () -> {
      if (!nodes.get(k).isAlive()) {
        if (starts.get(k) > 1) {
          throw new IllegalStateException("calico-node " + k + " exited twice:\n" + MeshHost.tail(logs.get(k), 40));
        }
        exited[0] = true;
        return true;
      }
      return MeshHost.read(logs.get(k)).contains(" is ready");
    }, () -> "calico-node " + k + " ready:\n" + MeshHost.tail(logs.get(k), 20));
    if (exited[0]) {
      System.out.println("mesh: calico-node " + k + " exited while starting, starting it again:\n"
          + MeshHost.tail(logs.get(k), 3));
      startNode(k, javaOpts);
      awaitReady(k, timeout, javaOpts);
    }
  }

  /** Waits until every node's {@code /bgp/status} lists all {@code n - 1} mesh peers as Established. */
  void awaitMesh(Duration timeout) throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    for (int k = 0; k < n; k++) {
      URI uri = URI.create("http://" + address(k) + ":9099/bgp/status");
      String[] last = {""};
      MeshKernel.await(timeout, () -> {
        try {
          last[0] = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
              HttpResponse.BodyHandlers.ofString()).body();
        } catch (Exception e) {
          last[0] = e.toString();
          return false;
        }
        return last[0].split("\"Established\"", -1).length - 1 == n - 1;
      }, () -> "node " + uri + " with " + (n - 1) + " Established peers: " + last[0]);
    }
  }

  /**
   * Claims block {@code 10.30.<index>.0/26} for node {@code k} by assigning its first address there (Calico's
   * {@code AssignIP}: an unclaimed block is claimed for the node first); returns the block as {@code ip} prints it.
   */
  String newBlock(int k, int index, String handle) throws Exception {
    Assignment.Address a = ipam.assignIp(InetAddress.getByName("10.30." + index + ".1"), handle, "node-" + k,
        Map.of());
    return a.block().toString(); // affine to node k: its route must arrive via node k's address
  }

  /**
   * When this JVM's etcd watch saw node {@code k}'s affinity to {@code block} (as {@code ip} prints it) confirmed:
   * the block exists for the cluster from then on (the journal sees the same revision at about the same time).
   */
  long confirmedAt(int k, String block, java.time.Duration timeout) throws Exception {
    String key = "/calico/ipam/v2/host/node-" + k + "/ipv4/block/" + block.replace('/', '-');
    MeshKernel.await(timeout, 1, () -> confirmedAt.containsKey(key), () -> "etcd watch event for " + key);
    return confirmedAt.get(key);
  }

  String logTail(int k) {
    return MeshHost.tail(logs.get(k), 30);
  }

  @Override
  public void close() {
    if (confirmedWatch != null) {
      confirmedWatch.close();
    }
    if (store != null) {
      store.close();
    }
  }
}
