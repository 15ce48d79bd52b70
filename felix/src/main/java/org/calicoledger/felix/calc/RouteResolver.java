package org.calicoledger.felix.calc;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.calicoledger.events.image.IpamBlock;
import org.calicoledger.model.IPPool.EncapMode;
import org.calicoledger.model.net.Cidr;

/**
 * Routes, VXLAN neighbours and FDB entries for one node.
 *
 * <p>Inputs: this node's name and {@link NodeResolver.Host}, the IPAM blocks (by affinity), the
 * pools, every node's addresses, the routes learned over BGP, the tunnel devices wanted, and whether Felix routes other
 * nodes' blocks itself ({@code vxlan} backend). Outputs: a {@link Plan}. Change rules (a pure function):
 * <ul>
 *   <li>(the local endpoints' {@code /32 dev <iface> scope link} come from {@link LocalEndpointResolver};
 *       {@link Plan#over} lays this plan on top of them)</li>
 *   <li>each block affine to this node: blackhole (a workload {@code /32} of the same CIDR wins), unless
 *       {@code blackholes} is off (the {@code bird} backend: BIRD programs them);</li>
 *   <li>each block affine to another node, by the mode of the pool containing it: VXLAN when {@code vxlanMode} is
 *       Always, or CrossSubnet and the other node's address is outside this node's subnet ({@code via <its VTEP> dev
 *       vxlan.calico onlink}, neighbour VTEP to MAC, FDB MAC to its address; always Felix's, in every backend). In the
 *       {@code vxlan} backend also IPIP ({@code ipipMode} Always, or CrossSubnet across subnets: {@code via <its
 *       address> dev tunl0 onlink}) and direct ({@code via <its address>}, only when it is in this node's subnet:
 *       otherwise the underlay has to route it and Felix adds nothing); in every backend the direct route of a
 *       {@code vxlanMode} CrossSubnet block in this node's subnet (the whole pool is Felix's, as in Calico);</li>
 *   <li>in the BGP backends each learned route, by the same rules with its next hop as the other node's address;
 *       a prefix Felix already routes (a local block, a VXLAN block) is left to that route.</li>
 * </ul>
 * A route that cannot be built (a remote node without a VTEP MAC yet, no tunnel device here) is left out and said
 * in {@link Plan#notes}; it appears once its inputs do.
 */
public final class RouteResolver {
  /**
   * The output for everything but the local endpoints' {@code /32}s: {@code weak} names the routes that yield to a
   * local endpoint route of the same destination (blackholes, learned routes).
   */
  public record Plan(SortedMap<String, Route> routes, java.util.Set<String> weak, SortedMap<String, String> neighbours,
      SortedMap<String, String> fdb, List<String> notes) {

    /** The whole route table: {@code local} (endpoint routes) with this plan's routes on top, by the rules above. */
    public org.pcollections.PSortedMap<String, Route> over(org.pcollections.PSortedMap<String, Route> local) {
      org.pcollections.PSortedMap<String, Route> out = local;
      for (Map.Entry<String, Route> e : routes.entrySet()) {
        if (!weak.contains(e.getKey()) || !local.containsKey(e.getKey())) {
          out = out.plus(e.getKey(), e.getValue());
        }
      }
      return out;
    }
  }

  /** How traffic to another node's block goes. */
  enum Shape { VXLAN, IPIP, DIRECT }

  private RouteResolver() {}

