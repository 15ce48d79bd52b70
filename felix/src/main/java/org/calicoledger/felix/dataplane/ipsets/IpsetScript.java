package org.calicoledger.felix.dataplane.ipsets;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The difference between desired and actual ipsets as {@code ipset restore} input (pure; unit-tested).
 *
 * <ul>
 *   <li>A set missing in the kernel: {@code create} then {@code add} of every member.</li>
 *   <li>A set whose kind changed, or whose change touches more than {@link #INCREMENTAL_LIMIT} members: built whole
 *       under its temporary name, {@code swap}ped with the live one and the temporary destroyed, so iptables rules
 *       that match the set never see it half-filled.</li>
 *   <li>Otherwise {@code del} and {@code add} of the changed members only.</li>
 * </ul>
 * Sets Felix owns but no longer wants are returned apart ({@link #stale}): a set that an iptables rule still
 * references cannot be destroyed, so the part destroys those one by one after the iptables part has run, and retries.
 */
public record IpsetScript(String restore, List<String> stale) {
  public static final int INCREMENTAL_LIMIT = 100;

  public boolean isEmpty() {
    return restore.isEmpty() && stale.isEmpty();
  }

  public static IpsetScript diff(Map<String, IpSet> desired, Map<String, IpSet> actual) {
    StringBuilder sb = new StringBuilder();
    for (IpSet want : desired.values()) {
      IpSet have = actual.get(want.name());
      if (have == null) {
        create(sb, want.name(), want);
        continue;
      }
      List<String> adds = new ArrayList<>();
      List<String> dels = new ArrayList<>();
      if (want.members() != have.members()) {
        difference(want.members(), have.members(), adds, dels);
      }
      if (adds.isEmpty() && dels.isEmpty() && want.sameKind(have)) {
        continue;
      }
      if (!want.sameKind(have) || adds.size() + dels.size() > INCREMENTAL_LIMIT) {
        String tmp = IpSet.temporaryName(want.name());
        sb.append("create ").append(tmp).append(' ').append(want.type()).append(" family ").append(want.family())
            .append(" -exist\nflush ").append(tmp).append('\n');
        for (String m : want.members()) {
          sb.append("add ").append(tmp).append(' ').append(m).append('\n');
        }
        sb.append("swap ").append(tmp).append(' ').append(want.name()).append('\n');
        sb.append("destroy ").append(tmp).append('\n');
      } else {
        for (String m : dels) {
          sb.append("del ").append(want.name()).append(' ').append(m).append('\n');
        }
        for (String m : adds) {
          sb.append("add ").append(want.name()).append(' ').append(m).append('\n');
        }
      }
    }
    List<String> stale = new ArrayList<>();
    for (String name : actual.keySet()) {
      if (!desired.containsKey(name)) {
        stale.add(name);
      }
    }
    return new IpsetScript(sb.toString(), stale);
  }

  /**
   * One merge walk over two sorted member sets (an {@link IpSet}'s members iterate in order): what only {@code want}
   * has goes to {@code adds}, what only {@code have} has to {@code dels}, in order; no copy of either set.
   */
  private static void difference(Set<String> want, Set<String> have, List<String> adds, List<String> dels) {
    java.util.Iterator<String> w = want.iterator();
    java.util.Iterator<String> h = have.iterator();
    String a = w.hasNext() ? w.next() : null;
    String b = h.hasNext() ? h.next() : null;
    while (a != null || b != null) {
      int c = a == null ? 1 : b == null ? -1 : a.compareTo(b);
      if (c < 0) {
        adds.add(a);
      } else if (c > 0) {
        dels.add(b);
      }
      if (c <= 0) {
        a = w.hasNext() ? w.next() : null;
      }
      if (c >= 0) {
        b = h.hasNext() ? h.next() : null;
      }
    }
  }

  private static void create(StringBuilder sb, String name, IpSet s) {
    sb.append("create ").append(name).append(' ').append(s.type()).append(" family ").append(s.family()).append('\n');
    for (String m : s.members()) {
      sb.append("add ").append(name).append(' ').append(m).append('\n');
    }
  }
}
