package org.calicoledger.events.journal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.calicoledger.events.KafkaSettings;
import org.calicoledger.events.kafka.EmbeddedKafka;
import org.calicoledger.store.EtcdStore;
import org.calicoledger.store.testing.EtcdProcess;

/** A real etcd (child process) and a real Kafka broker (in this JVM) on free loopback ports, for one test. */
final class Cluster implements AutoCloseable {
  final EtcdProcess etcd;
  final EtcdStore store;
  final Path kafkaDir;
  final int kafkaPort;
  final int controllerPort;
  EmbeddedKafka broker;
  final KafkaSettings kafka;

  Cluster() throws Exception {
    etcd = EtcdProcess.start();
    store = EtcdStore.connect(etcd.config());
    kafkaDir = Files.createTempDirectory("kafka-test-");
    kafkaPort = EtcdProcess.freePort();
    controllerPort = EtcdProcess.freePort();
    startBroker();
    kafka = KafkaSettings.of(broker.bootstrapServers());
  }

  void startBroker() {
    broker = EmbeddedKafka.start(kafkaDir, "127.0.0.1", kafkaPort, controllerPort);
  }

  void stopBroker() {
    broker.close();
    broker = null;
  }

  JournalProcess journal(String name) throws Exception {
    return new JournalProcess(name, etcd.endpoint(), kafka.bootstrapServers()).start();
  }

  @Override
  public void close() throws Exception {
    try {
      if (broker != null) {
        broker.close();
      }
    } finally {
      store.close();
      etcd.close();
      try (Stream<Path> walk = Files.walk(kafkaDir)) {
        walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
