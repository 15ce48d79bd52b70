package org.calicoledger.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreConfigTest {
  @TempDir
  Path dir;

  @Test
  void environmentLikeCalicoctlWithPrefixedVariablesWinning() throws IOException {
    Path ca = Files.writeString(dir.resolve("ca.pem"), "x");
    StoreConfig c = StoreConfig.fromEnvironment(Map.of(
        "DATASTORE_TYPE", "etcdv3",
        "ETCD_ENDPOINTS", "http://a:2379, http://b:2379",
        "CALICO_ETCD_ENDPOINTS", "https://c:2379",
        "ETCD_CA_CERT_FILE", ca.toString(),
        "ETCD_TIMEOUT", "3s"));
    assertThat(c.endpoints()).containsExactly("https://c:2379");
    assertThat(c.caCertFile()).isEqualTo(ca);
    assertThat(c.timeout()).isEqualTo(Duration.ofSeconds(3));
    assertThat(c.tls()).isTrue();
    assertThat(StoreConfig.fromEnvironment(Map.of("ETCD_ENDPOINTS", "http://a:2379,http://b:2379")).endpoints())
        .containsExactly("http://a:2379", "http://b:2379");
  }

  @Test
  void defaultsToLocalEtcdAndTenSeconds() {
    StoreConfig c = StoreConfig.fromEnvironment(Map.of());
    assertThat(c.endpoints()).containsExactly("http://127.0.0.1:2379");
    assertThat(c.timeout()).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void badSettingsAreNamed() {
    assertThatThrownBy(() -> StoreConfig.fromEnvironment(Map.of("DATASTORE_TYPE", "kubernetes")))
        .hasMessageContaining("datastore type 'kubernetes'").hasMessageContaining("etcdv3");
    assertThatThrownBy(() -> StoreConfig.fromEnvironment(Map.of("ETCD_ENDPOINTS", "127.0.0.1:2379")))
        .hasMessageContaining("must start with http:// or https://");
    assertThatThrownBy(() -> StoreConfig.fromEnvironment(Map.of("ETCD_CERT_FILE", "/x")))
        .hasMessageContaining("ETCD_CERT_FILE and ETCD_KEY_FILE go together");
    assertThatThrownBy(() -> StoreConfig.fromEnvironment(Map.of("ETCD_TIMEOUT", "soon")))
        .hasMessageContaining("etcd timeout 'soon'");
  }

  @Test
  void calicoApiConfigFile() throws IOException {
    Path f = Files.writeString(dir.resolve("calicoctl.cfg"), """
        apiVersion: projectcalico.org/v3
        kind: CalicoAPIConfig
        metadata:
        spec:
          datastoreType: etcdv3
          etcdEndpoints: http://10.0.0.1:2379,http://10.0.0.2:2379
        """);
    StoreConfig c = StoreConfig.load(f, Map.of("ETCD_ENDPOINTS", "http://ignored:2379"));
    assertThat(c.endpoints()).isEqualTo(List.of("http://10.0.0.1:2379", "http://10.0.0.2:2379"));
  }

  @Test
  void configFileProblemsAreNamed() throws IOException {
    assertThatThrownBy(() -> StoreConfig.load(dir.resolve("missing.cfg"), Map.of()))
        .hasMessageContaining("Error reading config file");
    Path typo = Files.writeString(dir.resolve("typo.cfg"),
        "apiVersion: projectcalico.org/v3\nkind: CalicoAPIConfig\nspec:\n  etcdEndpoint: http://x:2379\n");
    assertThatThrownBy(() -> StoreConfig.fromFile(typo)).hasMessageContaining("spec.etcdEndpoint")
        .hasMessageContaining("etcdEndpoints");
    Path k8s = Files.writeString(dir.resolve("k8s.cfg"),
        "apiVersion: projectcalico.org/v3\nkind: CalicoAPIConfig\nspec:\n  datastoreType: kubernetes\n  kubeconfig: /x\n");
    assertThatThrownBy(() -> StoreConfig.fromFile(k8s)).hasMessageContaining("Kubernetes datastore settings do not apply");
    Path kind = Files.writeString(dir.resolve("kind.cfg"), "apiVersion: projectcalico.org/v3\nkind: IPPool\n");
    assertThatThrownBy(() -> StoreConfig.fromFile(kind)).hasMessageContaining("expected kind 'CalicoAPIConfig'");
  }
}
