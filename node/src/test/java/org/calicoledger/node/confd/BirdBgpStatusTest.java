package org.calicoledger.node.confd;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.calicoledger.confd.bird.BirdProtocols;
import org.calicoledger.confd.render.Peering;
import org.calicoledger.node.bgp.BgpStatusSource.PeerStatus;
import org.junit.jupiter.api.Test;

class BirdBgpStatusTest {
  static Peering peering(String name, String type, String ip, int port) {
    return new Peering(name, type, ip, port, 64512, 64512, null, false, null, null, 0, 0, 0, null, null);
  }

  @Test
  void rowsNameThePeersAsCalicoctlDoes() {
    List<BirdProtocols.Row> rows = BirdProtocols.parse("""
        BIRD 2.0.12 ready.
        Name       Proto      Table      State  Since         Info
        device1    Device     ---        up     18:02:09.001
        kernel4    Kernel     master4    up     18:02:09.001
        Mesh_10_0_0_3 BGP     ---        start  18:02:09.001  Active        Socket: Connection refused
        Mesh_10_0_0_2 BGP     ---        up     18:02:11.520  Established
        Global_10_0_0_9_port_1790 BGP ---  up     18:03:00.000  Established
        Node_fd00__9 BGP      ---        up     18:03:00.000  Established
        """);
    List<PeerStatus> out = BirdBgpStatus.rows(rows, List.of(peering("Mesh_10_0_0_2", "mesh", "10.0.0.2", 0),
        peering("Mesh_10_0_0_3", "mesh", "10.0.0.3", 0), peering("Global_10_0_0_9_port_1790", "global", "10.0.0.9",
            1790), peering("Node_fd00__9", "node", "fd00::9", 0)));
    assertThat(out).containsExactly(
        new PeerStatus("10.0.0.2", "node-to-node mesh", "up", "18:02:11.520", "Established"),
        new PeerStatus("10.0.0.3", "node-to-node mesh", "start", "18:02:09.001", "Active        Socket: Connection refused"),
        new PeerStatus("10.0.0.9:1790", "global", "up", "18:03:00.000", "Established"),
        new PeerStatus("fd00::9", "node specific", "up", "18:03:00.000", "Established"));
  }
}
