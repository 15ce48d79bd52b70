package org.calicoledger.felix.dataplane.iptables;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The difference between one table's desired model and its actual state as one {@code iptables-restore --noflush}
 * input (pure; unit-tested). The kernel applies it atomically: a reader sees the old table or the new one.
 *
 * <p>Rules of the diff:
 * <ul>
 *   <li>An owned chain whose hash list equals the desired one is not written at all.</li>
 *   <li>A new chain is declared and written. A changed one is edited in place when that takes fewer lines than
 *       writing it whole: the rules between the longest common prefix and suffix of the two hash lists are deleted
 *       by number and the new ones inserted by number ({@code -D chain N}, {@code -I chain N}, {@code -A} at the
 *       end), so one goto added to a dispatch chain of 40 is one line. Otherwise it is flushed and written whole.
 *       Numbers are only as good as {@code have}: a part passes the kernel's own table on a full apply and its record
 *       of the last successful restore otherwise.</li>
 *   <li>An owned chain that is no longer wanted is flushed and then deleted, after every rule that could jump to it
 *       has been rewritten in the same input.</li>
 *   <li>In a chain Felix does not own, its jump must be the first rule and its only {@code cali:} rule; otherwise every
 *       {@code cali:}-commented rule there is deleted and the jump inserted at the top. Other rules are never touched.</li>
 * </ul>
 */
public final class IptablesScript {
  private IptablesScript() {}

  /** The restore input, or the empty string when the table already matches: every chain is compared. */
  public static String diff(TableModel want, ActualTable have) {
    return diff(want, have, null);
  }

  /**
   * As {@link #diff(TableModel, ActualTable)} but only the chains named in {@code names} (null: every chain) are
   * compared, wanted or not; the hook jumps always are. A part that knows which chains its last change touched passes
   * their names, so an unchanged chain among 20,000 is neither compared nor written. The caller keeps the rule of
   * the diff: every chain that jumps to a chain being deleted must be among {@code names}.
   */
  public static String diff(TableModel want, ActualTable have, Set<String> names) {
    List<String> declare = new ArrayList<>();
    List<String> flush = new ArrayList<>();
    List<String> deletes = new ArrayList<>();
    StringBuilder rules = new StringBuilder();
    List<String> inserts = new ArrayList<>();
    List<String> remove = new ArrayList<>();
    if (names == null) {
      for (Chain c : want.chains()) {
        write(c, have.owned().get(c.name()), declare, flush, rules);
      }
      for (String name : have.owned().keySet()) {
        if (want.chain(name) == null) {
          flush.add("-F " + name);
          remove.add("-X " + name);
        }
      }
    } else {
      for (String name : new TreeSet<>(names)) {
        Chain c = want.chain(name);
        List<String> found = have.owned().get(name);
        if (c != null) {
          write(c, found, declare, flush, rules);
        } else if (found != null) {
          flush.add("-F " + name);
          remove.add("-X " + name);
        }
      }
    }
    for (HookJump h : want.hooks()) {
      List<String> lines = have.others().getOrDefault(h.hookChain(), List.of());
      String hash = h.hash();
      boolean firstIsOurs = !lines.isEmpty() && hash.equals(RuleHash.find(lines.get(0)));
      long ours = lines.stream().filter(l -> RuleHash.find(l) != null).count();
      if (firstIsOurs && ours == 1) {
        continue;
      }
      for (String l : lines) {
        if (RuleHash.find(l) != null) {
          deletes.add("-D" + l.substring(2));
        }
      }
      inserts.add("-I " + h.hookChain() + " 1 " + RuleHash.comment(hash) + " " + h.body());
    }
    if (declare.isEmpty() && flush.isEmpty() && deletes.isEmpty() && rules.isEmpty() && inserts.isEmpty()) {
      return "";
    }
    StringBuilder sb = new StringBuilder("*").append(want.table()).append('\n');
    declare.forEach(l -> sb.append(l).append('\n'));
    flush.forEach(l -> sb.append(l).append('\n'));
    deletes.forEach(l -> sb.append(l).append('\n'));
    sb.append(rules);
    inserts.forEach(l -> sb.append(l).append('\n'));
    remove.forEach(l -> sb.append(l).append('\n'));
    return sb.append("COMMIT\n").toString();
  }

  /**
   * Writes nothing when the kernel's hashes {@code found} equal {@code c}'s; edits the differing middle of the chain
   * in place when that is fewer lines than the whole chain; else declares (or flushes) and writes it whole.
   */
  private static void write(Chain c, List<String> found, List<String> declare, List<String> flush,
      StringBuilder rules) {
    List<String> hashes = c.hashes();
    if (hashes.equals(found)) {
      return;
    }
    int n = hashes.size();
    if (found != null) {
      int m = found.size();
      int p = 0;
      while (p < n && p < m && hashes.get(p).equals(found.get(p))) {
        p++;
      }
      int s = 0;
      while (s < n - p && s < m - p && hashes.get(n - 1 - s).equals(found.get(m - 1 - s))) {
        s++;
      }
      int deleted = m - p - s;
      int inserted = n - p - s;
      if (deleted + inserted < n) {
        for (int k = 0; k < deleted; k++) {
          rules.append("-D ").append(c.name()).append(' ').append(p + 1).append('\n');
        }
        for (int j = 0; j < inserted; j++) {
          int i = p + j;
          rules.append(s == 0 ? "-A " : "-I ").append(c.name()).append(' ');
          if (s > 0) {
            rules.append(i + 1).append(' ');
          }
          rule(rules, c, i);
        }
        return;
      }
      flush.add("-F " + c.name());
    } else {
      declare.add(":" + c.name() + " - [0:0]");
    }
    for (int i = 0; i < n; i++) {
      rules.append("-A ").append(c.name()).append(' ');
      rule(rules, c, i);
    }
  }

  private static void rule(StringBuilder out, Chain c, int i) {
    out.append(RuleHash.comment(c.hashes().get(i))).append(' ').append(c.rules().get(i).body()).append('\n');
  }
}
