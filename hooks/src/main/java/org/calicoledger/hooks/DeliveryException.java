package org.calicoledger.hooks;

/**
 * One delivery attempt failed: the command exited non-zero or timed out, the webhook answered other than 2xx or could
 * not be reached. The message says which, for the hook's status and its dead letters. Delivering again is safe (hooks
 * are at least once; receivers dedupe by {@code X-Hook-Delivery} or revision and position).
 */
final class DeliveryException extends Exception {
  private static final long serialVersionUID = 1L;

  DeliveryException(String message) {
    super(message);
  }

  DeliveryException(String message, Throwable cause) {
    super(message, cause);
  }
}
