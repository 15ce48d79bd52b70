package org.calicoledger.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class NodeStatusTableTest {
  @Test
  void tableMatchesCalicoctlsLayout() {
    String t = NodeStatusCommand.render(List.<String[]>of(
        new String[] {"172.17.8.102", "node-to-node mesh", "up", "23:30:04", "Established"}));
    assertThat(t).isEqualTo(""
        + "+--------------+-------------------+-------+----------+-------------+\n"
        + "| PEER ADDRESS |     PEER TYPE     | STATE |  SINCE   |    INFO     |\n"
        + "+--------------+-------------------+-------+----------+-------------+\n"
        + "| 172.17.8.102 | node-to-node mesh | up    | 23:30:04 | Established |\n"
        + "+--------------+-------------------+-------+----------+-------------+\n");
  }
}
