package org.calicoledger.node;

/**
 * One part of calico-node that {@link CalicoNode} starts and stops: the CNI agent today; Felix, confd and the BGP
 * speaker as their issues land. {@link #start} returns once the service works (or throws: the node does not come
 * up); {@link #ready} feeds {@code /readiness}; {@link #stop} releases everything the service holds and may be
 * called after a failed or partial start.
 */
public interface NodeService {
  String name();

  void start() throws Exception;

  boolean ready();

  void stop();
}
