package org.calicoledger.felix.dataplane.ipsets;

import java.util.Set;
import java.util.TreeSet;

/**
 * One ipset as Felix wants it or found it: name (owned names start with {@code cali4} or {@code cali6}), type
 * ({@code hash:net}), family ({@code inet} or {@code inet6}) and members in the kernel's canonical text (a host
 * network {@code /32} or {@code /128} is written as the bare address, as {@code ipset save} prints it).
 */
public record IpSet(String name, String type, String family, Set<String> members) {
  public static final int MAX_NAME = 31;

  public IpSet {
    if (name.length() > MAX_NAME) {
      throw new IllegalArgumentException("ipset name '" + name + "' is longer than the kernel's " + MAX_NAME
          + " characters");
    }
    TreeSet<String> m = new TreeSet<>();
    for (String s : members) {
      m.add(canonical(s));
    }
    members = java.util.Collections.unmodifiableSet(m);
  }

  /** Whether Felix owns a set of this name (it touches no other set). */
  public static boolean owned(String name) {
    return name.startsWith("cali4") || name.startsWith("cali6");
  }

  /** The temporary name used to replace {@code name} atomically ({@code cali40x} -> {@code cali4tx}). */
  public static String temporaryName(String name) {
    return name.substring(0, 5) + "t" + name.substring(6);
  }

  static String canonical(String member) {
    if (member.endsWith("/32") && member.indexOf(':') < 0) {
      return member.substring(0, member.length() - 3);
    }
    if (member.endsWith("/128") && member.indexOf(':') >= 0) {
      return member.substring(0, member.length() - 4);
    }
    return member;
  }

  boolean sameKind(IpSet o) {
    return type.equals(o.type) && family.equals(o.family);
  }
}
