package org.calicoledger.events.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;

class KafkaNodeTest {
  private static final String VOTERS = "1@10.10.0.11:9093,2@10.10.0.12:9093,3@10.10.0.13:9093";
  private static final String ID = Uuid.randomUuid().toString();

  @Test
  void parsesVotersAndKnowsTheClusterSize() {
    List<KafkaNode.Voter> v = KafkaNode.parseVoters(VOTERS);
    assertThat(v).containsExactly(new KafkaNode.Voter(1, "10.10.0.11", 9093), new KafkaNode.Voter(2, "10.10.0.12", 9093),
        new KafkaNode.Voter(3, "10.10.0.13", 9093));
    KafkaNode n = new KafkaNode(2, "10.10.0.12", 9092, "10.10.0.12", 9093, v, ID, Path.of("/tmp/x"));
    assertThat(n.brokers()).isEqualTo(3);
    assertThat(n.votersText()).isEqualTo(VOTERS);
  }

  @Test
  void badVotersNameTheEntry() {
    assertThatThrownBy(() -> KafkaNode.parseVoters("1@10.10.0.11:9093,x@10.10.0.12"))
        .hasMessageContaining("'x@10.10.0.12'").hasMessageContaining("ID@HOST:PORT");
    assertThatThrownBy(() -> KafkaNode.parseVoters("1@a:9093,1@b:9093")).hasMessageContaining("twice");
  }

  @Test
  void theNodeMustBeAVoterAtItsControllerAddress() {
    List<KafkaNode.Voter> v = KafkaNode.parseVoters(VOTERS);
    assertThatThrownBy(() -> new KafkaNode(4, "10.10.0.14", 9092, "10.10.0.14", 9093, v, ID, Path.of("/tmp/x")))
        .hasMessageContaining("must name this node (id 4)");
    assertThatThrownBy(() -> new KafkaNode(1, "10.10.0.11", 9092, "10.10.0.11", 9094, v, ID, Path.of("/tmp/x")))
        .hasMessageContaining("10.10.0.11:9093").hasMessageContaining("must be the same");
  }

  @Test
  void clusterIdMustBeKafkasForm() {
    List<KafkaNode.Voter> v = KafkaNode.parseVoters(VOTERS);
    assertThatThrownBy(() -> new KafkaNode(1, "10.10.0.11", 9092, "10.10.0.11", 9093, v, "my-cluster", Path.of("/x")))
        .hasMessageContaining("--cluster-id 'my-cluster'");
  }
}
