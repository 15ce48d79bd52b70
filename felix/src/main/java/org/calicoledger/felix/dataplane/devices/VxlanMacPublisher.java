package org.calicoledger.felix.dataplane.devices;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import org.calicoledger.model.Kind;
import org.calicoledger.model.Node;
import org.calicoledger.store.Audit;
import org.calicoledger.store.ResourceKey;
import org.calicoledger.store.Store;
import org.calicoledger.store.StoreException;

/**
 * This node's VTEP MAC while its Node does not publish one: a random, locally administered unicast MAC, kept in
 * {@code <runDir>/vxlan-mac} so a restarted Felix (and its device) keeps it, and published to
 * {@code Node.spec.vxlanTunnelMACAddr} with a compare-and-swap update (re-read and retried on a conflict with
 * calico-node's own Node writes). Once the Node has a MAC, that MAC wins (the file is only the first choice).
 */
final class VxlanMacPublisher {
  private static final System.Logger LOG = System.getLogger("felix.devices");
  private final String nodename;
  private final Path file;
  private final Store store;
  private final String actor;
  private String mac;

  VxlanMacPublisher(String nodename, Path runDir, Store store, String actor) {
    this.nodename = nodename;
    this.file = runDir == null ? null : runDir.resolve("vxlan-mac");
    this.store = store;
    this.actor = actor;
  }

  /** The MAC to use until the Node publishes one (read from the file, or made and saved once). */
  String localMac() {
    if (mac != null) {
      return mac;
    }
    try {
      if (file != null && Files.exists(file)) {
        String m = Files.readString(file).strip().toLowerCase(Locale.ROOT);
        if (m.matches("([0-9a-f]{2}:){5}[0-9a-f]{2}")) {
          mac = m;
          return mac;
        }
      }
      byte[] b = new byte[6];
      new SecureRandom().nextBytes(b);
      b[0] = (byte) ((b[0] & 0xfe) | 0x02); // unicast, locally administered
      String m = HexFormat.ofDelimiter(":").formatHex(b);
      if (file != null) {
        Files.createDirectories(file.getParent());
        Files.writeString(file, m + "\n");
      }
      mac = m;
      return mac;
    } catch (IOException e) {
      throw new IllegalStateException("cannot keep the VXLAN MAC in " + file + ": " + e.getMessage()
          + " (CALICO_RUN_DIR must be writable)");
    }
  }

  /** Writes {@code m} to the Node unless it already has a MAC; returns whether it wrote. */
  boolean publish(String m) {
    if (store == null) {
      return false;
    }
    for (int attempt = 0; attempt < 5; attempt++) {
      Optional<?> got = store.get(ResourceKey.of(Kind.NODE, nodename));
      if (got.isEmpty() || !(got.get() instanceof Node n)) {
        throw new IllegalStateException("Node " + nodename + " does not exist: cannot publish its VXLAN MAC");
      }
      Node.Spec s = n.spec();
      if (s.vxlanTunnelMACAddr() != null && !s.vxlanTunnelMACAddr().isBlank()) {
        return false;
      }
      Node updated = new Node(n.metadata(), new Node.Spec(s.bgp(), s.ipv4VXLANTunnelAddr(), m, s.ipv6VXLANTunnelAddr(),
          s.vxlanTunnelMACAddrV6(), s.orchRefs(), s.wireguard(), s.addresses(), s.interfaces()), n.status());
      try {
        store.update(updated, new Audit(actor, "felix: publish the VXLAN tunnel MAC of " + nodename));
        LOG.log(System.Logger.Level.INFO, "published VXLAN MAC " + m + " on Node " + nodename);
        return true;
      } catch (StoreException.Conflict e) {
        // calico-node changed the Node meanwhile: read it again
      }
    }
    throw new IllegalStateException("Node " + nodename + " kept changing while its VXLAN MAC was published; retrying"
        + " at the next pass");
  }
}
