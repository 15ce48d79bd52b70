package org.calicoledger.felix.calc;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.calicoledger.events.image.ClusterImage;
import org.calicoledger.events.image.Concern;
import org.calicoledger.events.image.ImageValue;
import org.calicoledger.events.image.KeyedImage;
import org.calicoledger.model.WorkloadEndpoint;
import org.calicoledger.model.net.Cidr;
import org.pcollections.PSortedMap;
import org.pcollections.TreePMap;

/**
 * Local workload endpoints.
 *
 * <p>Inputs: the WorkloadEndpoints of the image and this node's name. Outputs: {@link #endpoints()}, host-side
 * interface name to the endpoint's IPv4 addresses as {@code /32} CIDRs (sorted), and {@link #routes()}, one
 * {@link Route#local} per address; both persistent maps, so an output handed out never changes. Change rules:
 * nothing happens when the WorkloadEndpoints sub-image is the same instance; otherwise only endpoints whose stored
 * value is a different instance than last time are decoded and parsed again (one identity check per unchanged
 * endpoint), and only the interfaces they name are rebuilt: adding one endpoint among 10,000 costs a walk of the
 * map and a few persistent-map updates. Endpoints of other nodes, without an interface name, or with addresses that
 * do not parse are left out (IPv6 is not routed here); two endpoints naming one interface share it.
 */
public final class LocalEndpointResolver {
  /** What one stored endpoint contributes (null iface: nothing), and the last walk that saw it. */
  private static final class Contribution {
    final ImageValue value;
    final String iface;
    final List<String> addresses;
    long generation;

    Contribution(ImageValue value, String iface, List<String> addresses, long generation) {
      this.value = value;
      this.iface = iface;
      this.addresses = addresses;
      this.generation = generation;
    }
  }

  private final String nodename;
  private Map<String, Contribution> byId = new HashMap<>();
  private final Map<String, Map<String, List<String>>> byIface = new HashMap<>();
  private KeyedImage<WorkloadEndpoint> seen;
  private long generation;
  private PSortedMap<String, List<String>> endpoints = TreePMap.empty();
  private PSortedMap<String, Route> routes = TreePMap.empty();
  private final java.util.Set<String> changed = new java.util.HashSet<>();
  private boolean allChanged = true;

  public LocalEndpointResolver(String nodename) {
    this.nodename = nodename;
  }

  /** Updates the outputs for {@code image}; returns {@link #endpoints()}. */
  public PSortedMap<String, List<String>> resolve(ClusterImage image) {
    KeyedImage<WorkloadEndpoint> weps = image.get(Concern.WORKLOAD_ENDPOINTS);
    if (weps == seen) {
      return endpoints;
    }
    long gen = ++generation;
    if (byId.isEmpty()) { // a start: every endpoint is new, so no per-interface bookkeeping before the rebuild
      byId = new HashMap<>(Math.max(16, weps.size() * 4 / 3 + 1));
      for (Map.Entry<String, ImageValue> e : weps.values().entrySet()) {
        Contribution now = contribution(e.getValue(), weps.decode(e.getKey(), e.getValue()), gen);
        byId.put(e.getKey(), now);
        if (now.iface != null) {
          byIface.computeIfAbsent(now.iface, k -> new HashMap<>(2)).put(e.getKey(), now.addresses);
        }
      }
      allChanged = true;
      rebuild();
      seen = weps;
      return endpoints;
    }
    java.util.HashSet<String> dirty = new java.util.HashSet<>();
    int seenCount = 0;
    for (Map.Entry<String, ImageValue> e : weps.values().entrySet()) {
      seenCount++;
      Contribution old = byId.get(e.getKey());
      if (old != null && old.value == e.getValue()) {
        old.generation = gen; // unchanged: no allocation, no decoding
        continue;
      }
      Contribution now = contribution(e.getValue(), weps.decode(e.getKey(), e.getValue()), gen);
      change(e.getKey(), old, now, dirty);
      byId.put(e.getKey(), now);
    }
    if (seenCount != byId.size()) {
      for (Map.Entry<String, Contribution> e : List.copyOf(byId.entrySet())) {
        if (e.getValue().generation != gen) {
          change(e.getKey(), e.getValue(), null, dirty);
          byId.remove(e.getKey());
        }
      }
    }
    if (dirty.size() > 64) {
      allChanged = true;
      rebuild();
      seen = weps;
      return endpoints;
    }
    for (String iface : dirty) {
      List<String> before = endpoints.get(iface);
      if (before != null) {
        changed.addAll(before);
        for (String a : before) {
          if (routes.containsKey(a) && iface.equals(routes.get(a).dev())) {
            routes = routes.minus(a);
          }
        }
      }
      Map<String, List<String>> users = byIface.get(iface);
      if (users == null || users.isEmpty()) {
        byIface.remove(iface);
        endpoints = endpoints.minus(iface);
        continue;
      }
      List<String> addrs = merged(users);
      endpoints = endpoints.plus(iface, addrs);
      changed.addAll(addrs);
      for (String a : addrs) {
        routes = routes.plus(a, Route.local(a, iface));
      }
    }
    seen = weps;
    return endpoints;
  }

