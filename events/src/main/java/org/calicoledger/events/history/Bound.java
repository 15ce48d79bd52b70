package org.calicoledger.events.history;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A point of the change log named on a command line: a revision ({@code 1234}) or a time (RFC 3339
 * {@code 2026-11-26T10:00:00Z}, or an age such as {@code 10m}, {@code 2h}, {@code 3d}, {@code 90s}).
 *
 * <p>As an upper bound a point includes everything up to it: every revision {@code <= REV}, or every revision observed
 * at or before the time. As a lower bound it includes itself: revisions {@code >= REV}, or observed at or after the time.
 */
public sealed interface Bound {

  record Revision(long revision) implements Bound {
    public Revision {
      if (revision < 0) {
        throw new IllegalArgumentException("a revision is a number >= 0, got " + revision);
      }
    }

    @Override
    public String toString() {
      return Long.toString(revision);
    }
  }

  record Time(Instant time) implements Bound {
    @Override
    public String toString() {
      return time.toString();
    }
  }

  Pattern AGE = Pattern.compile("(\\d+)(ms|s|m|h|d)");

  /**
   * Parses a revision, an RFC 3339 time or an age before {@code now}.
   *
   * @throws IllegalArgumentException naming the text and the accepted forms
   */
  static Bound parse(String text, Instant now) {
    String t = text == null ? "" : text.trim();
    if (t.matches("\\d+")) {
      try {
        return new Revision(Long.parseLong(t));
      } catch (NumberFormatException e) {
        throw invalid(text);
      }
    }
    Matcher m = AGE.matcher(t.toLowerCase(Locale.ROOT));
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      Duration d = switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> Duration.ofDays(n);
      };
      return new Time(now.minus(d));
    }
    try {
      return new Time(OffsetDateTime.parse(t).toInstant());
    } catch (DateTimeParseException e) {
      throw invalid(text);
    }
  }

  private static IllegalArgumentException invalid(String text) {
    return new IllegalArgumentException("'" + text + "' is neither a revision nor a time: use a revision number "
        + "(1234), an RFC 3339 time (2026-11-26T10:00:00Z) or an age (90s, 10m, 2h, 3d)");
  }
}
