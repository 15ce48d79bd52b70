package org.calicoledger.model;

import static com.fasterxml.jackson.annotation.JsonInclude.Include.NON_DEFAULT;
import static com.fasterxml.jackson.annotation.JsonInclude.Include.NON_EMPTY;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * An automation hook: this project's own kind, not Calico's. It names the changes of the change log it reacts to
 * ({@link Match}) and what to do with each one: run a command ({@link Exec}) or call a webhook ({@link Webhook}), with
 * retries ({@link Retry}), starting at {@code startFrom} ({@code now}, {@code beginning} or a revision).
 *
 * <p>It is written with {@code apiVersion: projectcalico.org/v3} like the other kinds, so calicoctl's apply, get and
 * delete treat it as any resource, but it is stored under {@code /calico/ledger/v1/hooks/<name>}, outside Calico's
 * resource keys: no Calico component ever reads it. {@code calico-hooks} runs it.
 */
public record Hook(ObjectMeta metadata, @JsonInclude(JsonInclude.Include.ALWAYS) Spec spec) implements Resource {
  public static final String NOW = "now";
  public static final String BEGINNING = "beginning";
  public static final List<String> OPERATIONS = List.of("create", "update", "delete");
  static final int DEFAULT_ATTEMPTS = 5;
  static final String DEFAULT_BACKOFF = "1s";
  static final String DEFAULT_MAX_BACKOFF = "1m";
  static final String DEFAULT_EXEC_TIMEOUT = "30s";
  static final String DEFAULT_WEBHOOK_TIMEOUT = "10s";

  public Hook {
    spec = spec == null ? new Spec(null, null, null, null, null) : spec;
  }

  /**
   * @param startFrom where a hook that has never run starts: {@code now} (changes after the hook was created),
   *     {@code beginning} (the whole change log) or a revision (inclusive)
   */
  @JsonInclude(NON_EMPTY)
  public record Spec(Match match, Exec exec, Webhook webhook, Retry retry, String startFrom) {}

  /**
   * Which events match; every part left out matches everything. Only events of resources (with a kind) match.
   *
   * @param kinds kind names ({@code IPPool}, {@code Node}...); left out, every kind but {@code Hook} (a hook sees
   *     changes of hooks only when it asks for them)
   * @param name a glob ({@code *}, {@code ?}) on the resource name
   * @param namespace a glob on the namespace ({@code ""} for cluster-scoped kinds)
   * @param operations {@code create}, {@code update}, {@code delete}
   * @param changedField a dotted field path ({@code spec.natOutgoing}); matches when it, or a field inside it, changed
   */
  @JsonInclude(NON_EMPTY)
  public record Match(List<String> kinds, String name, String namespace, List<String> operations,
      String changedField) {
    public Match {
      kinds = kinds == null ? null : List.copyOf(kinds);
      operations = operations == null ? null : List.copyOf(operations);
    }
  }

  /** Runs {@code command} with {@code args}: the event as JSON on stdin, its key facts in environment variables. */
  @JsonInclude(NON_EMPTY)
  public record Exec(String command, List<String> args, String timeout) {
    public Exec {
      args = args == null ? null : List.copyOf(args);
    }
  }

  /**
   * POSTs the event as JSON to {@code url}, signed with HMAC-SHA256 of the body under the secret in {@code secretFile}
   * ({@code X-Hook-Signature: sha256=<hex>}). TLS certificates are verified (against {@code caCertFile} when given,
   * else the JVM's trust store) unless {@code insecureSkipTLSVerify}.
   */
  @JsonInclude(NON_EMPTY)
  public record Webhook(String url, String secretFile, String caCertFile,
      @JsonInclude(NON_DEFAULT) boolean insecureSkipTLSVerify, String timeout) {}

  /** Up to {@code attempts} deliveries, waiting {@code backoff}, then twice as long each time, at most {@code maxBackoff}. */
  @JsonInclude(NON_EMPTY)
  public record Retry(Integer attempts, String backoff, String maxBackoff) {}

  @Override
  public Hook withMetadata(ObjectMeta m) {
    return new Hook(m, spec);
  }

  /**
   * Defaults: {@code startFrom: now}; retry 5 attempts from 1s backing off to at most 1m; timeouts 30s for commands and
   * 10s for webhooks.
   */
  @Override
  public Hook withDefaults() {
    Spec s = spec;
    Retry r = s.retry() == null ? new Retry(null, null, null) : s.retry();
    Retry retry = new Retry(r.attempts() == null ? DEFAULT_ATTEMPTS : r.attempts(),
        blankOr(r.backoff(), DEFAULT_BACKOFF), blankOr(r.maxBackoff(), DEFAULT_MAX_BACKOFF));
    Exec exec = s.exec() == null ? null
        : new Exec(s.exec().command(), s.exec().args(), blankOr(s.exec().timeout(), DEFAULT_EXEC_TIMEOUT));
    Webhook web = s.webhook() == null ? null : new Webhook(s.webhook().url(), s.webhook().secretFile(),
        s.webhook().caCertFile(), s.webhook().insecureSkipTLSVerify(),
        blankOr(s.webhook().timeout(), DEFAULT_WEBHOOK_TIMEOUT));
    return new Hook(metadata, new Spec(s.match(), exec, web, retry, blankOr(s.startFrom(), NOW)));
  }

  private static String blankOr(String v, String dflt) {
    return v == null || v.isEmpty() ? dflt : v;
  }
}
