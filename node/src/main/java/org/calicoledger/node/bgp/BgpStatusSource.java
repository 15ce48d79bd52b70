package org.calicoledger.node.bgp;

import java.util.List;

/**
 * What {@code calicoctl node status} shows for this node, from whichever BGP backend runs here: the built-in speaker
 * (bird module) or real BIRD supervised by confd's backend ({@code birdc show protocols}). calico-node serves it on
 * its health port; the backend that runs sets it on {@code CalicoNode}.
 */
public interface BgpStatusSource {
  /** The backend's name for the header line ({@code "builtin"} or {@code "bird"}) and whether it is running. */
  String backend();

  boolean running();

  /** One row per configured peer, in a stable order (by peer address). */
  List<PeerStatus> peers();

  /**
   * One row of calicoctl's table.
   *
   * @param peerAddress the peer's IP (with {@code :port} when not 179)
   * @param peerType {@code node-to-node mesh}, {@code global}, {@code node specific}
   * @param state {@code up}, {@code start}, {@code passive}, ... (lower case, as calicoctl prints BIRD's state)
   * @param since when the state began, {@code HH:MM:SS} today or the date
   * @param info {@code Established} or the FSM state / last error
   */
  record PeerStatus(String peerAddress, String peerType, String state, String since, String info) {}
}
