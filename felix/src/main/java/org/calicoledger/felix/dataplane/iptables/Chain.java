package org.calicoledger.felix.dataplane.iptables;

import java.util.ArrayList;
import java.util.List;

/**
 * A chain Felix owns (name starts with {@code cali-}) and its rules in order. {@link #hashes()} are the comments its
 * rules carry in the kernel: rule {@code i}'s hash covers the chain name, rule {@code i-1}'s hash and its own body,
 * so an inserted, removed, reordered or edited rule changes every hash from that point on.
 */
public record Chain(String name, List<Rule> rules) {
  public static final String PREFIX = "cali-";
  public static final int MAX_NAME = 28;

  public Chain {
    if (!name.startsWith(PREFIX) || name.length() > MAX_NAME) {
      throw new IllegalArgumentException("iptables chain '" + name + "': Felix's chains start with " + PREFIX
          + " and have at most " + MAX_NAME + " characters");
    }
    rules = List.copyOf(rules);
  }

  public List<String> hashes() {
    List<String> out = new ArrayList<>(rules.size());
    String prev = "";
    for (Rule r : rules) {
      prev = RuleHash.of(name, prev, r.body());
      out.add(prev);
    }
    return out;
  }
}
