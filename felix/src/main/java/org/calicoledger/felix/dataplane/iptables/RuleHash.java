package org.calicoledger.felix.dataplane.iptables;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code cali:<hash>} rule comment: 16 characters of URL-safe base64 of SHA-256 over (chain, previous rule's
 * hash, rule body). Equal hashes in the kernel mean the rule, and every rule before it in its chain, is as Felix
 * rendered it; the hash is also how a Felix rule is recognised in a chain Felix does not own (the hook chains).
 */
public final class RuleHash {
  public static final int LENGTH = 16;
  private static final Pattern COMMENT = Pattern.compile("--comment \"?cali:([A-Za-z0-9_-]{" + LENGTH + "})\"?");

  private RuleHash() {}

  public static String of(String chain, String previous, String body) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update(chain.getBytes(StandardCharsets.UTF_8));
      md.update((byte) 0);
      md.update(previous.getBytes(StandardCharsets.UTF_8));
      md.update((byte) 0);
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
