package org.calicoledger.felix.dataplane.iptables;

/**
 * The one rule Felix puts at the top of a kernel chain it does not own ({@code FORWARD}, {@code POSTROUTING}):
 * a jump to its own chain, e.g. {@code FORWARD -> cali-FORWARD}.
 */
public record HookJump(String hookChain, String target) {
  public String body() {
    return "-j " + target;
  }

  public String hash() {
    return RuleHash.of(hookChain, body());
  }

  /** The rule as {@code iptables-save} shows it (also valid after {@code -D}). */
  public String savedLine() {
    return "-A " + hookChain + " " + RuleHash.comment(hash()) + " " + body();
  }
}
