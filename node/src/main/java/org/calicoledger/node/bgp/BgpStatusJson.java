package org.calicoledger.node.bgp;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The JSON of {@code GET /bgp/status}: {@code {"backend","running","peers":[{"peerAddress","peerType","state",
 * "since","info"}]}}, read by {@code calicoctl node status}.
 */
public final class BgpStatusJson {
  private static final ObjectMapper JSON = new ObjectMapper();

  private BgpStatusJson() {}

  public static String render(BgpStatusSource s) {
    ObjectNode root = JSON.createObjectNode();
    root.put("backend", s.backend());
    root.put("running", s.running());
    ArrayNode peers = root.putArray("peers");
    for (BgpStatusSource.PeerStatus p : s.peers()) {
      peers.addObject().put("peerAddress", p.peerAddress()).put("peerType", p.peerType()).put("state", p.state())
          .put("since", p.since()).put("info", p.info());
    }
    return root.toString();
  }
}
