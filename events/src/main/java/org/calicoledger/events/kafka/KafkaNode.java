package org.calicoledger.events.kafka;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.Uuid;

/**
 * One node of a KRaft quorum, broker and controller in one process: what {@link EmbeddedKafka} needs to run it.
 *
 * <p>Inputs: this node's id, where it listens for clients and for the controller quorum, the quorum's static voters
 * ({@code id@host:port,...}, this node among them), the cluster id shared by every node (Kafka's base64 UUID form),
 * and its data directory. Invariant: {@code voters} names this node with this node's controller address, so the
 * quorum configuration cannot disagree with the listener.
 */
public record KafkaNode(int nodeId, String host, int port, String controllerHost, int controllerPort,
    List<Voter> voters, String clusterId, Path dir) {

  /** One static voter of the controller quorum. */
  public record Voter(int id, String host, int port) {
    @Override
    public String toString() {
      return id + "@" + bracket(host) + ":" + port;
    }
  }

  public KafkaNode {
    voters = List.copyOf(voters);
    if (nodeId < 0) {
      throw new IllegalArgumentException("--node-id " + nodeId + " must be 0 or more");
    }
    checkPort(port, "client port");
    checkPort(controllerPort, "controller port");
    Voter self = null;
    for (Voter v : voters) {
      if (v.id() == nodeId) {
        self = v;
      }
    }
    if (self == null) {
      throw new IllegalArgumentException("--voters '" + votersText(voters) + "' must name this node (id " + nodeId + ")");
    }
    if (!self.host().equals(controllerHost) || self.port() != controllerPort) {
      throw new IllegalArgumentException("--voters names node " + nodeId + " at " + self.host() + ":" + self.port()
          + " but its controller listens on " + controllerHost + ":" + controllerPort + ": they must be the same");
    }
    try {
      Uuid.fromString(clusterId);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("--cluster-id '" + clusterId + "' is not a Kafka cluster id (22 characters of"
          + " URL-safe base64, e.g. " + Uuid.randomUuid() + "); every node of the cluster must get the same one");
    }
  }

  /** A single node that is its own quorum, with a fresh cluster id: the one-machine default. */
  public static KafkaNode single(Path dir, String host, int port, int controllerPort) {
    return new KafkaNode(1, host, port, host, controllerPort, List.of(new Voter(1, host, controllerPort)),
        Uuid.randomUuid().toString(), dir);
  }

  /**
   * Parses {@code 1@10.0.0.1:9093,2@10.0.0.2:9093,...}; a malformed entry is an error naming it.
   */
  public static List<Voter> parseVoters(String text) {
    List<Voter> out = new ArrayList<>();
    for (String raw : text.split(",")) {
      String v = raw.trim();
      int at = v.indexOf('@');
      int colon = v.lastIndexOf(':');
      try {
        if (at < 1 || colon < at + 2) {
          throw new IllegalArgumentException();
        }
        int id = Integer.parseInt(v.substring(0, at));
        String host = v.substring(at + 1, colon).replace("[", "").replace("]", "");
        int port = Integer.parseInt(v.substring(colon + 1));
        checkPort(port, "port");
        out.add(new Voter(id, host, port));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--voters entry '" + v + "' must be ID@HOST:PORT (e.g. 1@10.10.0.11:9093)");
      }
    }
    if (out.stream().map(Voter::id).distinct().count() != out.size()) {
      throw new IllegalArgumentException("--voters '" + text + "' names a node id twice");
    }
    return out;
  }

  /** How many replicas the cluster can hold of each partition: one per voter (every node is also a broker). */
  public int brokers() {
    return voters.size();
  }

  String votersText() {
    return votersText(voters);
  }

  private static String votersText(List<Voter> voters) {
    return String.join(",", voters.stream().map(Voter::toString).toList());
  }

  static String bracket(String host) {
    return host.contains(":") ? "[" + host + "]" : host;
  }

  private static void checkPort(int port, String what) {
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException(what + " " + port + " must be 1-65535");
    }
  }
}
