package org.calicoledger.hooks;

import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.calicoledger.events.KafkaSettings;
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
 * {@code calico-hooks}: runs the hooks defined in etcd against the change log. Several may run; one leads (an etcd
 * election on a lease, as the journal's) and runs every hook, the others wait to take over. A runner restarted under
 * the same {@code --name} takes its previous lease over at once. etcd is configured as for calicoctl, Kafka with
 * {@code KAFKA_BOOTSTRAP_SERVERS} (and {@code KAFKA_CLIENT_*}).
 */
@Command(name = "calico-hooks", mixinStandardHelpOptions = true,
    description = "Run commands and webhooks on matching changes of the change log (calico.changes), in order, at least once.")
public final class HooksMain implements Callable<Integer> {
  static final String ELECTION = "/calico/ledger/v1/elections/hooks";
  private static final System.Logger LOG = System.getLogger("org.calicoledger.hooks");

  @Option(names = "--name", paramLabel = "NAME", description = "This runner's name in the election (default: the hostname).")
  String name;

  @Option(names = "--election-ttl", paramLabel = "DURATION", defaultValue = "10s",
      description = "Lease TTL: how long a crashed leader blocks failover (default ${DEFAULT-VALUE}).")
  String electionTtl;

  @Option(names = "--status-interval", paramLabel = "DURATION", defaultValue = "500ms",
      description = "Persist each hook's position at most this often; a crash re-delivers at most this much"
          + " (default ${DEFAULT-VALUE}).")
  String statusInterval;

  @Option(names = "--kafka-timeout", paramLabel = "DURATION", defaultValue = "10s",
      description = "How long Kafka may take to answer (default ${DEFAULT-VALUE}).")
  String kafkaTimeout;

  private volatile boolean stopping;
  private final CountDownLatch stopped = new CountDownLatch(1);

  public static void main(String[] args) {
    Logging.configure("info");
    System.exit(new CommandLine(new HooksMain()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    if (name == null || name.isBlank()) {
      name = InetAddress.getLocalHost().getHostName();
    }
    Duration ttl = duration("--election-ttl", electionTtl);
    HookRunner.Options options = new HookRunner.Options(duration("--status-interval", statusInterval),
        duration("--kafka-timeout", kafkaTimeout));
    KafkaSettings kafka = KafkaSettings.fromEnvironment(System.getenv());
    Thread main = Thread.currentThread();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      stopping = true;
      main.interrupt();
      try {
        stopped.await();
      } catch (InterruptedException ignored) {
        Thread.currentThread().interrupt();
      }
    }, "hooks-shutdown"));
    try (Store store = EtcdStore.connect(StoreConfig.load(null, System.getenv()))) {
      HookRunner runner = new HookRunner(store, kafka, options);
      while (!stopping) {
        try {
          lead(store, runner, ttl);
        } catch (InterruptedException e) {
          if (stopping) {
            break;
          }
          Thread.interrupted();
        } catch (RuntimeException e) {
          if (!stopping) {
            LOG.log(System.Logger.Level.WARNING, "hooks stopped: " + e.getMessage() + "; retrying in 1s");
            sleep(1000);
          }
        }
      }
    } finally {
      stopped.countDown();
    }
    return 0;
  }

  private Duration duration(String option, String text) {
    try {
      Duration d = GoDuration.parse(text);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("must be positive");
      }
      return d;
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(new CommandLine(this), option + " '" + text
          + "' must be a positive duration such as 500ms, 10s or 1m");
    }
  }

  /** One term: campaign, run the hooks while leading, stop them when leadership ends. */
  private void lead(Store store, HookRunner runner, Duration ttl) throws InterruptedException {
    takeOverOwnCandidacy(store);
    try (Leadership leadership = store.campaign(ELECTION, name, ttl)) {
      LOG.log(System.Logger.Level.INFO, "calico-hooks " + name + " campaigning");
      while (!stopping && !leadership.awaitLeadership(Duration.ofMillis(500))) {
        if (leadership.lost().isDone()) {
          return;
        }
      }
      if (stopping) {
        return;
      }
      LOG.log(System.Logger.Level.INFO, "calico-hooks " + name + " leads: running the hooks");
      runner.run(() -> !stopping && leadership.isLeader());
      LOG.log(System.Logger.Level.INFO, "calico-hooks " + name + " no longer runs the hooks");
    }
  }

  /** A runner restarted after a crash would wait for its own dead candidacy's lease to expire: revoke it now. */
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
}
