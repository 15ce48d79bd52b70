package org.calicoledger.lab;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The high-availability infra ({@code bin/demo --ha}, {@code HaIT}): in one namespace, on 10.10.0.11, .12 and .13
 * (added when absent: to eth0 when the namespace has one, else to lo), a 3-member etcd cluster (client :2379, peer
 * :2380), a 3-node KRaft Kafka cluster of {@code bin/calico-kafka} processes (client :9092, controller :9093; every
 * node is a broker and a voter) and two {@code bin/calico-journal}s ({@code journal-1}, {@code journal-2}) against
 * both, of which one leads. Every process runs as an OS process through the given {@link Host}, so the cluster's
 * cleanup kills it even when {@link #close} is never reached.
 *
 * <p>Ready when every etcd member answers its health check, every Kafka node printed that it serves, and one journal
 * leads. Failure injection ({@link #killEtcdMember}, {@link #killBroker}, {@link #killLeadingJournal}) is SIGKILL, as
 * abrupt as a crashed host; indices are 1-3 (journals 1-2). The topics are created by the first journal after all three
 * brokers serve, so they get 3 replicas with min.insync.replicas 2: one broker down loses nothing acknowledged.
 */
public final class HaInfra implements Infra {
  public static final List<String> ADDRESSES = List.of("10.10.0.11", "10.10.0.12", "10.10.0.13");
  private static final Duration READY = Duration.ofSeconds(120);

  private final Host host;
  private final String ns;
  private final List<Host.Proc> etcd = new ArrayList<>();
  private final List<Host.Proc> kafka = new ArrayList<>();
  private final Map<String, Host.Proc> journals = new LinkedHashMap<>();

  private HaInfra(Host host, String ns) {
    this.host = host;
    this.ns = ns;
  }

  /** {@link Infra.Factory} of this kind: starts everything in {@code ns} and waits until it is ready. */
  public static HaInfra start(Host host, String ns, Path dir) {
    HaInfra infra = new HaInfra(host, ns);
    try {
      infra.addAddresses();
      infra.startEtcd(dir);
      infra.startKafka(dir);
      infra.startJournals(dir);
      return infra;
    } catch (RuntimeException | Error e) {
      infra.close();
      throw e;
    }
  }

  private void addAddresses() {
    String have = Host.inNs(ns, "ip", "-o", "-4", "addr", "show").orThrow().out();
    boolean eth0 = Host.inNs(ns, "ip", "link", "show", "eth0").ok();
    for (String a : ADDRESSES) {
      if (!have.contains(" " + a + "/")) {
        Host.inNs(ns, "ip", "addr", "add", a + (eth0 ? "/24" : "/32"), "dev", eth0 ? "eth0" : "lo").orThrow();
      }
    }
  }

  private void startEtcd(Path dir) {
    List<String> peers = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      peers.add("etcd-" + i + "=http://" + address(i) + ":2380");
    }
    String token = "ha-" + Long.toHexString(new SecureRandom().nextLong());
    for (int i = 1; i <= 3; i++) {
      String a = address(i);
      etcd.add(host.spawn("etcd-" + i, Host.nsCommand(ns, Map.of(), List.of("etcd", "--name", "etcd-" + i,
          "--data-dir", dir.resolve("etcd-" + i).toString(),
          "--listen-client-urls", "http://" + a + ":2379", "--advertise-client-urls", "http://" + a + ":2379",
          "--listen-peer-urls", "http://" + a + ":2380", "--initial-advertise-peer-urls", "http://" + a + ":2380",
          "--initial-cluster", String.join(",", peers), "--initial-cluster-state", "new",
          "--initial-cluster-token", token)), Map.of(), dir.resolve("etcd-" + i + ".log")));
    }
    for (int i = 1; i <= 3; i++) {
      Host.Proc p = etcd.get(i - 1);
      String url = "http://" + address(i) + ":2379";
      Host.await(READY, "etcd member " + i + " in " + ns + " healthy", () -> {
        if (!p.alive()) {
          throw new IllegalStateException(p.name + " exited:\n" + p.logText());
        }
        return Host.inNs(ns, Map.of("ETCDCTL_API", "3"), null, Duration.ofSeconds(10), "etcdctl", "--endpoints", url,
            "endpoint", "health").ok();
      });
    }
  }

  private void startKafka(Path dir) {
    List<String> voters = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      voters.add(i + "@" + address(i) + ":9093");
    }
    String clusterId = clusterId();
    for (int i = 1; i <= 3; i++) {
      String a = address(i);
      kafka.add(host.spawn("kafka-" + i, Host.nsCommand(ns, Map.of("CALICO_NO_SETUP", "1",
          "CALICO_KAFKA_JAVA_OPTS", "-Xmx384m -XX:+UseSerialGC"), List.of(Cluster.ROOT.resolve("bin/calico-kafka").toString(),
          "--node-id", Integer.toString(i), "--listen", a + ":9092", "--controller", a + ":9093",
          "--voters", String.join(",", voters), "--dir", dir.resolve("kafka-" + i).toString(),
          "--cluster-id=" + clusterId)), Map.of(), dir.resolve("kafka-" + i + ".log")));
    }
    for (int i = 1; i <= 3; i++) {
      Host.Proc p = kafka.get(i - 1);
      String ready = "kafka node " + i + " ready on";
      Host.await(READY, "Kafka node " + i + " in " + ns + " serving", () -> {
        if (!p.alive()) {
          throw new IllegalStateException(p.name + " exited:\n" + p.logText());
        }
        return p.logText().contains(ready);
      });
    }
  }

  private void startJournals(Path dir) {
    for (int i = 1; i <= 2; i++) {
      String name = "journal-" + i;
      journals.put(name, host.spawn(name, Host.nsCommand(ns, Map.of("CALICO_NO_SETUP", "1",
          "CALICO_JAVA_OPTS", "-Xmx256m -XX:+UseSerialGC", "ETCD_ENDPOINTS", etcdEndpoints(),
          "KAFKA_BOOTSTRAP_SERVERS", kafkaBootstrap()), List.of(Cluster.ROOT.resolve("bin/calico-journal").toString(),
          "--name", name, "--election-ttl", "3s")), Map.of(), dir.resolve(name + ".log")));
    }
    Host.await(READY, "one calico-journal in " + ns + " leading", () -> {
      for (Host.Proc p : journals.values()) {
        if (!p.alive()) {
          throw new IllegalStateException(p.name + " exited:\n" + p.logText());
        }
      }
      return leader() != null;
    });
  }

  /** Kafka's cluster id form: 16 random bytes, URL-safe base64 without padding (22 characters). */
  private static String clusterId() {
    byte[] b = new byte[16];
    new SecureRandom().nextBytes(b);
    b[0] = (byte) (b[0] | 0x40); // never one of Kafka's reserved ids (all zero, or 1)
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  /** Address of member {@code i} (1-3). */
  public static String address(int i) {
    if (i < 1 || i > 3) {
      throw new IllegalArgumentException("member " + i + " does not exist: members are 1-3");
    }
    return ADDRESSES.get(i - 1);
  }

  @Override
  public String etcdEndpoints() {
    return String.join(",", ADDRESSES.stream().map(a -> "http://" + a + ":2379").toList());
  }

  /** The client URLs of the etcd members still running (for tools that do not fail over, e.g. one etcdctl call). */
  public String liveEtcdEndpoints() {
    List<String> live = new ArrayList<>();
    for (int i = 1; i <= etcd.size(); i++) {
      if (etcd.get(i - 1).alive()) {
        live.add("http://" + address(i) + ":2379");
      }
    }
    return String.join(",", live);
  }

  @Override
  public String kafkaBootstrap() {
    return String.join(",", ADDRESSES.stream().map(a -> a + ":9092").toList());
  }

  /** The journal that leads now, by its log: alive, and its last term line says it leads. Null when none does. */
  public String leader() {
    String found = null;
    for (Map.Entry<String, Host.Proc> e : journals.entrySet()) {
      Host.Proc p = e.getValue();
      if (!p.alive()) {
        continue;
      }
      String log = p.logText();
      int leads = log.lastIndexOf("journal " + e.getKey() + " leads");
      int lost = Math.max(log.lastIndexOf("journal " + e.getKey() + " no longer leads"),
          Math.max(log.lastIndexOf("stepping down"), log.lastIndexOf("journal " + e.getKey() + " campaigning")));
      if (leads >= 0 && leads > lost) {
        found = e.getKey();
      }
    }
    return found;
  }

  /** SIGKILL to etcd member {@code i} (1-3). */
  public void killEtcdMember(int i) {
    address(i);
    etcd.get(i - 1).kill();
  }

  /** SIGKILL to Kafka node {@code i} (1-3): its broker and its controller vote. */
  public void killBroker(int i) {
    address(i);
    kafka.get(i - 1).kill();
  }

  /**
   * SIGKILL to the journal that leads now; returns its name. The other takes over once the dead one's lease expires
   * (3 s) and fences it by the transactional id.
   */
  public String killLeadingJournal() {
    String name = leader();
    if (name == null) {
      throw new IllegalStateException("no journal leads now: " + journals.keySet());
    }
    journals.get(name).kill();
    return name;
  }

  /** The journals by name ({@code journal-1}, {@code journal-2}), with their logs. */
  public Map<String, Host.Proc> journals() {
    return Map.copyOf(journals);
  }

  /** Every process this infra started (etcd members, Kafka nodes, journals), for logs on failure. */
  public List<Host.Proc> processes() {
    List<Host.Proc> all = new ArrayList<>(etcd);
    all.addAll(kafka);
    all.addAll(journals.values());
    return all;
  }

  /** The namespace this infra runs in. */
  public String namespace() {
    return ns;
  }

  @Override
  public void close() {
    journals.values().forEach(p -> p.stop(Duration.ofSeconds(10)));
    kafka.parallelStream().forEach(p -> p.stop(Duration.ofSeconds(15)));
    etcd.forEach(p -> p.stop(Duration.ofSeconds(10)));
  }
}
