package org.calicoledger.felix.dataplane.iptables;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code cali:<hash>} rule comment: 16 characters of URL-safe base64 of SHA-256 over (chain, rule body). A chain
 * whose list of hashes in the kernel equals Felix's is as Felix rendered it: the list, compared in order, catches a
 * rule edited, inserted, removed or moved. A hash does not depend on the rule's position, so a rule inserted into a
 * chain leaves the other rules' comments as they were and {@link IptablesScript} can insert that one rule instead of
 * rewriting the chain. The hash is also how a Felix rule is recognised in a chain Felix does not own (the hook
 * chains).
 */
public final class RuleHash {
  public static final int LENGTH = 16;
  private static final Pattern COMMENT = Pattern.compile("--comment \"?cali:([A-Za-z0-9_-]{" + LENGTH + "})\"?");

  private RuleHash() {}

  public static String of(String chain, String body) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update(chain.getBytes(StandardCharsets.UTF_8));
      md.update((byte) 0);
      md.update((byte) 0); // an empty field, where hashes of earlier versions chained the previous rule's hash
      md.update(body.getBytes(StandardCharsets.UTF_8));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(md.digest()).substring(0, LENGTH);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK always has SHA-256", e);
    }
  }

  /** The hash in a saved rule line's {@code cali:} comment, or null when it has none. */
  public static String find(String savedRule) {
    Matcher m = COMMENT.matcher(savedRule);
    return m.find() ? m.group(1) : null;
  }

  /** The comment option that carries {@code hash}. */
  public static String comment(String hash) {
    return "-m comment --comment \"cali:" + hash + "\"";
  }
}
