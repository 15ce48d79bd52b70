package org.calicoledger.store.testing;

import org.calicoledger.store.EtcdStore;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real etcd and a connected store for one test class:
 * {@code @RegisterExtension static final EtcdExtension ETCD = new EtcdExtension();} then {@code ETCD.store()}.
 * Both are closed (process killed, data deleted) after the class, also when it fails.
 */
public final class EtcdExtension implements BeforeAllCallback, AfterAllCallback {
  private EtcdProcess etcd;
  private EtcdStore store;

  @Override
  public void beforeAll(ExtensionContext context) {
    etcd = EtcdProcess.start();
    store = EtcdStore.connect(etcd.config());
  }

  @Override
  public void afterAll(ExtensionContext context) {
    try {
      if (store != null) {
        store.close();
      }
    } finally {
      if (etcd != null) {
        etcd.close();
      }
    }
  }

  public EtcdProcess etcd() {
    return etcd;
  }

  public EtcdStore store() {
    return store;
  }

  public String endpoint() {
    return etcd.endpoint();
  }
}
