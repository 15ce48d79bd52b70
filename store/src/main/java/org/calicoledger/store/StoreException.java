package org.calicoledger.store;

/**
 * A datastore operation that did not happen. Subclasses say why; {@link #safeToRetry()} says whether running the same
 * operation again cannot do harm (true for reads and for writes that were refused before reaching etcd, or whose
 * condition makes a repeat idempotent).
 */
public class StoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final boolean safeToRetry;

  public StoreException(String message, boolean safeToRetry, Throwable cause) {
    super(message, cause);
    this.safeToRetry = safeToRetry;
  }

  public boolean safeToRetry() {
    return safeToRetry;
  }

  /** The key or resource is already there (create). */
  public static final class AlreadyExists extends StoreException {
    private static final long serialVersionUID = 1L;

    public AlreadyExists(String what) {
      super("resource already exists: " + what, false, null);
    }
  }

  /** Nothing at that key. */
  public static final class NotFound extends StoreException {
    private static final long serialVersionUID = 1L;

    public NotFound(String what) {
      super("resource does not exist: " + what, false, null);
    }
  }

  /** The revision the writer read is no longer current: someone else wrote in between. Re-read, then decide. */
  public static final class Conflict extends StoreException {
    private static final long serialVersionUID = 1L;
    private final long expected;
    private final long actual;

    public Conflict(String what, long expected, long actual) {
      super("update conflict: " + what + ": resourceVersion " + expected + " is out of date (current "
          + actual + "); get the resource again and reapply your change", false, null);
      this.expected = expected;
      this.actual = actual;
    }

    public long expected() {
      return expected;
    }

    public long actual() {
      return actual;
    }
  }

  /** etcd could not be reached or did not answer in time. Nothing is known to be written unless the message says so. */
  public static final class Unavailable extends StoreException {
    private static final long serialVersionUID = 1L;

    public Unavailable(String message, boolean safeToRetry, Throwable cause) {
      super(message, safeToRetry, cause);
    }
  }

  /** A watch asked for history etcd has compacted away; restart from a fresh read at {@link #compactRevision()}. */
  public static final class Compacted extends StoreException {
    private static final long serialVersionUID = 1L;
    private final long compactRevision;

    public Compacted(long requested, long compactRevision) {
      super("etcd history before revision " + compactRevision + " was compacted; cannot watch from " + requested
          + ": re-read the current state and watch from its revision", true, null);
      this.compactRevision = compactRevision;
    }

    public long compactRevision() {
      return compactRevision;
    }
  }
}
