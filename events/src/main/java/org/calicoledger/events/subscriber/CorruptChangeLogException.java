package org.calicoledger.events.subscriber;

/**
 * The change log breaks a rule its readers rely on (a record that is not a ChangeEvent, a revision whose events are
 * missing or out of order). Retrying does not help: the log needs repair, or the reader a newer schema.
 */
public final class CorruptChangeLogException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public CorruptChangeLogException(String message) {
    super(message);
  }

  public CorruptChangeLogException(String message, Throwable cause) {
    super(message, cause);
  }
}
