package org.calicoledger.events.kafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.calicoledger.events.ChangeLog;

/**
 * A real Kafka node (KRaft, broker and controller in one) running inside this JVM: alone, the one-machine default for
 * the change log ({@code calico-journal --kafka-embedded}); or one of several forming a quorum, one per process
 * ({@code bin/calico-kafka}, see {@link KafkaNodeMain}). It binds only the addresses it is given (never the wildcard),
 * keeps its data in {@code dir} across restarts (formatting it on first use), and sizes replication to the quorum.
 */
public final class EmbeddedKafka implements AutoCloseable {
  private final KafkaRaftServer server;
  private final String bootstrap;

  private EmbeddedKafka(KafkaRaftServer server, String bootstrap) {
    this.server = server;
    this.bootstrap = bootstrap;
  }

  /**
   * Starts a single-node broker listening for clients on {@code host:port} and for its own controller on
   * {@code host:controllerPort}.
   */
  public static EmbeddedKafka start(Path dir, String host, int port, int controllerPort) {
    return start(KafkaNode.single(dir, host, port, controllerPort));
  }

  /**
   * Starts one node (broker and controller) of a KRaft quorum and returns once its broker is serving: with several
   * voters that needs a majority of them running, so start them all before waiting on any. Internal topics and the
   * default for new topics get {@link ChangeLog#replicationFactor(int)} replicas and
   * {@link ChangeLog#minInsyncReplicas(int)} in sync, so a 3-node cluster keeps working with one node down.
   */
  public static EmbeddedKafka start(KafkaNode node) {
    Path dir = node.dir();
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the Kafka data directory " + dir, e);
    }
    String logs = dir.resolve("logs").toString();
    String address = KafkaNode.bracket(node.host());
    String controller = KafkaNode.bracket(node.controllerHost());
    String replicas = Integer.toString(ChangeLog.replicationFactor(node.brokers()));
    String minIsr = Integer.toString(ChangeLog.minInsyncReplicas(node.brokers()));
    Properties p = new Properties();
    p.put("process.roles", "broker,controller");
    p.put("node.id", Integer.toString(node.nodeId()));
    p.put("controller.quorum.voters", node.votersText());
    p.put("listeners", "PLAINTEXT://" + address + ":" + node.port() + ",CONTROLLER://" + controller + ":"
        + node.controllerPort());
    p.put("advertised.listeners", "PLAINTEXT://" + address + ":" + node.port());
    p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.put("controller.listener.names", "CONTROLLER");
    p.put("inter.broker.listener.name", "PLAINTEXT");
    p.put("log.dirs", logs);
    p.put("num.partitions", "1");
    p.put("auto.create.topics.enable", "false");
    // Internal topics need as many replicas as the cluster can hold, or transactions and groups never become available
    // (one broker) or die with the broker that holds them (several).
    p.put("default.replication.factor", replicas);
    p.put("min.insync.replicas", minIsr);
    p.put("offsets.topic.replication.factor", replicas);
    p.put("offsets.topic.num.partitions", "1");
    p.put("transaction.state.log.replication.factor", replicas);
    p.put("transaction.state.log.min.isr", minIsr);
    p.put("transaction.state.log.num.partitions", "1");
    p.put("share.coordinator.state.topic.replication.factor", replicas);
    p.put("share.coordinator.state.topic.min.isr", minIsr);
    p.put("group.initial.rebalance.delay.ms", "0");
    p.put("log.flush.interval.messages", Long.toString(Long.MAX_VALUE));
    KafkaConfig config = new KafkaConfig(p, false);
    if (!Files.exists(Path.of(logs, "meta.properties"))) {
      format(config, logs, node.clusterId());
    }
    KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
    server.startup();
    return new EmbeddedKafka(server, address + ":" + node.port());
  }

  private static void format(KafkaConfig config, String logs, String clusterId) {
    try {
      new Formatter()
          .setClusterId(clusterId)
          .setNodeId(config.nodeId())
          .setControllerListenerName("CONTROLLER")
          .setMetadataLogDirectory(logs)
          .setDirectories(List.of(logs))
          .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
          .setPrintStream(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()))
          .run();
    } catch (Exception e) {
      throw new IllegalStateException("cannot format the Kafka data directory " + logs + ": " + e.getMessage(), e);
    }
  }

  /** {@code host:port} for clients' {@code bootstrap.servers}. */
  public String bootstrapServers() {
    return bootstrap;
  }

  @Override
  public void close() {
    server.shutdown();
    server.awaitShutdown();
  }
}
