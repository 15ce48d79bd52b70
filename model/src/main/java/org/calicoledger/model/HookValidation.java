package org.calicoledger.model;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The rules of a {@link Hook} taken alone (after defaults). What needs the file system (secret and CA files readable)
 * is checked where the files are read: calicoctl before writing, calico-hooks before delivering.
 */
final class HookValidation {
  private static final Pattern GLOB = Pattern.compile("[A-Za-z0-9._*?-]+");
  private static final Pattern FIELD_PATH = Pattern.compile("[A-Za-z0-9_]+(\\[\\d+])*(\\.[A-Za-z0-9_/-]+(\\[\\d+])*)*");
  private static final Pattern REVISION = Pattern.compile("[1-9]\\d{0,17}");
  static final int MAX_ATTEMPTS = 100;

  private HookValidation() {}

  static void check(Checks c, Hook.Spec s) {
    if (s.exec() == null && s.webhook() == null) {
      c.add("spec", null, "give an action: spec.exec (a command to run) or spec.webhook (a URL to call)");
    } else if (s.exec() != null && s.webhook() != null) {
      c.add("spec.webhook", null, "a hook has one action: give spec.exec or spec.webhook, not both");
    }
    if (s.match() != null) {
      match(c, s.match());
    }
    if (s.exec() != null) {
      exec(c, s.exec());
    }
    if (s.webhook() != null) {
      webhook(c, s.webhook());
    }
    if (s.retry() != null) {
      retry(c, s.retry());
    }
    String from = s.startFrom();
    if (from != null && !from.isEmpty() && !from.equals(Hook.NOW) && !from.equals(Hook.BEGINNING)
        && !REVISION.matcher(from).matches()) {
      c.add("spec.startFrom", from, "must be now, beginning or a revision (a positive number)");
    }
  }

  private static void match(Checks c, Hook.Match m) {
    List<String> kinds = m.kinds() == null ? List.of() : m.kinds();
    boolean anyNamespaced = kinds.isEmpty();
    for (int i = 0; i < kinds.size(); i++) {
      var kind = Kind.byKindName(kinds.get(i));
      if (kind.isEmpty()) {
        c.add("spec.match.kinds[" + i + "]", kinds.get(i), "unknown kind; use one of " + Kind.knownKinds());
      } else {
        anyNamespaced |= kind.get().namespaced();
      }
    }
    glob(c, "spec.match.name", m.name());
    glob(c, "spec.match.namespace", m.namespace());
    if (m.namespace() != null && !m.namespace().isEmpty() && !anyNamespaced && !m.namespace().equals("*")) {
      c.add("spec.match.namespace", m.namespace(), "none of spec.match.kinds is namespaced; leave the namespace out");
    }
    List<String> ops = m.operations() == null ? List.of() : m.operations();
    for (int i = 0; i < ops.size(); i++) {
      c.oneOf("spec.match.operations[" + i + "]", ops.get(i), false, Hook.OPERATIONS.toArray(String[]::new));
    }
    String f = m.changedField();
    if (f != null && !f.isEmpty() && !FIELD_PATH.matcher(f).matches()) {
      c.add("spec.match.changedField", f, "must be a dotted field path such as spec.natOutgoing or"
          + " metadata.labels (letters, digits, _ and - between dots, [N] for list elements)");
    }
  }

  private static void glob(Checks c, String field, String value) {
    if (value != null && !value.isEmpty() && !GLOB.matcher(value).matches()) {
      c.add(field, value, "must be a name or a glob of letters, digits, '.', '-', '_', with * (any run) and ? (one"
          + " character), e.g. prod-*");
    }
  }

  private static void exec(Checks c, Hook.Exec e) {
    if (e.command() == null || e.command().isBlank()) {
      c.add("spec.exec.command", null, "must be set to the program to run, e.g. /usr/local/bin/notify-cmdb");
    }
    positive(c, "spec.exec.timeout", e.timeout());
  }

  private static void webhook(Checks c, Hook.Webhook w) {
    String url = w.url();
    if (url == null || url.isEmpty()) {
      c.add("spec.webhook.url", null, "must be set to the URL to POST events to, e.g. https://cmdb.example.com/calico");
    } else {
      String why = urlProblem(url);
      if (why != null) {
        c.add("spec.webhook.url", url, why + "; give an http:// or https:// URL with a host, e.g."
            + " https://cmdb.example.com/calico");
      } else if (url.startsWith("http:") && w.caCertFile() != null && !w.caCertFile().isEmpty()) {
        c.add("spec.webhook.caCertFile", w.caCertFile(), "is only used with an https:// URL");
      }
    }
    absolute(c, "spec.webhook.secretFile", w.secretFile());
    absolute(c, "spec.webhook.caCertFile", w.caCertFile());
    if (w.insecureSkipTLSVerify() && w.caCertFile() != null && !w.caCertFile().isEmpty()) {
      c.add("spec.webhook.insecureSkipTLSVerify", true, "contradicts caCertFile: verify against the CA, or skip"
          + " verification, not both");
    }
    positive(c, "spec.webhook.timeout", w.timeout());
  }

  /** Why {@code url} cannot be called, or null. */
  static String urlProblem(String url) {
    URI u;
    try {
      u = new URI(url);
    } catch (URISyntaxException e) {
      return "is not a valid URL (" + e.getReason() + " at index " + e.getIndex() + ")";
    }
    if (u.getScheme() == null || !(u.getScheme().equals("http") || u.getScheme().equals("https"))) {
      return "has scheme '" + (u.getScheme() == null ? "" : u.getScheme()) + "', not http or https";
    }
    if (u.getHost() == null || u.getHost().isEmpty()) {
      return "has no host";
    }
    if (u.getFragment() != null) {
      return "has a #fragment, which is never sent";
    }
    return null;
  }

  private static void absolute(Checks c, String field, String path) {
    if (path != null && !path.isEmpty() && !path.startsWith("/")) {
      c.add(field, path, "must be an absolute path (calico-hooks does not run in your working directory)");
    }
  }

  private static void retry(Checks c, Hook.Retry r) {
    if (r.attempts() != null && (r.attempts() < 1 || r.attempts() > MAX_ATTEMPTS)) {
      c.add("spec.retry.attempts", r.attempts(), "must be between 1 and " + MAX_ATTEMPTS);
    }
    Duration backoff = positive(c, "spec.retry.backoff", r.backoff());
    Duration max = positive(c, "spec.retry.maxBackoff", r.maxBackoff());
    if (backoff != null && max != null && max.compareTo(backoff) < 0) {
      c.add("spec.retry.maxBackoff", r.maxBackoff(), "must be at least spec.retry.backoff (" + r.backoff() + ")");
    }
  }

  /** The duration in {@code field}, or null (also when it is absent or reported). */
  private static Duration positive(Checks c, String field, String value) {
    if (value == null || value.isEmpty()) {
      return null;
    }
    try {
      Duration d = GoDuration.parse(value);
      if (d.isNegative() || d.isZero()) {
        c.add(field, value, "must be a positive duration such as 10s, 1m30s or 500ms");
        return null;
      }
      return d;
    } catch (IllegalArgumentException e) {
      c.add(field, value, "must be a duration such as 10s, 1m30s or 500ms");
      return null;
    }
  }
}
