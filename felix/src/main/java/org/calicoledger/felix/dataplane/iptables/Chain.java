package org.calicoledger.felix.dataplane.iptables;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * A chain Felix owns (name starts with {@code cali-}) and its rules in order: an immutable value (equal by name and
 * rules). {@link #hashes()} are the comments its rules carry in the kernel: rule {@code i}'s hash covers the chain
 * name and its body ({@link RuleHash}); the list in order is what is compared with the kernel's. They are computed
 * once per instance, on first use (one SHA-256 per rule): a part that keeps
 * the instances of unchanged chains ({@link #reuse}) pays only for the chains that changed.
 */
public final class Chain {
  public static final String PREFIX = "cali-";
  public static final int MAX_NAME = 28;
  private final String name;
  private final List<Rule> rules;
  private List<String> hashes;

  public Chain(String name, List<Rule> rules) {
    if (!name.startsWith(PREFIX) || name.length() > MAX_NAME) {
      throw new IllegalArgumentException("iptables chain '" + name + "': Felix's chains start with " + PREFIX
          + " and have at most " + MAX_NAME + " characters");
    }
    this.name = name;
    this.rules = List.copyOf(rules);
  }

  public String name() {
    return name;
  }

  public List<Rule> rules() {
    return rules;
  }

  public List<String> hashes() {
    List<String> h = hashes;
    if (h == null) {
      List<String> out = new ArrayList<>(rules.size());
      for (Rule r : rules) {
        out.add(RuleHash.of(name, r.body()));
      }
      h = Collections.unmodifiableList(out);
      hashes = h;
    }
    return h;
  }

  /** {@code previous} when it is equal to this chain (its hashes are already computed), else this. */
  public Chain reuse(Chain previous) {
    return equals(previous) ? previous : this;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Chain c && name.equals(c.name) && rules.equals(c.rules);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, rules);
  }

  @Override
  public String toString() {
    return "Chain[" + name + ", " + rules.size() + " rules]";
  }
}
