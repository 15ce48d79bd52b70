package org.calicoledger.events.subscriber;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.calicoledger.events.ChangeLog;
import org.calicoledger.events.KafkaSettings;
import org.calicoledger.events.kafka.EmbeddedKafka;
import org.calicoledger.store.testing.EtcdProcess;

/**
 * A real in-JVM KRaft broker on free 127.0.0.1 ports with a temporary data directory, for tests. {@link #close()} stops
 * it and deletes the directory, also from a shutdown hook if a test dies first.
 */
public final class TestBroker implements AutoCloseable {
  private final Path dir;
  private final EmbeddedKafka kafka;
  private final Thread cleanup;
  private boolean closed;

  private TestBroker(Path dir, EmbeddedKafka kafka) {
    this.dir = dir;
    this.kafka = kafka;
    this.cleanup = new Thread(this::stop, "kafka-test-cleanup");
    Runtime.getRuntime().addShutdownHook(cleanup);
  }

  public static TestBroker start() {
    Path dir = null;
    try {
      dir = Files.createTempDirectory("kafka-test-");
      EmbeddedKafka k = EmbeddedKafka.start(dir, "127.0.0.1", EtcdProcess.freePort(), EtcdProcess.freePort());
      return new TestBroker(dir, k);
    } catch (IOException e) {
      delete(dir);
      throw new UncheckedIOException(e);
    } catch (RuntimeException e) {
      delete(dir);
      throw e;
    }
  }

  public String bootstrap() {
    return kafka.bootstrapServers();
  }

  public KafkaSettings settings() {
    return KafkaSettings.of(bootstrap());
  }

  /** Creates calico.changes and calico.state as the journal does. */
  public void createTopics() {
    try (Admin admin = Admin.create(settings().admin())) {
      ChangeLog.ensureTopics(admin);
    }
  }

  private synchronized void stop() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      kafka.close();
    } finally {
      delete(dir);
    }
  }

  @Override
  public void close() {
    stop();
    try {
      Runtime.getRuntime().removeShutdownHook(cleanup);
    } catch (IllegalStateException ignored) {
      // already shutting down
    }
  }

  static void delete(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // best effort
    }
  }
}
