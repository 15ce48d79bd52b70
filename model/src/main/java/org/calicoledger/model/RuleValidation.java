package org.calicoledger.model;

import java.util.List;
import java.util.regex.Pattern;
import org.calicoledger.model.net.Cidr;

/**
 * Calico's checks on one list of policy rules, shared by Profiles, GlobalNetworkPolicies and NetworkPolicies.
 *
 * <p>Inputs: the rules and the JSON path of their list ({@code spec.ingress}). Output: problems added to the
 * {@link Checks}, each naming the rule's field ({@code spec.ingress[0].destination.ports[1]}), the value and what is
 * allowed. Besides Calico's own rules (actions, protocols, ICMP type and code, ports only with TCP, UDP or SCTP, nets
 * of one IP family matching {@code ipVersion}), matches this project's Felix does not enforce are refused rather than
 * accepted: a rule Felix ignored would let through traffic its author meant to stop. Those are named ports, HTTP
 * matches, service matches and service-account matches.
 */
final class RuleValidation {
  private static final Pattern DIGITS = Pattern.compile("\\d{1,9}");
  private static final Pattern RANGE = Pattern.compile("(\\d{1,9}):(\\d{1,9})");
  /** Kubernetes' port names: letters, digits and dashes, at most 15, at least one letter. */
  private static final Pattern PORT_NAME = Pattern.compile("(?=.*[a-zA-Z])[a-zA-Z0-9]([-a-zA-Z0-9]{0,13}[a-zA-Z0-9])?");
  private static final String NOT_SUPPORTED = " is not supported by this project: its Felix would ignore the match and"
      + " the rule would apply to more traffic than written (a silent security hole); remove it";

  private RuleValidation() {}

  static void rules(Checks c, String field, List<Rule> rules) {
    if (rules == null) {
      return;
    }
    for (int i = 0; i < rules.size(); i++) {
      rule(c, field + "[" + i + "]", rules.get(i));
    }
  }

  private static void rule(Checks c, String f, Rule r) {
    c.oneOf(f + ".action", r.action(), false, "Allow", "Deny", "Log", "Pass");
    c.protocol(f + ".protocol", r.protocol());
    c.protocol(f + ".notProtocol", r.notProtocol());
    Integer version = r.ipVersion();
    if (version != null && version != 4 && version != 6) {
      c.add(f + ".ipVersion", version, "must be 4 or 6");
      version = null;
    }
    icmp(c, f, "icmp", r.icmp(), r.protocol(), version);
    icmp(c, f, "notICMP", r.notICMP(), r.protocol(), version);
    if (r.http() != null) {
      c.add(f + ".http", null, "HTTP matches (methods, paths)" + NOT_SUPPORTED);
    }
    Families seen = new Families();
    entity(c, f + ".source", r.source(), r, version, seen);
    entity(c, f + ".destination", r.destination(), r, version, seen);
  }

  private static void icmp(Checks c, String f, String name, Rule.Icmp icmp, IntOrString protocol, Integer version) {
    if (icmp == null) {
      return;
    }
    String field = f + "." + name;
    int family = icmpFamily(protocol);
    if (family == 0) {
      c.add(field, null, name + " may only be set when protocol is ICMP or ICMPv6 (protocol is "
          + (protocol == null ? "not set" : "'" + protocol + "'") + ")");
    } else if (version != null && version != family) {
      c.add(f + ".ipVersion", version, "protocol " + protocol + " is IPv" + family + " only; use ipVersion "
          + family + " or leave it out");
    }
    c.range(field + ".type", icmp.type(), 0, 254);
    c.range(field + ".code", icmp.code(), 0, 255);
    if (icmp.code() != null && icmp.type() == null) {
      c.add(field + ".code", icmp.code(), "a code needs a type: set " + name + ".type as well (iptables matches a"
          + " code only within a type)");
    }
  }

  /** 4 for ICMP, 6 for ICMPv6, 0 for anything else. */
  private static int icmpFamily(IntOrString p) {
    if (p == null) {
      return 0;
    }
    if (p.isNumber()) {
      return p.number() == 1 ? 4 : p.number() == 58 ? 6 : 0;
    }
    return p.text().equalsIgnoreCase("icmp") ? 4 : p.text().equalsIgnoreCase("icmpv6") ? 6 : 0;
  }

