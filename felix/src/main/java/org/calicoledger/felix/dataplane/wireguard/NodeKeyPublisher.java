package org.calicoledger.felix.dataplane.wireguard;

import java.util.Optional;
import org.calicoledger.model.Kind;
import org.calicoledger.model.Node;
import org.calicoledger.model.Resource;
import org.calicoledger.store.Audit;
import org.calicoledger.store.ResourceKey;
import org.calicoledger.store.Store;
import org.calicoledger.store.StoreException;

/**
 * Publishes this node's WireGuard public key to {@code Node.status.wireguardPublicKey} (null clears it): read the
 * Node, and if the key differs, update it at the revision read (compare-and-swap), retrying a few times when another
 * writer (calico-node's registration, calicoctl) got there first. Every write carries Felix's audit actor. Safe to
 * redo: an equal key writes nothing.
 */
public final class NodeKeyPublisher {
  static final int ATTEMPTS = 5;
  private final Store store;
  private final String nodename;
  private final String actor;

  public NodeKeyPublisher(Store store, String nodename, String actor) {
    this.store = store;
    this.nodename = nodename;
    this.actor = actor;
  }

  /**
   * Makes the stored Node carry {@code key}; returns whether it wrote. A node not registered yet is left alone
   * (false): the next apply tries again.
   */
  public boolean publish(String key) {
    for (int attempt = 1; ; attempt++) {
      Optional<Resource> r = store.get(ResourceKey.of(Kind.NODE, nodename));
      if (r.isEmpty()) {
        return false;
      }
      Node n = (Node) r.get();
      if (java.util.Objects.equals(n.status().wireguardPublicKey(), key)) {
        return false;
      }
      Node.Status s = n.status();
      Node next = new Node(n.metadata(), n.spec(), new Node.Status(key, s.wireguardPublicKeyV6(), s.podCIDRs()));
      try {
        store.update(next, new Audit(actor, key == null ? "felix: WireGuard off, public key withdrawn"
            : "felix: WireGuard public key published"));
        return true;
      } catch (StoreException.Conflict e) {
        if (attempt >= ATTEMPTS) {
          throw e;
        }
      }
    }
  }
}
