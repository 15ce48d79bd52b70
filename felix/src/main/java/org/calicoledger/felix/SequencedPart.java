package org.calicoledger.felix;

/**
 * A {@link FelixPart} whose removals {@code Felix} runs in a separate pass, in reverse part order, before every
 * part's {@link #apply}: so routes through a device go before the device does, while on add the device (an earlier
 * part) exists before the routes that use it (a later part).
 */
public interface SequencedPart extends FelixPart {
  /**
   * Removes what is programmed but no longer desired. With {@code full} it first reads the actual state back (then
   * {@link #apply} of the same pass may trust that read).
   *
   * @return whether anything was changed in the kernel
   */
  boolean applyRemovals(boolean full) throws Exception;

  /**
   * Whether some desired state waits for something outside Felix (a device that does not exist yet): {@code Felix}
   * then runs another pass soon instead of at the next resync.
   */
  default boolean pending() {
    return false;
  }
}
