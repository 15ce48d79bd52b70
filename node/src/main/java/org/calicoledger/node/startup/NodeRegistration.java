package org.calicoledger.node.startup;

import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.calicoledger.model.Node;
import org.calicoledger.model.ObjectMeta;
import org.calicoledger.model.net.Cidr;
import org.calicoledger.node.NodeConfig;
import org.calicoledger.store.Audit;
import org.calicoledger.store.ResourceKey;
import org.calicoledger.store.Store;
import org.calicoledger.store.StoreException;

/**
 * Registers this host's {@code Node} resource or brings it up to date, as Calico's node does at start: the BGP
 * IPv4 address from {@code IP} / {@code IP_AUTODETECTION_METHOD} and the AS from {@code AS}; with the {@code none}
 * backend neither is touched. Other fields (tunnel addresses, WireGuard keys, labels) are kept.
 *
 * <p>Writes are compare-and-swap on the revision read: another writer in between makes this read again and redo the
 * change, so nothing it wrote is lost. An address already used by another Node is refused (Calico's conflict check),
 * because two nodes advertising one address break routing for both.
 */
public final class NodeRegistration {
  private static final System.Logger LOG = System.getLogger("calico-node");
  private static final int ATTEMPTS = 5;

  private NodeRegistration() {}

  /** The Node as stored after registration. */
  public static Node register(Store store, NodeConfig cfg, List<IpDetection.Iface> ifaces) {
    return update(store, cfg.nodename(), cfg.actor(), "calico-node start", n -> configure(n, cfg, ifaces, store));
  }

  /**
   * Reads node {@code name} (a new one when missing), applies {@code change}, and writes the result when it differs;
   * retried on a concurrent write.
   */
  public static Node update(Store store, String name, String actor, String reason, UnaryOperator<Node> change) {
    ResourceKey key = ResourceKey.of(org.calicoledger.model.Kind.NODE, name);
    for (int attempt = 1; ; attempt++) {
      Optional<Node> existing = store.get(key).map(Node.class::cast);
      Node current = existing.orElseGet(() -> new Node(ObjectMeta.named(name), null, null));
      Node wanted = change.apply(current);
      try {
        if (existing.isEmpty()) {
          return store.create(wanted, new Audit(actor, reason + ": register node " + name));
        }
        if (wanted.equals(current)) {
          return current;
        }
        return store.update(wanted, new Audit(actor, reason + ": update node " + name));
      } catch (StoreException.Conflict | StoreException.AlreadyExists raced) {
        if (attempt >= ATTEMPTS) {
          throw raced;
        }
      }
    }
  }

  static Node configure(Node n, NodeConfig cfg, List<IpDetection.Iface> ifaces, Store store) {
    if (cfg.backend() == NodeConfig.Backend.NONE) {
      return n;
    }
    String have = NodeSpecs.bgp(n).ipv4Address();
    String ip = cfg.ip();
    Node out = n;
    if (ip.equals("autodetect") || (ip.isEmpty() && (have == null || have.isEmpty()))) {
      Optional<Cidr> found = IpDetection.detect(cfg.autodetectionMethod(), ifaces);
      if (found.isPresent()) {
        out = NodeSpecs.withIpv4Address(out, found.get().toString());
        LOG.log(System.Logger.Level.INFO, "node " + cfg.nodename() + ": autodetected IPv4 address " + found.get()
            + " (" + cfg.autodetectionMethod() + ")");
      } else if (have == null || have.isEmpty()) {
        throw new IllegalStateException("no IPv4 address found by IP_AUTODETECTION_METHOD="
            + cfg.autodetectionMethod() + " among interfaces " + ifaces.stream().map(IpDetection.Iface::name).toList()
            + ": choose another method, or set IP to this node's address");
      } else {
        LOG.log(System.Logger.Level.WARNING, "autodetection found no IPv4 address; keeping " + have);
      }
    } else if (!ip.isEmpty() && !ip.equals("none")) {
      out = NodeSpecs.withIpv4Address(out, IpDetection.withPrefix(ip, ifaces).toString());
    }
    if (cfg.asNumber() != null) {
      out = NodeSpecs.withAsNumber(out, cfg.asNumber());
    }
    String addr = NodeSpecs.bgp(out).ipv4Address();
    if (addr != null && !addr.equals(have)) {
      refuseConflict(store, cfg.nodename(), addr);
    }
    return out;
  }

  private static void refuseConflict(Store store, String self, String addr) {
    String ip = addr.contains("/") ? addr.substring(0, addr.indexOf('/')) : addr;
    for (Node other : store.list(Node.class).items()) {
      String theirs = NodeSpecs.bgp(other).ipv4Address();
      if (!other.name().equals(self) && theirs != null && theirs.replaceAll("/.*", "").equals(ip)) {
        throw new IllegalStateException("node " + other.name() + " already has IPv4 address " + theirs + ": two"
            + " nodes cannot share " + ip + "; set IP or IP_AUTODETECTION_METHOD for " + self);
      }
    }
  }
}
