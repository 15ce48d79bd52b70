package org.calicoledger.events.kafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A real single-node Kafka broker (KRaft, broker and controller in one) running inside this JVM: the one-machine
 * default for the change log. It binds only the addresses it is given (never the wildcard), keeps its data in
 * {@code dir} across restarts (formatting it on first use), and is configured for transactions with one replica.
 * A real Kafka cluster ({@code KAFKA_BOOTSTRAP_SERVERS}) is the path past one machine.
 */
public final class EmbeddedKafka implements AutoCloseable {
  private final KafkaRaftServer server;
  private final String bootstrap;

  private EmbeddedKafka(KafkaRaftServer server, String bootstrap) {
    this.server = server;
    this.bootstrap = bootstrap;
  }

  /**
   * Starts a broker listening for clients on {@code host:port} and for its own controller on {@code host:controllerPort}.
   */
  public static EmbeddedKafka start(Path dir, String host, int port, int controllerPort) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the Kafka data directory " + dir, e);
    }
    String logs = dir.resolve("logs").toString();
    String address = host.contains(":") ? "[" + host + "]" : host;
    Properties p = new Properties();
    p.put("process.roles", "broker,controller");
    p.put("node.id", "1");
    p.put("controller.quorum.voters", "1@" + address + ":" + controllerPort);
    p.put("listeners", "PLAINTEXT://" + address + ":" + port + ",CONTROLLER://" + address + ":" + controllerPort);
    p.put("advertised.listeners", "PLAINTEXT://" + address + ":" + port);
    p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.put("controller.listener.names", "CONTROLLER");
    p.put("inter.broker.listener.name", "PLAINTEXT");
    p.put("log.dirs", logs);
    p.put("num.partitions", "1");
    p.put("auto.create.topics.enable", "false");
    // one broker: every internal topic has one replica, or transactions and groups never become available
    p.put("offsets.topic.replication.factor", "1");
    p.put("offsets.topic.num.partitions", "1");
    p.put("transaction.state.log.replication.factor", "1");
    p.put("transaction.state.log.min.isr", "1");
    p.put("transaction.state.log.num.partitions", "1");
    p.put("share.coordinator.state.topic.replication.factor", "1");
    p.put("share.coordinator.state.topic.min.isr", "1");
    p.put("group.initial.rebalance.delay.ms", "0");
    p.put("log.flush.interval.messages", Long.toString(Long.MAX_VALUE));
    KafkaConfig config = new KafkaConfig(p, false);
    if (!Files.exists(Path.of(logs, "meta.properties"))) {
      format(config, logs);
    }
    KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
    server.startup();
    return new EmbeddedKafka(server, address + ":" + port);
  }

  private static void format(KafkaConfig config, String logs) {
    try {
      new Formatter()
          .setClusterId(Uuid.randomUuid().toString())
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
