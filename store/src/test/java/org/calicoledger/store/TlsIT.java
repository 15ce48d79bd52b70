package org.calicoledger.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.calicoledger.model.IPPool;
import org.calicoledger.model.Kind;
import org.calicoledger.store.testing.EtcdProcess;
import org.calicoledger.store.testing.TestCa;
import org.junit.jupiter.api.Test;

/** etcd serving TLS with client-certificate authentication, from a CA the test makes with openssl. */
class TlsIT {
  @Test
  void clientCertificatesWorkAndTheirAbsenceIsAClearError() throws Exception {
    try (TestCa ca = TestCa.create(); EtcdProcess etcd = EtcdProcess.startTls(ca)) {
      assertThat(etcd.endpoint()).startsWith("https://127.0.0.1:");
      try (EtcdStore store = EtcdStore.connect(etcd.config())) {
        store.create(IPPool.of("tls-pool", IPPool.Spec.of("10.70.0.0/16")), Audit.of("tls"));
        assertThat(store.list(Kind.IP_POOL, null).items()).extracting(r -> r.name()).containsExactly("tls-pool");
      }
      StoreConfig noClientCert = new StoreConfig(List.of(etcd.endpoint()), ca.caCert(), null, null, null, null,
          Duration.ofSeconds(3));
      try (EtcdStore store = EtcdStore.connect(noClientCert)) {
        assertThatThrownBy(() -> store.list(Kind.IP_POOL, null))
            .isInstanceOf(StoreException.Unavailable.class)
            .hasMessageContaining(etcd.endpoint());
      }
      StoreConfig plainHttp = StoreConfig.local(etcd.endpoint().replace("https", "http")).withTimeout(Duration.ofSeconds(3));
      try (EtcdStore store = EtcdStore.connect(plainHttp)) {
        assertThatThrownBy(() -> store.list(Kind.IP_POOL, null)).isInstanceOf(StoreException.Unavailable.class);
      }
    }
  }

  @Test
  void unreadableTlsFilesAreNamed() {
    assertThatThrownBy(() -> new StoreConfig(List.of("https://127.0.0.1:2379"), java.nio.file.Path.of("/nonexistent/ca.pem"),
        null, null, null, null, null))
        .isInstanceOf(StoreConfig.ConfigException.class)
        .hasMessageContaining("/nonexistent/ca.pem");
  }
}
