package org.calicoledger.felix.calc.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SortedSet;
import java.util.TreeSet;
import org.calicoledger.felix.dataplane.iptables.Rule;
import org.calicoledger.model.IntOrString;
import org.calicoledger.model.net.Cidr;
import org.calicoledger.model.selector.Selector;

/**
 * One Calico policy rule to IPv4 iptables rules (pure; unit-tested).
 *
 * <p>Match, in this order: protocol ({@code -p}, {@code ! -p}), source then destination CIDRs, selector ipsets and
 * ports, then ICMP type/code. A single CIDR is matched inline ({@code -s}/{@code ! -s}); several go into a
 * {@code cali40n:} ipset of their own; a selector is matched by its {@code cali40s:} ipset ({@link SetKey}); ports
 * with {@code -m multiport} (at most 15 slots per match, a range takes two: more ports make one rule per group, more
 * {@code notPorts} several negated matches in one rule).
 *
 * <p>Action, with Calico's mark bits: {@code Allow} sets {@link #ACCEPT_MARK} and returns; {@code Pass} sets
 * {@link #PASS_MARK} and returns (the endpoint chain then skips the remaining policies and goes to the profiles);
 * {@code Deny} drops; {@code Log} logs with prefix {@code calico-packet: } and goes on.
 *
 * <p>A rule that cannot match IPv4 traffic renders nothing: {@code ipVersion: 6}, protocol ICMPv6, nets all IPv6,
 * or a {@code notNets} of {@code 0.0.0.0/0}. A {@code nets} entry of {@code 0.0.0.0/0} matches everything, so it is
 * left out of the match.
 */
public final class RuleRenderer {
  public static final int ACCEPT_MARK = 0x10000;
  public static final int PASS_MARK = 0x20000;
  public static final String MARK_ACCEPT = "-m mark --mark 0x10000/0x10000";
  public static final String MARK_PASS = "-m mark --mark 0x20000/0x20000";
  public static final String MARK_NOT_PASS = "-m mark --mark 0x0/0x20000";
  public static final String CLEAR_MARKS = "-j MARK --set-xmark 0x0/0x30000";
  static final int MULTIPORT_SLOTS = 15;

  /** Names (and so registers) the ipsets a rule matches. */
  public interface SetNamer {
    String selectorSet(SetKey key);

    String netsSet(SortedSet<String> cidrs);
  }

  private RuleRenderer() {}

  /**
   * The iptables rules of {@code r} in a chain of a policy of {@code namespace} (null: a global policy or profile).
   */
  public static List<Rule> render(org.calicoledger.model.Rule r, String namespace, SetNamer sets) {
    if (r.ipVersion() != null && r.ipVersion() == 6) {
      return List.of();
    }
    StringBuilder m = new StringBuilder();
    String proto = protocol(r.protocol());
    if (proto == null && r.protocol() != null) {
      return List.of(); // ICMPv6
    }
    if (proto != null) {
      m.append("-p ").append(proto);
    }
    String notProto = protocol(r.notProtocol());
    if (notProto != null) {
      append(m, "! -p " + notProto);
    }
    List<String> portGroups = new ArrayList<>();
    portGroups.add("");
    if (!side(m, r.source(), "src", "-s", "--sports", namespace, sets, portGroups)
        || !side(m, r.destination(), "dst", "-d", "--dports", namespace, sets, portGroups)) {
      return List.of();
    }
    if (r.icmp() != null && r.icmp().type() != null && "icmp".equals(proto)) {
      append(m, "-m icmp --icmp-type " + icmp(r.icmp()));
    }
    if (r.notICMP() != null && r.notICMP().type() != null && "icmp".equals(proto)) {
      append(m, "-m icmp ! --icmp-type " + icmp(r.notICMP()));
    }
    String action = r.action() == null ? "Allow" : r.action();
    List<Rule> out = new ArrayList<>();
    for (String ports : portGroups) {
      String match = (m + (ports.isEmpty() ? "" : " " + ports)).strip();
      switch (action) {
        case "Deny" -> out.add(Rule.of(match, "-j DROP"));
        case "Log" -> out.add(Rule.of(match, "-j LOG --log-prefix \"calico-packet: \" --log-level 5"));
        case "Pass" -> out.add(Rule.of(match, "-j MARK --set-xmark 0x20000/0x20000"));
        default -> out.add(Rule.of(match, "-j MARK --set-xmark 0x10000/0x10000"));
      }
    }
    switch (action) {
      case "Deny", "Log" -> { }
      case "Pass" -> out.add(Rule.of(MARK_PASS, "-j RETURN"));
      default -> out.add(Rule.of(MARK_ACCEPT, "-j RETURN"));
    }
    return out;
  }

  private static void append(StringBuilder m, String s) {
    if (m.length() > 0) {
      m.append(' ');
    }
    m.append(s);
  }

