/**
 * confd: BIRD 2 configuration rendered from the cluster image for one node, written atomically, BIRD reloaded.
 *
 * <pre>
 *  ImageFeed (node) --onUpdate--> Confd --(relevant? newest image)--> render.BirdRenderer (pure)
 *                                   |                                     ClusterBgp: nodes, pools, peers, BGP config,
 *                                   |                                                 this node's blocks
 *                                   |                                     PeerPlanner: mesh, global, node, reverse
 *                                   |                                     MainFile / AggrFile / IpamFile (x IPv4, IPv6)
 *                                   v
 *                          write.ConfigWriter: changed files only, temp + rename; history/&lt;revision&gt;/ (last 10)
 *                                   |
 *                                   v  Listener (node's ConfdService)
 *                          bird.BirdSupervisor: bird -f (first write), birdc configure (later writes), restarts
 * </pre>
 *
 * Packages: {@code render} (pure), {@code write} (files), {@code bird} (the BIRD process and birdc).
 */
package org.calicoledger.confd;
