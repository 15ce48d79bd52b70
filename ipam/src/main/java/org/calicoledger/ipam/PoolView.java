package org.calicoledger.ipam;

import java.math.BigInteger;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import org.calicoledger.model.IPPool;
import org.calicoledger.model.net.Cidr;
import org.calicoledger.model.selector.Selector;
import org.calicoledger.model.selector.SelectorParseException;
import org.calicoledger.store.Keys;
import org.calicoledger.store.ResourceKey;

/**
 * An IP pool as IPAM uses it: CIDR, block size, whether it is enabled, which nodes it serves, and the key and revision
 * it was read at (writes that relied on the pool compare that revision, so a pool disabled or deleted meanwhile makes
 * them fail instead of allocating from it).
 */
record PoolView(String name, Cidr cidr, int blockSize, boolean disabled, String nodeSelector, Selector selector,
    List<String> allowedUses, String key, long revision) {

  static PoolView of(IPPool p) {
    IPPool.Spec s = p.spec();
    Cidr c = Cidr.parse(s.cidr()).network();
    int bs = s.blockSize() != 0 ? s.blockSize() : c.isIpv4() ? 26 : 122;
    Selector sel;
    try {
      sel = Selector.parse(s.nodeSelector() == null ? "" : s.nodeSelector());
    } catch (SelectorParseException e) {
      sel = null; // selects no node; validation refuses such pools, so only a foreign writer can store one
    }
    List<String> uses = s.allowedUses() == null || s.allowedUses().isEmpty() ? List.of("Workload", "Tunnel") : s.allowedUses();
    return new PoolView(p.name(), c, bs, s.disabled(), s.nodeSelector() == null ? IPPool.ALL : s.nodeSelector(), sel,
        uses, Keys.resource(ResourceKey.of(p)), p.metadata().revision());
  }

  BlockStore.Guard guard() {
    return new BlockStore.Guard(key, revision);
  }

  int version() {
    return cidr.version();
  }

  boolean selects(Map<String, String> nodeLabels) {
    return selector != null && selector.matches(nodeLabels);
  }

  boolean allows(String use) {
    return allowedUses.contains(use);
  }

  boolean contains(Cidr block) {
    return cidr.contains(block);
  }

  boolean contains(InetAddress ip) {
    return cidr.contains(Cidr.of(ip, ip.getAddress().length * 8));
  }

  /** The block of this pool that holds {@code ip}. */
  Cidr blockOf(InetAddress ip) {
    return Cidr.of(ip, blockSize).network();
  }

  BigInteger blockCount() {
    return BigInteger.ONE.shiftLeft(Math.max(0, blockSize - cidr.prefixLength()));
  }

  Cidr blockAt(BigInteger index) {
    return Cidr.of(cidr.addressAt(index.shiftLeft(cidr.bits() - blockSize)), blockSize);
  }

  String describe() {
    return "IPPool " + name + " (" + cidr + ")";
  }
}
