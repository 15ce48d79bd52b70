package org.calicoledger.felix.calc;

import java.util.List;
import java.util.SortedMap;

/**
 * Everything the routes, devices and sysctl parts program for one image: the output of {@link CalcGraph}.
 * Immutable; equal inputs give equal values (whatever order or batches the events came in).
 *
 * @param endpoints local workload interfaces to their {@code /32} addresses
 * @param routes by destination
 * @param neighbours on {@code vxlan.calico}: remote VTEP address to its MAC
 * @param fdb on {@code vxlan.calico}: remote VTEP MAC to the remote node's address
 * @param vxlan the VXLAN device wanted, or null
 * @param ipip the IPIP device wanted, or null
 * @param notes why something expected is missing (e.g. a remote node without a VTEP MAC yet), for logs
 */
public record DesiredDataplane(SortedMap<String, List<String>> endpoints, SortedMap<String, Route> routes,
    SortedMap<String, String> neighbours, SortedMap<String, String> fdb, VxlanDevice vxlan, IpipDevice ipip,
    List<String> notes) {

  public static final DesiredDataplane EMPTY = new DesiredDataplane(java.util.Collections.emptySortedMap(),
      java.util.Collections.emptySortedMap(), java.util.Collections.emptySortedMap(),
      java.util.Collections.emptySortedMap(), null, null, List.of());
}
