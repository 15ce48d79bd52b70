package org.calicoledger.events;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * The change log's Kafka layout.
 *
 * <ul>
 *   <li>{@value #CHANGES}: every {@link org.calicoledger.events.proto.ChangeEvent}, one partition (Kafka order is etcd
 *       order), kept forever. Key: the etcd key. Record timestamp: when the journal observed the change.
 *   <li>{@value #STATE}: compacted, keyed by etcd key: the latest event of every live key; a delete is a tombstone
 *       (null value) with the revision in the {@value #REVISION_HEADER} header. It also holds the journal's
 *       {@link org.calicoledger.events.proto.Position} under {@value #POSITION_KEY}.
 * </ul>
 * Every key under {@code /calico/} is logged except the ledger's own bookkeeping (audit records, which are joined into
 * the events they describe as actor and reason; leader elections; write guards). Both topics are written in one Kafka
 * transaction per batch of whole revisions, by one journal at a time
 * ({@value #TRANSACTIONAL_ID} fences any other).
 */
public final class ChangeLog {
  public static final String CHANGES = "calico.changes";
  public static final String STATE = "calico.state";
  public static final String POSITION_KEY = "__journal/position";
  public static final String REVISION_HEADER = "revision";
  public static final String TRANSACTIONAL_ID = "calico-journal";

  private ChangeLog() {}

  /** Replicas per partition on a cluster of {@code brokers}: all of them, up to 3. */
  public static int replicationFactor(int brokers) {
    return Math.max(1, Math.min(3, brokers));
  }

  /**
   * Replicas that must hold a record before an {@code acks=all} write succeeds: 2 once there are 3 replicas (one broker
   * may be down and no acknowledged record lives on only one disk), else 1.
   */
  public static int minInsyncReplicas(int brokers) {
    return replicationFactor(brokers) >= 3 ? 2 : 1;
  }

  static List<NewTopic> topics(int brokers) {
    short replicas = (short) replicationFactor(brokers);
    String minIsr = Integer.toString(minInsyncReplicas(brokers));
    NewTopic changes = new NewTopic(CHANGES, Optional.of(1), Optional.of(replicas)).configs(Map.of(
        "cleanup.policy", "delete",
        "retention.ms", "-1",
        "retention.bytes", "-1",
        "message.timestamp.type", "CreateTime",
        "min.insync.replicas", minIsr));
    NewTopic state = new NewTopic(STATE, Optional.of(1), Optional.of(replicas)).configs(Map.of(
        "cleanup.policy", "compact",
        "min.cleanable.dirty.ratio", "0.1",
        "segment.ms", "3600000",
        "min.insync.replicas", minIsr));
    return List.of(changes, state);
  }

  /**
   * Creates the topics with their configuration when missing (and leaves existing ones alone), replicated on as many
   * brokers as the cluster has now (up to 3): start every broker before the first journal.
   */
  public static void ensureTopics(Admin admin) {
    try {
      Set<String> have = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      List<NewTopic> missing = new ArrayList<>();
      int brokers = have.contains(CHANGES) && have.contains(STATE) ? 1
          : admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).size();
      for (NewTopic t : topics(brokers)) {
        if (!have.contains(t.name())) {
          missing.add(t);
        }
      }
      if (!missing.isEmpty()) {
        admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
      }
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw new IllegalStateException("cannot create the change-log topics: " + e.getCause().getMessage(), e.getCause());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("Kafka did not answer within 30s while creating the change-log topics", e);
    }
  }
}
