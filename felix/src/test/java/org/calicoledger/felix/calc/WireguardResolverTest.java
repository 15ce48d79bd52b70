package org.calicoledger.felix.calc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.calicoledger.felix.FelixContext;
import org.calicoledger.felix.FelixSettings;
import org.calicoledger.felix.dataplane.wireguard.WireguardPeer;
import org.calicoledger.felix.dataplane.wireguard.WireguardSpec;
import org.calicoledger.felix.testing.ImageBuilder;
import org.junit.jupiter.api.Test;

class WireguardResolverTest {
  private static final String K2 = "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=";
  private static final String K3 = "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=";

  private static WireguardSpec resolve(ImageBuilder b, Map<String, String> env) {
    FelixContext ctx = new FelixContext("n1", env, Path.of("/tmp"), null, "t");
    return WireguardResolver.resolve(b.image(), FelixSettings.of(b.image(), ctx), "n1");
  }

  @Test
  void offUnlessEnabledAndStillNamesWhatToRemove() {
    ImageBuilder b = new ImageBuilder();
    b.felixConfig("default", "\"wireguardInterfaceName\":\"wg9\"");
    WireguardSpec s = resolve(b, Map.of());
    assertThat(s.enabled()).isFalse();
    assertThat(s.iface()).isEqualTo("wg9");
    assertThat(s.peers()).isEmpty();
  }

  @Test
  void peersAreOtherNodesWithKeysAndTheirBlocksAndTunnelAddresses() {
    ImageBuilder b = new ImageBuilder();
    b.felixConfig("default", "\"wireguardEnabled\":true");
    b.node("n1", "192.168.0.1/24", "aaaa");
    b.node("n2", "192.168.0.2/24", K2);
    b.node("n3", "192.168.0.3/24", null);
    b.block("10.0.1.0/26", "n1");
    b.block("10.0.2.0/26", "n2");
    b.block("10.0.2.64/26", "n2");
    WireguardSpec s = resolve(b, Map.of());
    assertThat(s.enabled()).isTrue();
    assertThat(s.iface()).isEqualTo("wireguard.cali");
    assertThat(s.port()).isEqualTo(51820);
    assertThat(s.mtu()).isEqualTo(1440);
    assertThat(s.rulePriority()).isEqualTo(99);
    assertThat(s.peers()).containsExactly(new WireguardPeer("n2", K2, "192.168.0.2:51820",
        java.util.List.of("10.0.2.0/26", "10.0.2.64/26")));
    b.node("n3", "192.168.0.3/24", K3);
    assertThat(resolve(b, Map.of()).peers()).extracting(WireguardPeer::node).containsExactly("n2", "n3");
  }

  @Test
  void nodeConfigAndEnvironmentOverrideTheDefault() {
    ImageBuilder b = new ImageBuilder();
    b.felixConfig("default", "\"wireguardEnabled\":true,\"wireguardListeningPort\":51000");
    b.felixConfig("node.n1", "\"wireguardMTU\":1380");
    b.node("n2", "192.168.0.2/24", K2);
    WireguardSpec s = resolve(b, Map.of("wireguardroutingrulepriority", "90"));
    assertThat(s.port()).isEqualTo(51000);
    assertThat(s.mtu()).isEqualTo(1380);
    assertThat(s.rulePriority()).isEqualTo(90);
    assertThat(s.peers().get(0).endpoint()).isEqualTo("192.168.0.2:51000");
    assertThat(resolve(b, Map.of("wireguardenabled", "false")).enabled()).isFalse();
  }

  @Test
  void badSettingsNameTheField() {
    ImageBuilder b = new ImageBuilder();
    b.felixConfig("default", "\"wireguardEnabled\":true");
    assertThatThrownBy(() -> resolve(b, Map.of("wireguardlisteningport", "70000")))
        .hasMessageContaining("FELIX_WIREGUARDLISTENINGPORT='70000'").hasMessageContaining("1 to 65535");
    assertThatThrownBy(() -> resolve(b, Map.of("wireguardmtu", "big")))
        .hasMessageContaining("FELIX_WIREGUARDMTU='big'").hasMessageContaining("whole number");
  }
}