  /** Both outputs from scratch (a start, a resync of the feed): sorted mutable maps first, one bulk copy each. */
  private void rebuild() {
    java.util.TreeMap<String, List<String>> eps = new java.util.TreeMap<>();
    java.util.TreeMap<String, Route> rts = new java.util.TreeMap<>();
    for (Map.Entry<String, Map<String, List<String>>> e : byIface.entrySet()) {
      if (e.getValue().isEmpty()) {
        continue;
      }
      List<String> addrs = merged(e.getValue());
      eps.put(e.getKey(), addrs);
      for (String a : addrs) {
        rts.put(a, Route.local(a, e.getKey()));
      }
    }
    byIface.values().removeIf(Map::isEmpty);
    endpoints = TreePMap.fromSortedMap(eps);
    routes = TreePMap.fromSortedMap(rts);
  }

  /**
   * The destinations of {@link #routes()} that may differ since the last call, or null when any may (a rebuild);
   * clears the record.
   */
  public java.util.Set<String> takeChanges() {
    java.util.Set<String> out = allChanged ? null : java.util.Set.copyOf(changed);
    changed.clear();
    allChanged = false;
    return out;
  }

  /** The sorted, distinct addresses of every endpoint on one interface (usually one endpoint: its own list). */
  private static List<String> merged(Map<String, List<String>> users) {
    if (users.size() == 1) {
      return users.values().iterator().next();
    }
    ArrayList<String> all = new ArrayList<>();
    users.values().forEach(all::addAll);
    all.sort(null);
    ArrayList<String> out = new ArrayList<>(all.size());
    for (String a : all) {
      if (out.isEmpty() || !out.get(out.size() - 1).equals(a)) {
        out.add(a);
      }
    }
    return java.util.Collections.unmodifiableList(out);
  }

  /** Interface to {@code /32} addresses (as of the last {@link #resolve}). */
  public PSortedMap<String, List<String>> endpoints() {
    return endpoints;
  }

  /** {@code /32 dev <iface> scope link} per local address. */
  public PSortedMap<String, Route> routes() {
    return routes;
  }

  private void change(String id, Contribution old, Contribution now, java.util.Set<String> dirty) {
    if (old != null && old.iface != null) {
      Map<String, List<String>> users = byIface.get(old.iface);
      if (users != null) {
        users.remove(id);
      }
      dirty.add(old.iface);
    }
    if (now != null && now.iface != null) {
      byIface.computeIfAbsent(now.iface, k -> new HashMap<>()).put(id, now.addresses);
      dirty.add(now.iface);
    }
  }

  private Contribution contribution(ImageValue v, WorkloadEndpoint w, long gen) {
    WorkloadEndpoint.Spec s = w == null ? null : w.spec();
    if (s == null || !nodename.equals(s.node()) || s.interfaceName() == null || s.interfaceName().isBlank()
        || s.ipNetworks() == null) {
      return new Contribution(v, null, List.of(), gen);
    }
    List<String> addrs = new ArrayList<>();
    for (String n : s.ipNetworks()) {
      try {
        String fast = hostRoute(n);
        if (fast != null) {
          if (s.ipNetworks().size() == 1) {
            return new Contribution(v, s.interfaceName(), List.of(fast), gen);
          }
          addrs.add(fast);
          continue;
        }
        Cidr c = Cidr.parseCidrOrAddress(n);
        if (c.isIpv4()) {
          addrs.add(c.addressString() + "/32");
        }
      } catch (RuntimeException bad) {
        // an address that does not parse routes nowhere; the CNI plugin never writes one
      }
    }
    if (addrs.size() > 1) {
      addrs = new ArrayList<>(new TreeSet<>(addrs));
    }
    return addrs.isEmpty() ? new Contribution(v, null, List.of(), gen)
        : new Contribution(v, s.interfaceName(), List.copyOf(addrs), gen);
  }

  /**
   * {@code a.b.c.d/32} (or a bare {@code a.b.c.d}) in canonical form, without the general parser (this runs for every
   * endpoint on a full build); null for anything else, which the general parser then handles.
   */
  static String hostRoute(String text) {
    int slash = text.indexOf('/');
    if (slash >= 0 && !text.substring(slash).equals("/32")) {
      return null;
    }
    String addr = slash >= 0 ? text.substring(0, slash) : text;
    int octets = 0;
    int value = -1;
    int digits = 0;
    for (int i = 0; i <= addr.length(); i++) {
      char ch = i == addr.length() ? '.' : addr.charAt(i);
      if (ch == '.') {
        if (digits == 0 || value > 255 || (digits > 1 && addr.charAt(i - digits) == '0')) {
          return null;
        }
        octets++;
        value = -1;
        digits = 0;
      } else if (ch >= '0' && ch <= '9' && digits < 3) {
        value = (value < 0 ? 0 : value * 10) + (ch - '0');
        digits++;
      } else {
        return null;
      }
    }
    return octets == 4 ? addr + "/32" : null;
  }
}
