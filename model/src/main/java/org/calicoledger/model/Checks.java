package org.calicoledger.model;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;
import org.calicoledger.model.net.Cidr;
import org.calicoledger.model.selector.Selector;
import org.calicoledger.model.selector.SelectorParseException;

/**
 * Collects the problems of one resource. Each check names the field by its JSON path and says what is allowed, in
 * Calico's {@code error with field X = 'V' (reason)} spirit.
 */
final class Checks {
  static final Pattern DNS1123_SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  static final Pattern INTERFACE = Pattern.compile("[a-zA-Z0-9_.-]{1,15}|\\*");
  static final Pattern MAC = Pattern.compile("([0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}");
  private static final Pattern LABEL_NAME = Pattern.compile("([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9]");
  private static final Pattern LABEL_VALUE = Pattern.compile("(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?");

  final List<InvalidResourceException.Problem> problems = new ArrayList<>();

  void add(String field, Object value, String reason) {
    problems.add(new InvalidResourceException.Problem(field,
        (value == null ? "" : "'" + value + "': ") + reason));
  }

  boolean ok() {
    return problems.isEmpty();
  }

  void name(String field, String name) {
    if (name == null || name.isEmpty()) {
      add(field, null, "must be set");
    } else if (name.length() > 253) {
      add(field, name, "is too long by " + (name.length() - 253) + " characters (at most 253)");
    } else if (!DNS1123_SUBDOMAIN.matcher(name).matches()) {
      add(field, name, "must consist of lower case alphanumeric characters, '-' or '.', and start and end with an"
          + " alphanumeric character (DNS-1123 subdomain, e.g. 'my-pool.a1')");
    }
  }

  void optionalName(String field, String name) {
    if (name != null && !name.isEmpty()) {
      name(field, name);
    }
  }

  void labels(String field, java.util.Map<String, String> labels) {
    labels.forEach((k, v) -> {
      if (!isQualifiedName(k)) {
        add(field + "." + k, null, "label key must be a qualified name ([prefix/]name, name of at most 63 of"
            + " [A-Za-z0-9_.-] starting and ending with an alphanumeric)");
      }
      if (v == null || v.length() > 63 || !LABEL_VALUE.matcher(v).matches()) {
        add(field + "." + k, v, "label value must be at most 63 of [A-Za-z0-9_.-], starting and ending with an"
            + " alphanumeric, or empty");
      }
    });
  }

  static boolean isQualifiedName(String key) {
    int slash = key.lastIndexOf('/');
    String name = slash < 0 ? key : key.substring(slash + 1);
    String prefix = slash < 0 ? null : key.substring(0, slash);
    if (prefix != null && (prefix.isEmpty() || prefix.length() > 253 || !DNS1123_SUBDOMAIN.matcher(prefix).matches())) {
      return false;
    }
    return LABEL_NAME.matcher(name).matches();
  }

  void oneOf(String field, String value, boolean allowEmpty, String... allowed) {
    if (value == null || value.isEmpty()) {
      if (!allowEmpty) {
        add(field, null, "must be set to one of " + String.join(", ", allowed));
      }
      return;
    }
    if (!List.of(allowed).contains(value)) {
      add(field, value, "must be one of " + String.join(", ", allowed));
    }
  }

  void selector(String field, String value) {
    if (value == null || value.isEmpty()) {
      return;
    }
    try {
      Selector.parse(value);
    } catch (SelectorParseException e) {
      // the value is quoted once by add(); the parser's column (1-based, in code points) points into it
      add(field, value, "invalid selector at column " + e.column() + ": " + e.expected()
          + " (selectors look like app == 'web' && has(tier); see Calico's selector syntax)");
    }
  }

  /** A bare IP address of the given version (0: either). */
  void ip(String field, String value, int version) {
    if (value == null || value.isEmpty()) {
      return;
    }
    try {
      Cidr c = Cidr.parseAddress(value);
      if (version != 0 && c.version() != version) {
        add(field, value, "must be an IPv" + version + " address");
      }
    } catch (IllegalArgumentException e) {
      add(field, value, "must be an IP" + (version == 0 ? "" : "v" + version) + " address");
    }
  }

  /** An address with an optional prefix, host bits allowed ({@code 10.0.0.1/24}), as Node BGP addresses. */
  void ipWithOptionalPrefix(String field, String value, int version) {
    if (value == null || value.isEmpty()) {
      return;
    }
    try {
      Cidr c = value.contains("/") ? Cidr.parse(value) : Cidr.parseAddress(value);
      if (c.version() != version) {
        add(field, value, "must be an IPv" + version + " address, optionally with a prefix length (e.g. "
            + (version == 4 ? "10.0.0.1/24" : "fd00::1/64") + ")");
      }
    } catch (IllegalArgumentException e) {
      add(field, value, "must be an IPv" + version + " address, optionally with a prefix length (e.g. "
          + (version == 4 ? "10.0.0.1/24" : "fd00::1/64") + ")");
    }
  }

  /** An IP or a strictly masked CIDR. */
  Cidr network(String field, String value) {
    if (value == null || value.isEmpty()) {
      return null;
    }
    try {
      Cidr c = value.contains("/") ? Cidr.parse(value) : Cidr.parseAddress(value);
      if (c.hasHostBits()) {
        add(field, value, "has host bits set; use " + c.network());
        return null;
      }
      return c;
    } catch (IllegalArgumentException e) {
      add(field, value, "must be an IP address or a CIDR such as 10.0.0.0/16");
      return null;
    }
  }

  void networks(String field, Collection<String> values) {
    if (values == null) {
      return;
    }
    int i = 0;
    for (String v : values) {
      network(field + "[" + i++ + "]", v);
    }
  }

  void duration(String field, String value) {
    if (value != null && !value.isEmpty() && !GoDuration.isValid(value)) {
      add(field, value, "must be a duration such as 90s, 1m30s or 500ms");
    }
  }

  void mac(String field, String value) {
    if (value != null && !value.isEmpty() && !MAC.matcher(value).matches()) {
      add(field, value, "must be a MAC address such as ee:ee:ee:ee:ee:ee");
    }
  }

  void interfaceName(String field, String value, boolean required) {
    if (value == null || value.isEmpty()) {
      if (required) {
        add(field, null, "must be set (an interface name of 1-15 of [a-zA-Z0-9_.-], or *)");
      }
      return;
    }
    if (!INTERFACE.matcher(value).matches()) {
      add(field, value, "must be an interface name of 1-15 of [a-zA-Z0-9_.-], or *");
    }
  }

  void range(String field, Integer value, long min, long max) {
    if (value != null && (value < min || value > max)) {
      add(field, value, "must be between " + min + " and " + max);
    }
  }

  /** Calico's protocol names or numbers 1-255. */
  void protocol(String field, IntOrString p) {
    if (p == null) {
      return;
    }
    if (p.isNumber()) {
      if (p.number() < 1 || p.number() > 255) {
        add(field, p, "protocol number must be 1-255");
      }
    } else if (!List.of("tcp", "udp", "icmp", "icmpv6", "sctp", "udplite").contains(p.text().toLowerCase())) {
      add(field, p, "must be one of TCP, UDP, ICMP, ICMPv6, SCTP, UDPLite or a number 1-255");
    }
  }

  static boolean supportsPorts(IntOrString p) {
    if (p == null) {
      return false;
    }
    return p.isNumber() ? List.of(6L, 17L, 132L).contains(p.number())
        : List.of("tcp", "udp", "sctp").contains(p.text().toLowerCase());
  }
}
