package org.calicoledger.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NodeConfigTest {
  static NodeConfig of(String... kv) {
    Map<String, String> env = new HashMap<>();
    env.put("NODENAME", "Node-1");
    for (int i = 0; i < kv.length; i += 2) {
      env.put(kv[i], kv[i + 1]);
    }
    return NodeConfig.fromEnvironment(env);
  }

  @Test
  void defaultsAreCalicosWithTheIssuesDefaultPool() {
    NodeConfig c = of();
    assertThat(c.nodename()).isEqualTo("node-1");
    assertThat(c.backend()).isEqualTo(NodeConfig.Backend.BUILTIN);
    assertThat(c.runDir()).isEqualTo(Path.of("/var/run/calico"));
    assertThat(c.cniSocket()).isEqualTo(Path.of("/var/run/calico/cni.sock"));
    assertThat(c.healthHost()).isEqualTo("127.0.0.1");
    assertThat(c.healthPort()).isEqualTo(9099);
    assertThat(c.ip()).isEmpty();
    assertThat(c.autodetectionMethod()).isEqualTo("first-found");
    assertThat(c.asNumber()).isNull();
    NodeConfig.PoolSettings p = c.pool();
    assertThat(p.cidr().toString()).isEqualTo("192.168.0.0/16");
    assertThat(p.ipipMode()).isEqualTo("Always");
    assertThat(p.vxlanMode()).isEqualTo("Never");
    assertThat(p.natOutgoing()).isTrue();
    assertThat(p.blockSize()).isEqualTo(26);
    assertThat(c.actor()).isEqualTo("calico-node@node-1");
  }

  @Test
  void settingsAreReadAsCalicosNodeReadsThem() {
    NodeConfig c = of("AS", "1.10", "IP", "10.0.0.5/24", "CALICO_NETWORKING_BACKEND", "VXLAN",
        "CALICO_IPV4POOL_CIDR", "10.244.0.0/16", "CALICO_IPV4POOL_VXLAN", "cross-subnet",
        "CALICO_IPV4POOL_NAT_OUTGOING", "false", "CALICO_IPV4POOL_BLOCK_SIZE", "28", "CALICO_RUN_DIR", "/run/n2",
        "FELIX_HEALTHPORT", "0", "FELIX_INTERFACEPREFIX", "tap", "KAFKA_BOOTSTRAP_SERVERS", "k:9092");
    assertThat(c.asNumber().value()).isEqualTo(65546);
    assertThat(c.backend()).isEqualTo(NodeConfig.Backend.VXLAN);
    assertThat(c.pool().vxlanMode()).isEqualTo("CrossSubnet");
    assertThat(c.pool().ipipMode()).as("the IPIP default gives way to an explicit VXLAN mode").isEqualTo("Never");
    assertThat(c.pool().natOutgoing()).isFalse();
    assertThat(c.pool().blockSize()).isEqualTo(28);
    assertThat(c.cniSocket()).isEqualTo(Path.of("/run/n2/cni.sock"));
    assertThat(c.healthPort()).isZero();
    assertThat(c.felixOverrides()).containsEntry("interfaceprefix", "tap").containsEntry("healthport", "0");
    assertThat(c.kafka().bootstrapServers()).isEqualTo("k:9092");
    assertThat(of("CALICO_IPV4POOL_CIDR", "none").pool()).isNull();
    assertThat(of("NO_DEFAULT_POOLS", "true").pool()).isNull();
  }

  @Test
  void badSettingsNameTheVariableTheValueAndWhatIsAllowed() {
    assertThatThrownBy(() -> of("CALICO_NETWORKING_BACKEND", "calico"))
        .hasMessage("CALICO_NETWORKING_BACKEND='calico' is not one of builtin, bird, vxlan, none");
    assertThatThrownBy(() -> of("AS", "70000.1")).hasMessageStartingWith("AS='70000.1': invalid AS number");
    assertThatThrownBy(() -> of("IP", "10.0.0.300")).hasMessageStartingWith("IP='10.0.0.300' must be autodetect, none,");
    assertThatThrownBy(() -> of("CALICO_IPV4POOL_CIDR", "fd00::/64"))
        .hasMessage("CALICO_IPV4POOL_CIDR='fd00::/64' is not an IPv4 CIDR");
    assertThatThrownBy(() -> of("CALICO_IPV4POOL_BLOCK_SIZE", "33"))
        .hasMessage("CALICO_IPV4POOL_BLOCK_SIZE='33' must be a number from 20 to 32");
    assertThatThrownBy(() -> of("CALICO_IPV4POOL_IPIP", "sometimes"))
        .hasMessage("CALICO_IPV4POOL_IPIP='sometimes' must be Always, CrossSubnet or Never");
    assertThatThrownBy(() -> of("CALICO_IPV4POOL_IPIP", "Always", "CALICO_IPV4POOL_VXLAN", "Always"))
        .hasMessageContaining("a pool uses IPIP or VXLAN, not both");
    assertThatThrownBy(() -> of("NO_DEFAULT_POOLS", "true", "CALICO_IPV4POOL_CIDR", "10.0.0.0/16"))
        .hasMessageContaining("contradict each other");
    assertThatThrownBy(() -> of("FELIX_HEALTHPORT", "99999"))
        .hasMessage("FELIX_HEALTHPORT='99999' must be a port number 0-65535 (0: any free port)");
    assertThatThrownBy(() -> of("CALICO_IPV4POOL_NAT_OUTGOING", "yes"))
        .hasMessage("CALICO_IPV4POOL_NAT_OUTGOING='yes' must be true or false");
  }

  @Test
  void theFeedReadsKafkaAsEveryClientOfTheLogDoes() {
    assertThat(of().kafka()).as("no KAFKA_BOOTSTRAP_SERVERS: no feed").isNull();
    assertThat(of().kafkaTimeout()).isEqualTo(java.time.Duration.ofSeconds(30));
    NodeConfig c = of("KAFKA_BOOTSTRAP_SERVERS", "k1:9093,k2:9093", "KAFKA_CLIENT_SECURITY_PROTOCOL", "SSL",
        "KAFKA_TIMEOUT", "1m30s");
    assertThat(c.kafka().bootstrapServers()).isEqualTo("k1:9093,k2:9093");
    assertThat(c.kafka().passthrough()).as("TLS/SASL settings reach the feed's consumer")
        .containsEntry("security.protocol", "SSL");
    assertThat(c.kafkaTimeout()).isEqualTo(java.time.Duration.ofSeconds(90));
    assertThat(of("KAFKA_BOOTSTRAP_SERVERS", "k:9092", "CALICO_KAFKA_TIMEOUT", "5s", "KAFKA_TIMEOUT", "1m")
        .kafkaTimeout()).isEqualTo(java.time.Duration.ofSeconds(5));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> of("KAFKA_TIMEOUT", "soon"))
        .hasMessageContaining("KAFKA_TIMEOUT 'soon'").hasMessageContaining("10s or 1m30s");
  }
}
