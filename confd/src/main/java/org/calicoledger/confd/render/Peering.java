package org.calicoledger.confd.render;

/**
 * One BGP session to configure: a {@code protocol bgp} block.
 *
 * @param name Calico's protocol name: {@code Mesh_10_0_0_2}, {@code Global_10_0_0_9}, {@code Node_10_0_0_9_port_1790}
 * @param type {@code mesh}, {@code global} or {@code node} (what {@code calicoctl node status} calls node-to-node mesh,
 *     global, node specific)
 * @param port 0 for BGP's 179
 * @param localAs the AS this node speaks on this session ({@code localASNumber} or the node's)
 * @param sourceAddress the local address to bind, or null
 * @param password the TCP MD5 password, or null
 * @param rrClusterId non-null when this node reflects routes to this peer ({@code rr client})
 * @param restartTime graceful restart time in seconds, or 0 for BIRD's default
 * @param keepaliveTime keepalive time in seconds, or 0 for BIRD's default
 * @param ttlSecurity hops for TTL security, or 0 for off (plain multihop)
 * @param nextHop {@code keep}, {@code self} or null
 * @param note a comment line for the block (why a password is missing), or null
 */
public record Peering(String name, String type, String ip, int port, long as, long localAs, String sourceAddress,
    boolean passive, String password, String rrClusterId, long restartTime, long keepaliveTime, int ttlSecurity,
    String nextHop, String note) {

  /** Whether the session is iBGP (tunnel routes learned from the kernel are then not exported). */
  public boolean internal() {
    return as == localAs;
  }
}
