package org.calicoledger.felix.calc;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.calicoledger.felix.dataplane.ipsets.IpSet;
import org.calicoledger.model.IPPool;

/**
 * IP pools to the ipsets the NAT rules match on.
 *
 * <p>Inputs: every IPPool in the image (disabled ones too: a disabled pool still holds addresses in use).
 * Outputs: {@code cali40all-ipam-pools} (every IPv4 pool CIDR) and {@code cali40masq-ipam-pools} (IPv4 pools with
 * {@code natOutgoing: true}), both {@code hash:net family inet} and always present, possibly empty; the
 * {@code cali60...} counterparts ({@code family inet6}) only while an IPv6 pool exists.
 * Change rules: a pool added, removed, or its {@code cidr}/{@code natOutgoing} changed changes the output; nothing
 * else does.
 */
public final class PoolSetsResolver {
  public static final String ALL_POOLS_V4 = "cali40all-ipam-pools";
  public static final String MASQ_POOLS_V4 = "cali40masq-ipam-pools";
  public static final String ALL_POOLS_V6 = "cali60all-ipam-pools";
  public static final String MASQ_POOLS_V6 = "cali60masq-ipam-pools";
  public static final String TYPE = "hash:net";

  private PoolSetsResolver() {}

  /** The desired pool sets, by name. */
  public static Map<String, IpSet> resolve(Map<String, IPPool> pools) {
    Set<String> all4 = new TreeSet<>();
    Set<String> masq4 = new TreeSet<>();
    Set<String> all6 = new TreeSet<>();
    Set<String> masq6 = new TreeSet<>();
    for (IPPool p : pools.values()) {
      String cidr = p.spec().cidr();
      if (cidr == null) {
        continue;
      }
      boolean v6 = cidr.indexOf(':') >= 0;
      (v6 ? all6 : all4).add(cidr);
      if (p.spec().natOutgoing()) {
        (v6 ? masq6 : masq4).add(cidr);
      }
    }
    Map<String, IpSet> out = new LinkedHashMap<>();
    out.put(ALL_POOLS_V4, new IpSet(ALL_POOLS_V4, TYPE, "inet", all4));
    out.put(MASQ_POOLS_V4, new IpSet(MASQ_POOLS_V4, TYPE, "inet", masq4));
    if (!all6.isEmpty()) {
      out.put(ALL_POOLS_V6, new IpSet(ALL_POOLS_V6, TYPE, "inet6", all6));
      out.put(MASQ_POOLS_V6, new IpSet(MASQ_POOLS_V6, TYPE, "inet6", masq6));
    }
    return out;
  }
}
