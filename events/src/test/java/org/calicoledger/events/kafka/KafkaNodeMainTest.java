package org.calicoledger.events.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class KafkaNodeMainTest {
  /** CI once drew the random id -h_tOuznjWtVWg-ESyQ24w, which picocli had read as the option cluster "-h ...". */
  @Test
  void aClusterIdStartingWithADashIsTheOptionsValue() {
    for (String id : new String[] {"-h_tOuznjWtVWg-ESyQ24w", "--ESyQ24w_tOuznjWtVWgh", "-V_tOuznjWtVWg-ESyQ24w"}) {
      CommandLine cl = KafkaNodeMain.commandLine();
      cl.parseArgs("--node-id", "1", "--listen", "10.10.0.11:9092", "--controller", "10.10.0.11:9093",
          "--voters", "1@10.10.0.11:9093", "--dir", "/tmp/x", "--cluster-id", id);
      KafkaNodeMain main = cl.getCommand();
      assertThat(main.clusterId).as(id).isEqualTo(id);
    }
  }
}
