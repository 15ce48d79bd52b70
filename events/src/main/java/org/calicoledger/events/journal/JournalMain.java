package org.calicoledger.events.journal;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.calicoledger.events.KafkaSettings;
import org.calicoledger.events.kafka.EmbeddedKafka;
import org.calicoledger.model.GoDuration;
import org.calicoledger.store.EtcdStore;
import org.calicoledger.store.KeyValue;
import org.calicoledger.store.Leadership;
import org.calicoledger.store.Logging;
import org.calicoledger.store.Store;
import org.calicoledger.store.StoreConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code calico-journal}: publishes every change under {@code /calico/} to the change log. Several may run; one leads
 * (an etcd election on a lease), the others wait. etcd is configured as for calicoctl (ETCD_ENDPOINTS, ...); Kafka with
 * KAFKA_BOOTSTRAP_SERVERS (plus KAFKA_CLIENT_* pass-through), or {@code --kafka-embedded DIR} to run a real broker in
 * this process.
 */
@Command(name = "calico-journal", mixinStandardHelpOptions = true,
    description = "Publish every etcd change under /calico/ to Kafka (calico.changes, calico.state), in order.")
public final class JournalMain implements Callable<Integer> {
  static final String ELECTION = "/calico/ledger/v1/elections/journal";
  private static final System.Logger LOG = System.getLogger("calico-journal");

  @Option(names = "--kafka-embedded", paramLabel = "DIR",
      description = "Run a single-node Kafka broker in this process, with its data in DIR.")
  Path embedded;

  @Option(names = "--kafka-listen", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:9092",
      description = "Where the embedded broker listens for clients (default ${DEFAULT-VALUE}).")
  String listen;

  @Option(names = "--kafka-controller-listen", paramLabel = "HOST:PORT",
      description = "Where the embedded broker's controller listens (default: the client port + 1).")
  String controllerListen;

  @Option(names = "--name", paramLabel = "NAME", description = "This journal's name in the election (default: the hostname).")
  String name;

  @Option(names = "--election-ttl", paramLabel = "DURATION", defaultValue = "10s",
      description = "Lease TTL: how long a crashed leader blocks failover (default ${DEFAULT-VALUE}).")
  String electionTtl;

  @Option(names = "--max-batch", paramLabel = "EVENTS", defaultValue = "5000",
      description = "Most events per Kafka transaction (default ${DEFAULT-VALUE}).")
  int maxBatch;

  private volatile boolean stopping;
  private final CountDownLatch stopped = new CountDownLatch(1);

  public static void main(String[] args) {
    Logging.configure("info");
    System.exit(new CommandLine(new JournalMain()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    if (name == null || name.isBlank()) {
      name = InetAddress.getLocalHost().getHostName();
    }
    Duration ttl = GoDuration.parse(electionTtl);
    EmbeddedKafka broker = null;
    KafkaSettings kafka = KafkaSettings.fromEnvironment(System.getenv());
    if (embedded != null) {
      HostPort client = HostPort.parse(listen, "--kafka-listen");
      HostPort controller = controllerListen == null ? new HostPort(client.host(), client.port() + 1)
          : HostPort.parse(controllerListen, "--kafka-controller-listen");
      broker = EmbeddedKafka.start(embedded, client.host(), client.port(), controller.port());
      kafka = new KafkaSettings(broker.bootstrapServers(), kafka.passthrough());
      LOG.log(System.Logger.Level.INFO, "embedded Kafka broker listening on " + broker.bootstrapServers());
    }
    Thread main = Thread.currentThread();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      stopping = true;
      main.interrupt();
      try {
        stopped.await();
      } catch (InterruptedException ignored) {
        Thread.currentThread().interrupt();
      }
    }, "journal-shutdown"));
    try (Store store = EtcdStore.connect(StoreConfig.load(null, System.getenv()))) {
      Journal journal = new Journal(store, kafka, maxBatch);
      while (!stopping) {
        try {
          lead(store, journal, ttl);
        } catch (RuntimeException e) {
          if (!stopping) {
            LOG.log(System.Logger.Level.WARNING, "journal session ended: " + e.getMessage() + "; retrying in 1s");
            sleep(1000);
          }
        }
      }
    } finally {
      if (broker != null) {
        broker.close();
      }
      stopped.countDown();
    }
    return 0;
  }

  /** One term: campaign, then publish sessions while leading; step down when fenced or the lease is lost. */
  private void lead(Store store, Journal journal, Duration ttl) {
    takeOverOwnCandidacy(store);
    try (Leadership leadership = store.campaign(ELECTION, name, ttl)) {
      LOG.log(System.Logger.Level.INFO, "journal " + name + " campaigning (lease " + Long.toHexString(leadership.leaseId()) + ")");
      while (!stopping && !leadership.awaitLeadership(Duration.ofMillis(500))) {
        if (leadership.lost().isDone()) {
          return;
        }
      }
      if (stopping) {
        return;
      }
      LOG.log(System.Logger.Level.INFO, "journal " + name + " leads");
      while (!stopping && leadership.isLeader()) {
        try {
          journal.publish(() -> !stopping && leadership.isLeader());
        } catch (Journal.FencedException e) {
          LOG.log(System.Logger.Level.WARNING, e.getMessage() + "; stepping down");
          return;
        } catch (RuntimeException e) {
          if (stopping) {
            return;
          }
          LOG.log(System.Logger.Level.WARNING, "publishing stopped: " + e.getMessage() + "; restarting the session");
          sleep(500);
        }
      }
      LOG.log(System.Logger.Level.INFO, "journal " + name + " no longer leads");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * A journal restarted after a crash would otherwise wait for its dead predecessor's lease (same name) to expire;
   * that candidacy is ours, so revoke it now. (Names must therefore be unique per journal.)
   */
  private void takeOverOwnCandidacy(Store store) {
    for (KeyValue kv : store.range(ELECTION + "/").kvs()) {
      if (kv.text().equals(name)) {
        String hex = kv.key().substring(kv.key().lastIndexOf('/') + 1);
        try {
          store.revokeLease(Long.parseUnsignedLong(hex, 16));
          LOG.log(System.Logger.Level.INFO, "revoked the lease of a previous run of " + name + " (" + hex + ")");
        } catch (RuntimeException e) {
          LOG.log(System.Logger.Level.DEBUG, "could not revoke " + hex + ": " + e.getMessage());
        }
      }
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  record HostPort(String host, int port) {
    static HostPort parse(String text, String option) {
      int colon = text.lastIndexOf(':');
      try {
        String host = text.substring(0, colon).replace("[", "").replace("]", "");
        int port = Integer.parseInt(text.substring(colon + 1));
        if (host.isEmpty() || port < 1 || port > 65535) {
          throw new IllegalArgumentException();
        }
        return new HostPort(host, port);
      } catch (RuntimeException e) {
        throw new CommandLine.ParameterException(new CommandLine(new JournalMain()),
            option + " '" + text + "' must be HOST:PORT, e.g. 127.0.0.1:9092");
      }
    }
  }
}
