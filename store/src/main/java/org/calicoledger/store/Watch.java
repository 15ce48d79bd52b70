package org.calicoledger.store;

import java.util.List;

/** A running watch; {@link #close()} stops it. */
public interface Watch extends AutoCloseable {
  @Override
  void close();

  /**
   * Receives changes in revision order. All events of one etcd revision arrive in one call; a call may carry several
   * revisions. After a disconnect the watch resumes from the last revision delivered + 1, so nothing is skipped or
   * repeated; {@link #onError} ends the watch (compaction, or the store was closed).
   */
  interface Listener {
    void onEvents(List<WatchEvent> events);

    void onError(StoreException error);
  }
}