  /**
   * Appends one side's CIDR and selector matches to {@code m} and multiplies {@code groups} by its port groups;
   * false when the side can never match IPv4 traffic.
   */
  private static boolean side(StringBuilder m, org.calicoledger.model.Rule.EntityRule e, String dir, String flag,
      String portFlag, String namespace, SetNamer sets, List<String> groups) {
    if (e == null) {
      return true;
    }
    if (e.nets() != null && !e.nets().isEmpty()) {
      SortedSet<String> v4 = v4(e.nets());
      if (v4.isEmpty()) {
        return false;
      }
      if (!v4.contains("0.0.0.0/0")) {
        append(m, v4.size() == 1 ? flag + " " + v4.first() : "-m set --match-set " + sets.netsSet(v4) + " " + dir);
      }
    }
    if (e.notNets() != null && !e.notNets().isEmpty()) {
      SortedSet<String> v4 = v4(e.notNets());
      if (v4.contains("0.0.0.0/0")) {
        return false;
      }
      if (!v4.isEmpty()) {
        append(m, v4.size() == 1 ? "! " + flag + " " + v4.first()
            : "-m set ! --match-set " + sets.netsSet(v4) + " " + dir);
      }
    }
    Selector nsSel = blank(e.namespaceSelector()) ? null : Selector.parse(e.namespaceSelector());
    if (!blank(e.selector()) || nsSel != null) {
      Selector sel = blank(e.selector()) ? Selector.parse("all()") : Selector.parse(e.selector());
      append(m, "-m set --match-set " + sets.selectorSet(new SetKey(namespace, nsSel, sel)) + " " + dir);
    }
    if (!blank(e.notSelector())) {
      append(m, "-m set ! --match-set "
          + sets.selectorSet(new SetKey(namespace, nsSel, Selector.parse(e.notSelector()))) + " " + dir);
    }
    if (e.notPorts() != null && !e.notPorts().isEmpty()) {
      for (String g : portGroups(e.notPorts())) {
        append(m, "-m multiport ! " + portFlag + " " + g);
      }
    }
    if (e.ports() != null && !e.ports().isEmpty()) {
      List<String> mine = portGroups(e.ports());
      List<String> product = new ArrayList<>();
      for (String before : groups) {
        for (String g : mine) {
          product.add((before + " -m multiport " + portFlag + " " + g).strip());
        }
      }
      groups.clear();
      groups.addAll(product);
    }
    return true;
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }

  private static SortedSet<String> v4(List<String> nets) {
    SortedSet<String> out = new TreeSet<>();
    for (String n : nets) {
      Cidr c = v4Network(n);
      if (c != null) {
        out.add(c.toString());
      }
    }
    return out;
  }

  /**
   * The IPv4 network of a CIDR or a bare address ({@code 10.0.0.5} is {@code 10.0.0.5/32}, host bits cleared), or null
   * for IPv6; throws for text that is neither.
   */
  static Cidr v4Network(String text) {
    return text.indexOf(':') >= 0 ? null : Cidr.parseCidrOrAddress(text).network();
  }

  private static final java.util.regex.Pattern PORT = java.util.regex.Pattern.compile("(\\d{1,5})(:(\\d{1,5}))?");

  /**
   * Ports as multiport lists of at most {@link #MULTIPORT_SLOTS} slots ({@code 80}, {@code 8000:8080}).
   *
   * @throws IllegalArgumentException for a named port or a number out of range (validation rejects them on write;
   *     this guards against data written by other tools, which would otherwise fail the whole table's restore)
   */
  static List<String> portGroups(List<IntOrString> ports) {
    List<String> groups = new ArrayList<>();
    StringBuilder g = new StringBuilder();
    int slots = 0;
    for (IntOrString p : ports) {
      String s = p.toString().strip();
      java.util.regex.Matcher pm = PORT.matcher(s);
      if (!pm.matches() || Integer.parseInt(pm.group(1)) > 65535
          || (pm.group(3) != null && Integer.parseInt(pm.group(3)) > 65535)) {
        throw new IllegalArgumentException("port '" + s + "' is not a number or range in 0-65535 (named ports are"
            + " not supported)");
      }
      int need = s.indexOf(':') >= 0 ? 2 : 1;
      if (slots + need > MULTIPORT_SLOTS) {
        groups.add(g.toString());
        g.setLength(0);
        slots = 0;
      }
      if (g.length() > 0) {
        g.append(',');
      }
      g.append(s);
      slots += need;
    }
    groups.add(g.toString());
    return groups;
  }

  /** iptables' protocol name or number; null for no protocol or one IPv4 tables cannot match (ICMPv6). */
  static String protocol(IntOrString p) {
    if (p == null) {
      return null;
    }
    String s = p.toString().strip();
    return switch (s.toLowerCase(Locale.ROOT)) {
      case "tcp", "6" -> "tcp";
      case "udp", "17" -> "udp";
      case "icmp", "1" -> "icmp";
      case "sctp", "132" -> "sctp";
      case "udplite", "136" -> "udplite";
      case "icmpv6", "58" -> null;
      default -> s;
    };
  }

  private static String icmp(org.calicoledger.model.Rule.Icmp i) {
    return i.code() == null ? Integer.toString(i.type()) : i.type() + "/" + i.code();
  }
}
