package org.calicoledger.model.selector;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The label key rule shared by the parser (which reports a column) and the AST records (which must never hold a key
 * that would print as something unparsable): a Kubernetes qualified name, {@code [prefix/]name}, where the prefix is a
 * DNS-1123 subdomain of at most 253 characters and the name is 1-63 of {@code [A-Za-z0-9_.-]}, starting and ending
 * with a letter or digit. Every such key is also a run of Calico's tokenizer characters {@code [A-Za-z0-9_./-]}, which
 * the parser relies on to find where a key ends.
 */
final class LabelKey {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?");
  private static final String DNS_LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
  private static final Pattern DNS_SUBDOMAIN = Pattern.compile(DNS_LABEL + "(\\." + DNS_LABEL + ")*");

  private LabelKey() {}

  /** Whether {@code c} may appear anywhere in a key; the parser reads a key as the longest run of these. */
  static boolean isKeyChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
        || c == '_' || c == '.' || c == '/' || c == '-';
  }

  /** Empty if {@code key} is valid, otherwise what is wrong with it, phrased to follow "got 'key': ". */
  static Optional<String> problem(String key) {
    int slash = key.indexOf('/');
    if (slash >= 0 && key.indexOf('/', slash + 1) >= 0) {
      return Optional.of("a key holds at most one '/'");
    }
    String name = key.substring(slash + 1);
    if (name.isEmpty()) {
      return Optional.of("the name part is empty");
    }
    if (name.length() > 63) {
      return Optional.of("the name part is longer than 63 characters");
    }
    if (!NAME.matcher(name).matches()) {
      return Optional.of("the name part must start and end with a letter or digit and hold only letters, digits,"
          + " '-', '_' and '.'");
    }
    if (slash >= 0) {
      String prefix = key.substring(0, slash);
      if (prefix.length() > 253) {
        return Optional.of("the prefix before '/' is longer than 253 characters");
      }
      if (!DNS_SUBDOMAIN.matcher(prefix).matches()) {
        return Optional.of("the prefix before '/' must be a lowercase DNS subdomain such as example.com");
      }
    }
    return Optional.empty();
  }

  /** For the AST records: a key the parser would reject must not get into a selector built by hand either. */
  static String require(String key) {
    Objects.requireNonNull(key, "label key");
    problem(key).ifPresent(p -> {
      throw new IllegalArgumentException("invalid label key '" + key + "': " + p);
    });
    return key;
  }
}
