package org.calicoledger.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.calicoledger.events.KafkaSettings;
import org.calicoledger.events.history.Bound;
import org.calicoledger.events.history.ChangeHistory;
import org.calicoledger.events.history.FieldChange;

/**
 * How the history commands reach the change log: {@code KAFKA_BOOTSTRAP_SERVERS} (and pass-through client properties,
 * see {@link KafkaSettings#fromEnvironment}), every wait bounded by {@code KAFKA_TIMEOUT} (a Go duration, default
 * 10s; {@code CALICO_KAFKA_TIMEOUT} wins), so an unreachable Kafka is an error within that time, never a hang.
 */
final class ChangeLogAccess {
  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  private ChangeLogAccess() {}

  static Duration timeout(Map<String, String> env) {
    return KafkaSettings.timeout(env, DEFAULT_TIMEOUT);
  }

  static ChangeHistory open(Map<String, String> env) {
    return ChangeHistory.open(KafkaSettings.fromEnvironment(env), timeout(env));
  }

  /** {@code text} as a point of history; null stays null. The message names the option. */
  static Bound bound(String option, String text) {
    if (text == null) {
      return null;
    }
    try {
      return Bound.parse(text, Instant.now());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(option + ": " + e.getMessage(), e);
    }
  }

  /** RFC 3339 in UTC, to the second (tables). */
  static String time(long epochMs) {
    return Instant.ofEpochMilli(epochMs).truncatedTo(ChronoUnit.SECONDS).toString();
  }

  /** Field changes as {@code [{path, from, to}]}, a missing side left out. */
  static ArrayNode fields(List<FieldChange> changes) {
    ArrayNode a = JsonNodeFactory.instance.arrayNode();
    for (FieldChange c : changes) {
      var o = a.addObject().put("path", c.path());
      if (c.before() != null) {
        o.set("from", c.before());
      }
      if (c.after() != null) {
        o.set("to", c.after());
      }
    }
    return a;
  }
}
