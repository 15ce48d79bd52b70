package org.calicoledger.felix.dataplane.ipsets;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.calicoledger.events.image.ClusterImage;
import org.calicoledger.felix.FelixPart;
import org.calicoledger.felix.calc.PoolSetsResolver;
import org.calicoledger.felix.calc.policy.PolicyCalc;
import org.calicoledger.felix.kernel.HostCommands;
import org.calicoledger.model.IPPool;

/**
 * The ipsets part: keeps the kernel's {@code cali4*}/{@code cali6*} ipsets equal to {@link PoolSetsResolver}'s
 * output, the policy's selector and CIDR sets ({@link PolicyCalc#ipsets()}, when constructed with one) and any extra
 * sets a caller adds with {@link #setExtra} (e.g. the benchmark's per-endpoint content).
 *
 * <p>Policy sets are updated by name: {@link PolicyCalc#takeSetChanges()} says which sets changed, only those are
 * replaced in the desired map and, without {@code full}, only those are compared and written; so a label change
 * that moves one address in one set among thousands costs one {@code ipset restore} line.
 * <p>Apply: with {@code full}, {@code ipset save} is read back ({@link IpsetSaveParser}: owned sets only), otherwise
 * the record of what the last successful apply programmed stands in for it. The difference goes to the kernel as one
 * {@code ipset restore} ({@link IpsetScript}); stale owned sets are destroyed one by one, and one still referenced
 * by an iptables rule stays for the next apply (the iptables part, which runs after this one, drops the reference).
 * A failed restore forgets the record, so the next apply reads the kernel again.
 */
public final class IpSetsPart implements FelixPart {
  private final HostCommands cmd;
  private final PolicyCalc policy;
  private Map<String, IpSet> desired = new LinkedHashMap<>();
  /** Names that may differ from {@link #programmed}; null: any may. */
  private Set<String> dirty;
  private Map<String, IpSet> extra = Map.of();
  private Map<String, IPPool> lastPools;
  private Map<String, IpSet> programmed;

  public IpSetsPart(HostCommands cmd) {
    this(cmd, null);
  }

  /** With the selector and CIDR sets of {@code policy} (shared with the iptables part). */
  public IpSetsPart(HostCommands cmd, PolicyCalc policy) {
    this.cmd = cmd;
    this.policy = policy;
  }

  @Override
  public String name() {
    return "ipsets";
  }

  @Override
  public void onImage(ClusterImage image) {
    Set<String> policyChanges = Set.of();
    if (policy != null) {
      policy.update(image);
      policyChanges = policy.takeSetChanges();
    }
    Map<String, IPPool> pools = image.pools();
    if (pools.equals(lastPools) && policyChanges != null) {
      if (!policyChanges.isEmpty()) {
        for (String name : policyChanges) {
          IpSet s = policy.ipsets().get(name);
          if (s == null) {
            desired.remove(name);
          } else {
            desired.put(name, s);
          }
        }
        markDirty(policyChanges);
      }
      return;
    }
    lastPools = pools;
    recompute();
  }

  private void markDirty(Set<String> names) {
    if (dirty != null) {
      dirty.addAll(names);
    }
  }

  /** Extra owned sets to keep alongside the pool sets (names must start with {@code cali4}/{@code cali6}). */
  public void setExtra(Map<String, IpSet> sets) {
    for (String n : sets.keySet()) {
      if (!IpSet.owned(n)) {
        throw new IllegalArgumentException("ipset '" + n + "' is not Felix's: owned names start with cali4 or cali6");
      }
    }
    extra = Map.copyOf(sets);
    recompute();
  }

  private void recompute() {
    Map<String, IpSet> d = new LinkedHashMap<>(PoolSetsResolver.resolve(lastPools == null ? Map.of() : lastPools));
    if (policy != null) {
      d.putAll(policy.ipsets());
    }
    d.putAll(extra);
    desired = d;
    dirty = null;
  }

  /** The sets this part wants now, by name. */
  public Map<String, IpSet> desired() {
    return Map.copyOf(desired);
  }

  /**
   * Yes when, without {@code full}, the same sets (names and types) are wanted as were last programmed: then only
   * members change, which no iptables rule can depend on being done first, so the iptables part may apply meanwhile.
   * A set to create or destroy keeps the order (created before a rule names it; destroyed after the rule is gone).
   */
  @Override
  public boolean mayOverlapNext(boolean full) {
    if (full || programmed == null || !programmed.keySet().equals(desired.keySet())) {
      return false;
    }
    for (IpSet want : desired.values()) {
      IpSet have = programmed.get(want.name());
      if (!have.type().equals(want.type()) || !have.family().equals(want.family())) {
        return false;
      }
    }
    return true;
  }

  @Override
  public boolean apply(boolean full) {
    boolean read = full || programmed == null;
    Map<String, IpSet> actual = read ? IpsetSaveParser.parse(cmd.must(null, "ipset", "save").out()) : programmed;
    Set<String> names = read ? null : dirty;
    IpsetScript script = names == null ? IpsetScript.diff(desired, actual)
        : IpsetScript.diff(only(desired, names), only(actual, names));
    if (script.isEmpty()) {
      programmed = new LinkedHashMap<>(desired);
      dirty = new HashSet<>();
      return false;
    }
    programmed = null;
    if (!script.restore().isEmpty()) {
      cmd.must(script.restore(), "ipset", "restore");
    }
    List<String> kept = new ArrayList<>();
    for (String s : script.stale()) {
      if (!cmd.run(null, "ipset", "destroy", s).ok()) {
        kept.add(s); // still referenced by a rule: the next apply tries again
      }
    }
    if (kept.isEmpty()) {
      programmed = new LinkedHashMap<>(desired);
      dirty = new HashSet<>();
    } else {
      dirty = null;
    }
    return true;
  }

  private static Map<String, IpSet> only(Map<String, IpSet> sets, Set<String> names) {
    Map<String, IpSet> out = new LinkedHashMap<>();
    for (String n : names) {
      IpSet s = sets.get(n);
      if (s != null) {
        out.put(n, s);
      }
    }
    return out;
  }
}
