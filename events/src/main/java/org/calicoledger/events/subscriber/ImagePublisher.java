package org.calicoledger.events.subscriber;

import org.calicoledger.events.image.ClusterDelta;
import org.calicoledger.events.image.ClusterImage;

/**
 * What a {@link Subscriber} feeds: one {@link #onUpdate} per complete revision group, in revision order, on the
 * subscriber's thread (so implementations need no locking against each other's calls, and must not block for long: the
 * next revision waits).
 */
public interface ImagePublisher {
  /**
   * {@code delta} holds exactly the changes from {@code delta.base()} to {@code image}. The first call after a start
   * may be a catch-up delta: from {@link ClusterImage#EMPTY} to the state read from {@code calico.state}, covering every
   * revision up to the journal's position.
   */
  void onUpdate(ClusterDelta delta, ClusterImage image);

  /** Once, when the subscriber has loaded {@code calico.state} (and delivered the catch-up delta, if any). */
  default void onSynced(ClusterImage image) {}

  /** The subscriber stopped because of {@code error} (thrown by this publisher, or a corrupt change log). */
  default void onFailure(Throwable error) {}
}
