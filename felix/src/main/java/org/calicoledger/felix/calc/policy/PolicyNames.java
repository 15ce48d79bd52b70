package org.calicoledger.felix.calc.policy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.regex.Pattern;
import org.calicoledger.felix.dataplane.iptables.Chain;
import org.calicoledger.felix.dataplane.ipsets.IpSet;

/**
 * The names of the chains and ipsets policy needs, as Calico's Felix names them: a readable name when it fits, else a
 * hash (so a name is always valid and the same input always gives the same name).
 *
 * <ul>
 *   <li>Policy chains: {@code cali-pi-<id>} (ingress) and {@code cali-po-<id>} (egress), where the id is a
 *       GlobalNetworkPolicy's name or {@code <namespace>/<name>} for a NetworkPolicy.</li>
 *   <li>Profile chains: {@code cali-pri-<name>} and {@code cali-pro-<name>}.</li>
 *   <li>Each is used as is when it fits in {@link Chain#MAX_NAME} characters and the id holds only
 *       {@code [A-Za-z0-9._-]}; otherwise the prefix, {@code _}, and the first characters of the id's SHA-256 in
 *       URL-safe base64 fill the 28 characters (a namespaced id always has a {@code /}, so it is always hashed).</li>
 *   <li>Selector ipsets: {@code cali40s:} + 23 characters of the SHA-256 of the scoped selector's canonical text
 *       ({@link SetKey#canonical()}); sets of several rule CIDRs: {@code cali40n:} + the hash of the sorted CIDRs.
 *       Both are exactly {@link IpSet#MAX_NAME} (31) characters.</li>
 * </ul>
 */
public final class PolicyNames {
  public static final String POLICY_IN = "cali-pi-";
  public static final String POLICY_OUT = "cali-po-";
  public static final String PROFILE_IN = "cali-pri-";
  public static final String PROFILE_OUT = "cali-pro-";
  public static final String SELECTOR_SET = "cali40s:";
  public static final String NETS_SET = "cali40n:";
  private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9._-]+");

  private PolicyNames() {}

  /** The policy id: the name of a GlobalNetworkPolicy (namespace null), {@code namespace/name} of a NetworkPolicy. */
  public static String policyId(String namespace, String name) {
    return namespace == null || namespace.isEmpty() ? name : namespace + "/" + name;
  }

  /** The chain of a policy's ingress ({@code inbound}) or egress rules. */
  public static String policyChain(boolean inbound, String policyId) {
    return chain(inbound ? POLICY_IN : POLICY_OUT, policyId);
  }

  /** The chain of a profile's ingress ({@code inbound}) or egress rules. */
  public static String profileChain(boolean inbound, String profile) {
    return chain(inbound ? PROFILE_IN : PROFILE_OUT, profile);
  }

  static String chain(String prefix, String id) {
    if (prefix.length() + id.length() <= Chain.MAX_NAME && PLAIN.matcher(id).matches()) {
      return prefix + id;
    }
    return prefix + "_" + hash(id, Chain.MAX_NAME - prefix.length() - 1);
  }

  /** The ipset of the endpoints and network sets a scoped selector picks. */
  public static String selectorSet(SetKey key) {
    return SELECTOR_SET + hash(key.canonical(), IpSet.MAX_NAME - SELECTOR_SET.length());
  }

  /** The ipset of a rule's CIDRs (sorted, canonical text). */
  public static String netsSet(java.util.SortedSet<String> cidrs) {
    return NETS_SET + hash(String.join(",", cidrs), IpSet.MAX_NAME - NETS_SET.length());
  }

  static String hash(String text, int chars) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(d).substring(0, chars);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
