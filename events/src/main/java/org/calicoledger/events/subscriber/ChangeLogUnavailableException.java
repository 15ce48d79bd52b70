package org.calicoledger.events.subscriber;

import java.time.Duration;

/**
 * Kafka did not answer, or the change-log topics are not there. Safe to retry: nothing was read or written.
 */
public final class ChangeLogUnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ChangeLogUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }

  public static ChangeLogUnavailableException unreachable(String bootstrap, Duration timeout, Throwable cause) {
    return new ChangeLogUnavailableException("cannot reach Kafka at " + bootstrap + " within " + human(timeout)
        + (cause == null || cause.getMessage() == null ? "" : " (" + cause.getMessage() + ")")
        + ": check KAFKA_BOOTSTRAP_SERVERS and that the broker is running", cause);
  }

  public static ChangeLogUnavailableException missingTopic(String bootstrap, String topic) {
    return new ChangeLogUnavailableException("Kafka at " + bootstrap + " has no topic " + topic
        + ": no journal has published there yet (start calico-journal, which creates the topics)", null);
  }

  static String human(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
  }
}
