package org.calicoledger.confd.bird;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class BirdProtocolsTest {
  @Test
  void parsesBird2ShowProtocols() {
    String text = """
        BIRD 2.0.12 ready.
        Name       Proto      Table      State  Since         Info
        device1    Device     ---        up     18:02:09.001 \s
        direct1    Direct     ---        up     18:02:09.001 \s
        kernel4    Kernel     master4    up     18:02:09.001 \s
        Mesh_10_0_0_2 BGP        ---        up     18:02:11.520  Established  \s
        Mesh_10_0_0_3 BGP        ---        start  2026-11-25 18:02:09  Active        Socket: Connection refused
        """;
    List<BirdProtocols.Row> rows = BirdProtocols.parse(text);
    assertThat(rows).hasSize(5);
    assertThat(rows.get(0)).isEqualTo(new BirdProtocols.Row("device1", "Device", "---", "up", "18:02:09.001", ""));
    assertThat(rows.get(3)).isEqualTo(
        new BirdProtocols.Row("Mesh_10_0_0_2", "BGP", "---", "up", "18:02:11.520", "Established"));
    assertThat(rows.get(4)).isEqualTo(new BirdProtocols.Row("Mesh_10_0_0_3", "BGP", "---", "start",
        "2026-11-25 18:02:09", "Active        Socket: Connection refused"));
    assertThat(rows.stream().filter(BirdProtocols.Row::bgp)).hasSize(2);
  }
}
