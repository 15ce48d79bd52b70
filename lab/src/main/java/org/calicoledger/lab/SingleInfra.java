package org.calicoledger.lab;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One etcd (on 10.10.0.1:2379 and the namespace's 127.0.0.1:2379) and one {@code bin/calico-journal} with its
 * embedded Kafka broker on 10.10.0.1:9092, in the infra namespace. Ready when etcd answers its health check and the
 * journal logs that it leads.
 */
public final class SingleInfra implements Infra {
  public static final String ADDRESS = "10.10.0.1";
  public static final String ETCD = "http://" + ADDRESS + ":2379";
  public static final String KAFKA = ADDRESS + ":9092";

  private final Host.Proc etcd;
  private final Host.Proc journal;

  private SingleInfra(Host.Proc etcd, Host.Proc journal) {
    this.etcd = etcd;
    this.journal = journal;
  }

  /** {@link Infra.Factory} of this kind. */
  public static Infra start(Host host, String ns, Path dir) {
    Host.Proc etcd = host.spawn("etcd", Host.nsCommand(ns, Map.of(), List.of("etcd", "--name", "infra",
        "--data-dir", dir.resolve("etcd").toString(), "--listen-client-urls", "http://127.0.0.1:2379," + ETCD,
        "--advertise-client-urls", ETCD, "--listen-peer-urls", "http://127.0.0.1:2380",
        "--initial-advertise-peer-urls", "http://127.0.0.1:2380", "--initial-cluster", "infra=http://127.0.0.1:2380")),
        Map.of(), dir.resolve("etcd.log"));
    Host.await(Duration.ofSeconds(30), "etcd in " + ns + " healthy", () -> {
      if (!etcd.alive()) {
        throw new IllegalStateException("etcd exited:\n" + etcd.logText());
      }
      return Host.inNs(ns, Map.of("ETCDCTL_API", "3"), null, Duration.ofSeconds(10), "etcdctl", "--endpoints",
          ETCD, "endpoint", "health").ok();
    });
    Host.Proc journal = host.spawn("journal", Host.nsCommand(ns, Map.of("CALICO_NO_SETUP", "1",
        "ETCD_ENDPOINTS", ETCD), List.of(Cluster.ROOT.resolve("bin/calico-journal").toString(), "--kafka-embedded",
        dir.resolve("kafka").toString(), "--kafka-listen", KAFKA, "--name", "journal-1")), Map.of(),
        dir.resolve("journal.log"));
    Host.await(Duration.ofSeconds(90), "calico-journal in " + ns + " leading", () -> {
      if (!journal.alive()) {
        throw new IllegalStateException("calico-journal exited:\n" + journal.logText());
      }
      return journal.logText().contains("journal journal-1 leads");
    });
    return new SingleInfra(etcd, journal);
  }

  @Override
  public String etcdEndpoints() {
    return ETCD;
  }

  @Override
  public String kafkaBootstrap() {
    return KAFKA;
  }

  public Host.Proc etcd() {
    return etcd;
  }

  public Host.Proc journal() {
    return journal;
  }

  @Override
  public void close() {
    journal.stop(Duration.ofSeconds(10));
    etcd.stop(Duration.ofSeconds(10));
  }
}
