package org.calicoledger.ipam;

/**
 * Called right after each write that a crash could separate from the write that completes it. Production code
 * passes {@link #NONE}; tests throw from here (an {@link Error}, which no IPAM code catches) to stop an allocator
 * exactly at that point, leaving etcd as a killed process would.
 */
@FunctionalInterface
public interface FaultHook {
  /** The crash points of the allocation and claim protocols. */
  enum Point {
    /** A pending affinity was written; the block is not created yet. */
    PENDING_AFFINITY_WRITTEN,
    /** The block was created with this host's affinity; the affinity is not confirmed yet. */
    BLOCK_CREATED,
    /** Addresses were assigned in a block; the handle does not count them yet. */
    BLOCK_WRITTEN,
    /** Addresses were released from a block; the handle still counts them. */
    BLOCK_RELEASED
  }

  FaultHook NONE = (point, detail) -> { };

  void reached(Point point, String detail);
}
