package org.calicoledger.ipam;

/**
 * An IPAM operation that did not happen (or, where a subclass says so, only partly). Messages name the pool, address,
 * block or handle concerned and what would fix it; {@link #safeToRetry()} says whether repeating the same call can do
 * no harm. Nothing is left half-written by these: allocations made before a failure are released again.
 */
public class IpamException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final boolean safeToRetry;

  IpamException(String message, boolean safeToRetry) {
    super(message);
    this.safeToRetry = safeToRetry;
  }

  public boolean safeToRetry() {
    return safeToRetry;
  }

  /** The request itself is malformed (empty handle, count out of range, address of the wrong family...). */
  public static final class InvalidRequest extends IpamException {
    private static final long serialVersionUID = 1L;

    public InvalidRequest(String message) {
      super(message, false);
    }
  }

  /** No enabled pool can serve the request: none selects the node, or a requested pool is missing or disabled. */
  public static final class NoPools extends IpamException {
    private static final long serialVersionUID = 1L;

    public NoPools(String message) {
      super(message, false);
    }
  }

  /** Every address the host may use is taken. */
  public static final class PoolExhausted extends IpamException {
    private static final long serialVersionUID = 1L;

    public PoolExhausted(String message) {
      super(message, false);
    }
  }

  /** The address is outside every enabled pool. */
  public static final class NotInPool extends IpamException {
    private static final long serialVersionUID = 1L;

    public NotInPool(String message) {
      super(message, false);
    }
  }

  /** The address is already assigned (to the handle the message names). */
  public static final class AlreadyAssigned extends IpamException {
    private static final long serialVersionUID = 1L;

    public AlreadyAssigned(String message) {
      super(message, false);
    }
  }

  /** No handle of that id exists. */
  public static final class UnknownHandle extends IpamException {
    private static final long serialVersionUID = 1L;

    public UnknownHandle(String message) {
      super(message, false);
    }
  }

  /**
   * A release named a handle or sequence number that no longer matches the allocation: the address was released and
   * assigned again since the caller looked. Nothing was released.
   */
  public static final class ReleaseConflict extends IpamException {
    private static final long serialVersionUID = 1L;

    public ReleaseConflict(String message) {
      super(message, false);
    }
  }

  /** A block still holds allocations, so its affinity was kept. */
  public static final class BlockNotEmpty extends IpamException {
    private static final long serialVersionUID = 1L;

    public BlockNotEmpty(String message) {
      super(message, false);
    }
  }

  /** Other writers won every compare-and-swap within the retry budget; nothing was changed by this call. */
  public static final class TooManyConflicts extends IpamException {
    private static final long serialVersionUID = 1L;

    public TooManyConflicts(String message) {
      super(message, true);
    }
  }
}
