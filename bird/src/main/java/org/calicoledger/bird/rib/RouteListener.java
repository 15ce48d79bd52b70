package org.calicoledger.bird.rib;

import org.calicoledger.bird.wire.Prefix;

/**
 * Receives the Loc-RIB's learned best routes (never locally originated ones): a new or changed best path for a prefix
 * is an {@link #announce}, the loss of every learned path a {@link #withdraw}. Called on the RIB's thread, in order;
 * must not block.
 */
public interface RouteListener {
  void announce(Prefix prefix, Prefix nextHop);

  void withdraw(Prefix prefix);
}