  public static Plan resolve(String nodename, NodeResolver.Host self, boolean felixRoutesRemote, boolean blackholes,
      Map<String, IpamBlock> blocks, PoolResolver.Pools pools, Map<String, NodeResolver.Host> hosts,
      Map<String, String> learned, VxlanDevice vxlan, IpipDevice ipip) {
    TreeMap<String, Route> routes = new TreeMap<>();
    java.util.Set<String> weak = new java.util.HashSet<>();
    TreeMap<String, String> neigh = new TreeMap<>();
    TreeMap<String, String> fdb = new TreeMap<>();
    List<String> notes = new ArrayList<>();
    for (IpamBlock b : blocks.values()) {
      String host = b.host();
      if (b.deleted() || host == null) {
        continue;
      }
      Cidr cidr;
      try {
        cidr = Cidr.parse(b.cidr()).network();
      } catch (RuntimeException bad) {
        continue;
      }
      if (!cidr.isIpv4()) {
        continue;
      }
      String dst = cidr.toString();
      if (host.equals(nodename)) {
        if (blackholes) {
          routes.putIfAbsent(dst, Route.blackhole(dst));
          weak.add(dst);
        }
        continue;
      }
      PoolResolver.Pool pool = pools.find(cidr);
      NodeResolver.Host remote = hosts.get(host);
      if (pool == null || remote == null || remote.ip() == null) {
        notes.add("block " + dst + " of " + host + ": " + (pool == null ? "in no IP pool" : "node address unknown"));
        continue;
      }
      Shape shape = shape(pool, self, remote.ip());
      if (shape == Shape.VXLAN) {
        if (vxlan == null || remote.vxlanAddr() == null || remote.vxlanMac() == null) {
          notes.add("block " + dst + " of " + host + ": VXLAN needs " + (vxlan == null ? "a VXLAN device here"
              : remote.vxlanAddr() == null ? "its VXLAN tunnel address" : "its VTEP MAC (not published yet)"));
          continue;
        }
        routes.put(dst, Route.tunnel(dst, remote.vxlanAddr(), VxlanDevice.NAME));
        neigh.put(remote.vxlanAddr(), remote.vxlanMac());
        fdb.put(remote.vxlanMac(), remote.ip());
      } else if (felixRoutesRemote || pool.vxlan() == EncapMode.CROSS_SUBNET) {
        // A VXLAN CrossSubnet pool is Felix's in every backend, its in-subnet direct routes too (BIRD rejects the
        // pool's routes, like Calico's BIRD config; as Calico's Felix, the VXLAN manager routes in-subnet blocks).
        addNonVxlan(routes, notes, dst, shape, remote.ip(), self, ipip, host);
      }
    }
    if (!felixRoutesRemote) {
      for (Map.Entry<String, String> e : learned.entrySet()) {
        String dst = e.getKey();
        if (routes.containsKey(dst) || (self != null && e.getValue().equals(self.ip()))) {
          continue;
        }
        Cidr cidr = Cidr.parse(dst);
        PoolResolver.Pool pool = pools.find(cidr);
        Shape shape = pool == null ? Shape.DIRECT : shape(pool, self, e.getValue());
        if (shape == Shape.VXLAN) {
          continue; // Felix's own VXLAN route (from the block's affinity) carries it
        }
        addNonVxlan(routes, notes, dst, shape, e.getValue(), self, ipip, "BGP");
        weak.add(dst);
      }
    }
    return new Plan(Collections.unmodifiableSortedMap(routes), java.util.Set.copyOf(weak),
        Collections.unmodifiableSortedMap(neigh),
        Collections.unmodifiableSortedMap(fdb), List.copyOf(notes));
  }

  private static void addNonVxlan(TreeMap<String, Route> routes, List<String> notes, String dst, Shape shape,
      String nextHop, NodeResolver.Host self, IpipDevice ipip, String from) {
    if (shape == Shape.IPIP) {
      if (ipip == null) {
        notes.add("route " + dst + " (" + from + "): IPIP needs a tunl0 address on this node");
        return;
      }
      routes.put(dst, Route.tunnel(dst, nextHop, IpipDevice.NAME));
    } else if (self == null || self.subnet() == null || self.sameSubnet(nextHop)) {
      routes.put(dst, Route.direct(dst, nextHop));
    } else {
      notes.add("route " + dst + " (" + from + "): next hop " + nextHop + " is outside " + self.subnet()
          + "; the underlay routes it");
    }
  }

  /** The encapsulation for traffic to a node at {@code remoteIp}, by the pool's modes (VXLAN wins over IPIP). */
  static Shape shape(PoolResolver.Pool pool, NodeResolver.Host self, String remoteIp) {
    boolean across = self == null || !self.sameSubnet(remoteIp);
    if (pool.vxlan() == EncapMode.ALWAYS || (pool.vxlan() == EncapMode.CROSS_SUBNET && across)) {
      return Shape.VXLAN;
    }
    if (pool.ipip() == EncapMode.ALWAYS || (pool.ipip() == EncapMode.CROSS_SUBNET && across)) {
      return Shape.IPIP;
    }
    return Shape.DIRECT;
  }
}
