package org.calicoledger.ipam;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fault hook that "kills" its allocator the {@code nth} time it passes {@code point}: it throws an {@link Error},
 * which no IPAM code catches, so nothing after that write runs (no handle write, no undo), as after a SIGKILL.
 */
final class CrashAt implements FaultHook {
  static final class SimulatedCrash extends Error {
    private static final long serialVersionUID = 1L;

    SimulatedCrash(Point p, String detail) {
      super("simulated crash after " + p + " (" + detail + ")", null, false, false);
    }
  }

  private final Point point;
  private final int nth;
  private final AtomicInteger seen = new AtomicInteger();

  CrashAt(Point point, int nth) {
    this.point = point;
    this.nth = nth;
  }

  @Override
  public void reached(Point p, String detail) {
    if (p == point && seen.incrementAndGet() == nth) {
      throw new SimulatedCrash(p, detail);
    }
  }
}