  private static void entity(Checks c, String sf, Rule.EntityRule e, Rule r, Integer version, Families seen) {
    if (e == null) {
      return;
    }
    nets(c, sf + ".nets", e.nets(), version, seen);
    nets(c, sf + ".notNets", e.notNets(), version, seen);
    c.selector(sf + ".selector", e.selector());
    c.selector(sf + ".notSelector", e.notSelector());
    c.selector(sf + ".namespaceSelector", e.namespaceSelector());
    boolean any = ports(c, sf + ".ports", e.ports()) | ports(c, sf + ".notPorts", e.notPorts());
    if (any && !Checks.supportsPorts(r.protocol())) {
      c.add(sf + ".ports", null, "rules that specify ports must set protocol to TCP, UDP or SCTP (protocol is "
          + (r.protocol() == null ? "not set" : "'" + r.protocol() + "'") + ")");
    }
    if (e.services() != null) {
      c.add(sf + ".services", null, "service matches" + NOT_SUPPORTED);
    }
    if (e.serviceAccounts() != null) {
      c.add(sf + ".serviceAccounts", null, "service-account matches" + NOT_SUPPORTED);
    }
  }

  /** The IP families a rule's nets have used so far: Calico refuses a rule that mixes them. */
  private static final class Families {
    int first;
    String firstField;
  }

  private static void nets(Checks c, String field, List<String> nets, Integer version, Families seen) {
    if (nets == null) {
      return;
    }
    for (int i = 0; i < nets.size(); i++) {
      String f = field + "[" + i + "]";
      Cidr net = c.network(f, nets.get(i));
      if (net == null) {
        continue;
      }
      if (version != null && net.version() != version) {
        c.add(f, nets.get(i), "is an IPv" + net.version() + " network but the rule's ipVersion is " + version);
      } else if (version == null && seen.first != 0 && seen.first != net.version()) {
        c.add(f, nets.get(i), "is an IPv" + net.version() + " network but " + seen.firstField + " is IPv"
            + seen.first + ": one rule matches one IP family; split it into two rules");
      } else if (seen.first == 0) {
        seen.first = net.version();
        seen.firstField = f;
      }
    }
  }

  /** Checks each port; true when the list has any. */
  private static boolean ports(Checks c, String field, List<IntOrString> ports) {
    if (ports == null || ports.isEmpty()) {
      return false;
    }
    for (int i = 0; i < ports.size(); i++) {
      port(c, field + "[" + i + "]", ports.get(i));
    }
    return true;
  }

  private static final String PORT_FORMS = "a port 1-65535 or a range such as \"8080:8090\"";

  static void port(Checks c, String field, IntOrString p) {
    if (p == null) {
      c.add(field, null, "must be " + PORT_FORMS);
      return;
    }
    if (p.isNumber()) {
      portNumber(c, field, p, p.number());
      return;
    }
    String s = p.text().trim();
    var range = RANGE.matcher(s);
    if (DIGITS.matcher(s).matches()) {
      portNumber(c, field, p, Long.parseLong(s));
    } else if (range.matches()) {
      long lo = Long.parseLong(range.group(1));
      long hi = Long.parseLong(range.group(2));
      if (lo < 1 || lo > 65535 || hi < 1 || hi > 65535) {
        c.add(field, p, "both ends of a port range must be 1-65535");
      } else if (lo > hi) {
        c.add(field, p, "the range's first port must not be greater than its last; use \"" + hi + ":" + lo + "\"");
      }
    } else if (PORT_NAME.matcher(s).matches()) {
      c.add(field, p, "named ports are not supported yet: use the port number or a range (" + PORT_FORMS + ")");
    } else {
      c.add(field, p, "must be " + PORT_FORMS);
    }
  }

  private static void portNumber(Checks c, String field, IntOrString p, long n) {
    if (n < 1 || n > 65535) {
      c.add(field, p, "port must be 1-65535");
    }
  }
}
