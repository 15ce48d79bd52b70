package org.calicoledger.events.kafka;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.calicoledger.store.Logging;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code calico-kafka}: one real Kafka node (KRaft broker and controller) of a multi-node cluster, in its own process;
 * for the local high-availability lab and for hosts without a Kafka distribution. Every node gets the same
 * {@code --voters} and {@code --cluster-id}; each its own {@code --node-id}, addresses and {@code --dir}. It prints
 * {@code kafka node N ready on HOST:PORT} once its broker serves clients (which takes a majority of the voters
 * running), and runs until SIGTERM.
 */
@Command(name = "calico-kafka", mixinStandardHelpOptions = true,
    description = "Run one Kafka node (KRaft broker + controller) of a multi-node cluster.")
public final class KafkaNodeMain implements Callable<Integer> {
  private static final System.Logger LOG = System.getLogger("calico-kafka");

  @Option(names = "--node-id", required = true, paramLabel = "N", description = "This node's id among the voters.")
  int nodeId;

  @Option(names = "--listen", required = true, paramLabel = "HOST:PORT", description = "Where clients connect.")
  String listen;

  @Option(names = "--controller", required = true, paramLabel = "HOST:PORT",
      description = "Where this node's controller listens (must match its entry in --voters).")
  String controller;

  @Option(names = "--voters", required = true, paramLabel = "ID@HOST:PORT,...",
      description = "The controller quorum, e.g. 1@10.10.0.11:9093,2@10.10.0.12:9093,3@10.10.0.13:9093.")
  String voters;

  @Option(names = "--dir", required = true, paramLabel = "DIR", description = "Data directory (formatted on first use).")
  Path dir;

  @Option(names = "--cluster-id", required = true, paramLabel = "ID",
      description = "The cluster's id, the same on every node (22 characters of base64, e.g. from kafka-storage random-uuid).")
  String clusterId;

  public static void main(String[] args) {
    Logging.configure("info");
    System.exit(commandLine().execute(args));
  }

  /**
   * The parser. Kafka cluster ids are base64url and may start with '-' (and then look like a cluster of short
   * options, e.g. {@code -h_t...}); an option's value is taken as its value whatever it looks like.
   */
  static CommandLine commandLine() {
    return new CommandLine(new KafkaNodeMain()).setAllowOptionsAsOptionParameters(true);
  }

  @Override
  public Integer call() throws Exception {
    KafkaNode node;
    try {
      String[] client = hostPort(listen, "--listen");
      String[] ctl = hostPort(controller, "--controller");
      node = new KafkaNode(nodeId, client[0], Integer.parseInt(client[1]), ctl[0], Integer.parseInt(ctl[1]),
          KafkaNode.parseVoters(voters), clusterId, dir);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(new CommandLine(this), e.getMessage());
    }
    CountDownLatch stop = new CountDownLatch(1);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      stop.countDown();
      try {
        stopped.await();
      } catch (InterruptedException ignored) {
        Thread.currentThread().interrupt();
      }
    }, "kafka-node-shutdown"));
    try (EmbeddedKafka kafka = EmbeddedKafka.start(node)) {
      String ready = "kafka node " + nodeId + " ready on " + kafka.bootstrapServers();
      LOG.log(System.Logger.Level.INFO, ready);
      System.out.println(ready);
      System.out.flush();
      stop.await();
    } finally {
      stopped.countDown();
    }
    return 0;
  }

  private static String[] hostPort(String text, String option) {
    int colon = text.lastIndexOf(':');
    String host = colon < 1 ? "" : text.substring(0, colon).replace("[", "").replace("]", "");
    String port = colon < 0 ? "" : text.substring(colon + 1);
    if (host.isEmpty() || !port.matches("[0-9]{1,5}")) {
      throw new IllegalArgumentException(option + " '" + text + "' must be HOST:PORT, e.g. 10.10.0.11:9092");
    }
    return new String[] {host, port};
  }
}
