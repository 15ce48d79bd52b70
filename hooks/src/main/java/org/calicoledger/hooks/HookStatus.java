package org.calicoledger.hooks;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * Where one hook stands, as calico-hooks persists it under {@code /calico/ledger/v1/hook-status/<name>} and
 * {@code calicoctl hook status} shows it. Immutable; each change returns a new status.
 *
 * <p>{@code offset} is the position: the next offset of calico.changes the hook reads. Everything before it was
 * delivered, dead-lettered or did not match. It is written a little after the fact (at most one status interval), so
 * after a crash the events since the last write are delivered again: at least once, never skipped.
 *
 * @param uid the Hook definition's uid this position belongs to
 * @param definition the resourceVersion of the definition the runner last applied
 * @param revision the revision of the last event handled (0: none yet)
 * @param fromRevision events below this revision are passed over (where {@code startFrom} or a replay began)
 * @param delivered events delivered since the hook started
 * @param deadLettered events given up on and sent to calico.hooks.dead
 * @param replayedFrom the revision of the last replay, 0 if none
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record HookStatus(String hook, String uid, long definition, long offset, long revision, long fromRevision,
    long delivered, long deadLettered, Outcome lastSuccess, Outcome lastError, long replayedFrom, String updated) {

  private static final ObjectMapper JSON = JsonMapper.builder()
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

  /**
   * One delivery's result.
   *
   * @param time RFC 3339
   * @param message the error (null on success)
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Outcome(String time, long revision, int position, int attempt, String message) {}

  /** A hook about to start at {@code offset}; {@code offset} -1 records a hook that cannot start. */
  static HookStatus start(String hook, String uid, long definition, long offset, long fromRevision) {
    return new HookStatus(hook, uid, definition, offset, Math.max(0, fromRevision - 1), fromRevision, 0, 0, null,
        null, 0, now());
  }

  /** Runs definition {@code revision} (a Hook's resourceVersion) from now on. */
  HookStatus running(long definitionRevision) {
    return new HookStatus(hook, uid, definitionRevision, offset, revision, fromRevision, delivered, deadLettered,
        lastSuccess, lastError, replayedFrom, now());
  }

  HookStatus advanced(long nextOffset, long handledRevision) {
    return new HookStatus(hook, uid, definition, nextOffset, Math.max(revision, handledRevision), fromRevision,
        delivered, deadLettered, lastSuccess, lastError, replayedFrom, now());
  }

  HookStatus succeeded(HookEvent e, int attempt) {
    return new HookStatus(hook, uid, definition, offset, revision, fromRevision, delivered + 1, deadLettered,
        new Outcome(now(), e.revision(), e.event().getPosition(), attempt, null), lastError, replayedFrom, now());
  }

  HookStatus failed(HookEvent e, int attempt, String message) {
    return new HookStatus(hook, uid, definition, offset, revision, fromRevision, delivered, deadLettered,
        lastSuccess, new Outcome(now(), e.revision(), e.event().getPosition(), attempt, message), replayedFrom, now());
  }

  /** A failure outside any one event (the definition cannot run, the change log cannot be read). */
  HookStatus failed(String message) {
    return new HookStatus(hook, uid, definition, offset, revision, fromRevision, delivered, deadLettered,
        lastSuccess, new Outcome(now(), 0, 0, 0, message), replayedFrom, now());
  }

  HookStatus withDeadLetter() {
    return new HookStatus(hook, uid, definition, offset, revision, fromRevision, delivered, deadLettered + 1,
        lastSuccess, lastError, replayedFrom, now());
  }

  HookStatus replayed(long newOffset, long from) {
    return new HookStatus(hook, uid, definition, newOffset, Math.max(0, from - 1), from, delivered, deadLettered,
        lastSuccess, lastError, from, now());
  }

  private static String now() {
    return Instant.now().truncatedTo(ChronoUnit.MILLIS).toString();
  }

  byte[] toJson() {
    try {
      return JSON.writeValueAsBytes(this);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static HookStatus fromJson(byte[] json) {
    try {
      return JSON.readValue(json, HookStatus.class);
    } catch (IOException e) {
      throw new IllegalArgumentException("a hook status is not readable: " + new String(json, StandardCharsets.UTF_8),
          e);
    }
  }
}
