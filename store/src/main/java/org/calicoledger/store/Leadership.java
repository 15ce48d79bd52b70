package org.calicoledger.store;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * A candidacy in an etcd election, held on a lease that is kept alive while this process runs. At most one candidate
 * of an election leads at a time. Leadership ends when the lease ends: closed here, revoked by an operator, or expired
 * because this process stopped renewing it (crash, pause, lost connection); {@link #lost()} completes then, and the
 * holder must stop acting as leader. Because detection is asynchronous, leaders must also be fenced where they write
 * (the journal's Kafka transactional id does that).
 */
public interface Leadership extends AutoCloseable {
  /** Blocks until this candidate leads, or until {@code timeout}; returns whether it leads. */
  boolean awaitLeadership(Duration timeout) throws InterruptedException;

  boolean isLeader();

  /** Completes when leadership (or the candidacy) ends for any reason. */
  CompletableFuture<Void> lost();

  /** The etcd lease the candidacy is held on. */
  long leaseId();

  /** Resigns and revokes the lease. */
  @Override
  void close();
}
