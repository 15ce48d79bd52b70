package org.calicoledger.felix.calc;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.calicoledger.events.image.ClusterImage;
import org.calicoledger.events.image.Concern;
import org.calicoledger.events.image.ImageValue;
import org.calicoledger.events.image.KeyedImage;
import org.calicoledger.model.WorkloadEndpoint;
import org.pcollections.PSortedSet;
import org.pcollections.TreePSet;

/**
 * The host-side interface names of this node's workload endpoints, for the iptables part's per-endpoint chains.
 *
 * <p>Inputs: the image's WorkloadEndpoints and this node's name. Outputs: {@link #interfaces()}, a persistent sorted
 * set (a set handed out never changes), and {@link #takeChanged()}, the names that came or went since the last take.
 * Change rules: nothing happens when the WorkloadEndpoints sub-image is the same instance as last time; otherwise
 * each stored endpoint costs one identity check of its value, and only endpoints whose value is a different instance
 * are decoded again. An endpoint of another node or without an interface name names nothing; an interface named by
 * two endpoints stays until neither names it. Unlike {@link LocalEndpointResolver} an endpoint needs no IPv4 address
 * to get its chains.
 */
public final class LocalInterfaceResolver {
  /** What one stored endpoint names (null: nothing), and the last walk that saw it. */
  private static final class Seen {
    final ImageValue value;
    final String iface;
    long generation;

    Seen(ImageValue value, String iface, long generation) {
      this.value = value;
      this.iface = iface;
      this.generation = generation;
    }
  }

  /** More changed names than this in one image: the set is rebuilt in one bulk copy instead of name by name. */
  private static final int BULK = 64;
  private final String nodename;
  private final Map<String, Seen> byId = new HashMap<>();
  private final Map<String, Integer> users = new HashMap<>();
  private final Set<String> changed = new HashSet<>();
  private PSortedSet<String> interfaces = TreePSet.empty();
  private KeyedImage<WorkloadEndpoint> seen;
  private long generation;

  public LocalInterfaceResolver(String nodename) {
    this.nodename = nodename;
  }

  /** Updates the outputs for {@code image}; returns {@link #interfaces()}. */
  public PSortedSet<String> resolve(ClusterImage image) {
    KeyedImage<WorkloadEndpoint> weps = image.get(Concern.WORKLOAD_ENDPOINTS);
    if (weps == seen) {
      return interfaces;
    }
    long gen = ++generation;
    Set<String> touched = new HashSet<>();
    int count = 0;
    for (Map.Entry<String, ImageValue> e : weps.values().entrySet()) {
      count++;
      Seen old = byId.get(e.getKey());
      if (old != null && old.value == e.getValue()) {
        old.generation = gen;
        continue;
      }
      String iface = ifaceOf(weps.decode(e.getKey(), e.getValue()));
      byId.put(e.getKey(), new Seen(e.getValue(), iface, gen));
      release(old == null ? null : old.iface, touched);
      hold(iface, touched);
    }
    if (count != byId.size()) {
      List<String> gone = new ArrayList<>();
      byId.forEach((id, s) -> {
        if (s.generation != gen) {
          gone.add(id);
        }
      });
      for (String id : gone) {
        release(byId.remove(id).iface, touched);
      }
    }
    List<String> came = new ArrayList<>();
    List<String> went = new ArrayList<>();
    for (String iface : touched) {
      boolean now = users.containsKey(iface);
      if (now != interfaces.contains(iface)) {
        (now ? came : went).add(iface);
      }
    }
    if (came.size() + went.size() > BULK) {
      interfaces = TreePSet.from(users.keySet());
    } else {
      interfaces = interfaces.plusAll(came).minusAll(went);
    }
    changed.addAll(came);
    changed.addAll(went);
    seen = weps;
    return interfaces;
  }

  /** This node's endpoint interfaces as of the last {@link #resolve}. */
  public PSortedSet<String> interfaces() {
    return interfaces;
  }

  /** The interfaces that came or went since the last call (each once); clears the record. */
  public Set<String> takeChanged() {
    Set<String> out = Set.copyOf(changed);
    changed.clear();
    return out;
  }

  private String ifaceOf(WorkloadEndpoint w) {
    WorkloadEndpoint.Spec s = w == null ? null : w.spec();
    if (s == null || !nodename.equals(s.node()) || s.interfaceName() == null || s.interfaceName().isBlank()) {
      return null;
    }
    return s.interfaceName();
  }

  private void hold(String iface, Set<String> touched) {
    if (iface != null) {
      users.merge(iface, 1, Integer::sum);
      touched.add(iface);
    }
  }

  private void release(String iface, Set<String> touched) {
    if (iface != null) {
      users.computeIfPresent(iface, (k, n) -> n == 1 ? null : n - 1);
      touched.add(iface);
    }
  }
}
