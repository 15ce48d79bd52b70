package org.calicoledger.felix.dataplane.iptables;

/**
 * One iptables rule as data: its match part ({@code -i cali+}, may be empty) and its action ({@code -j ACCEPT},
 * {@code -g cali-fw-cali0123456789a}). Rendering adds the {@code cali:<hash>} comment ({@link RuleHash}).
 */
public record Rule(String match, String action) {
  public Rule {
    match = match == null ? "" : match.strip();
    if (action == null || action.isBlank()) {
      throw new IllegalArgumentException("an iptables rule needs an action (-j/-g), match was '" + match + "'");
    }
    action = action.strip();
  }

  public static Rule of(String match, String action) {
    return new Rule(match, action);
  }

  /** Match then action, as hashed and rendered after the comment. */
  public String body() {
    return match.isEmpty() ? action : match + " " + action;
  }
}
