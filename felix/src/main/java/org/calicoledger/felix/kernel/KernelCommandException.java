package org.calicoledger.felix.kernel;

/**
 * A kernel tool failed or could not run. Safe to retry: every part rebuilds its command from desired and actual state
 * on the next apply (a failed apply makes the next one a full resync).
 */
public final class KernelCommandException extends RuntimeException {
  public KernelCommandException(String message) {
    super(message);
  }
}
