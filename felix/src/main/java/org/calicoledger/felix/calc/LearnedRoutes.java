package org.calicoledger.felix.calc;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.calicoledger.model.net.Cidr;

/**
 * The in-process bus from the node's BGP speaker to Felix: the IPv4 routes the speaker learned from its peers (best
 * path only), as prefix and next hop.
 *
 * <p>Inputs: {@link #announce} (replaces the next hop of a prefix already known) and {@link #withdraw}, from any
 * thread. Outputs: {@link #snapshot()} (an immutable, sorted copy) and {@link #version()}, which rises with every
 * change that altered the table, so a reader can skip work when nothing changed. Listeners ({@link #onChange}) run on
 * the caller's thread after the change and must not block: Felix's listener only wakes its own thread.
 *
 * <p>Bad input (not an IPv4 CIDR, not an IPv4 next hop) is refused with an {@link IllegalArgumentException} naming
 * the value; the table is then unchanged.
 */
public final class LearnedRoutes {
  private final TreeMap<String, String> routes = new TreeMap<>();
  private final CopyOnWriteArrayList<Runnable> listeners = new CopyOnWriteArrayList<>();
  private long version;
  private Map<String, String> snapshot = Map.of();

  /** Records that {@code prefixCidr} is reachable via {@code nextHop}. */
  public void announce(String prefixCidr, String nextHop) {
    String prefix = normalPrefix(prefixCidr);
    Cidr hop;
    try {
      hop = Cidr.parseAddress(nextHop);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("learned route " + prefixCidr + ": next hop '" + nextHop
          + "' is not an IP address");
    }
    if (!hop.isIpv4()) {
      throw new IllegalArgumentException("learned route " + prefixCidr + ": next hop '" + nextHop
          + "' is not IPv4 (Felix programs IPv4 routes only)");
    }
    synchronized (this) {
      if (hop.addressString().equals(routes.put(prefix, hop.addressString()))) {
        return;
      }
      changed();
    }
    fire();
  }

  /** Forgets {@code prefixCidr} (nothing happens when it is unknown). */
  public void withdraw(String prefixCidr) {
    String prefix = normalPrefix(prefixCidr);
    synchronized (this) {
      if (routes.remove(prefix) == null) {
        return;
      }
      changed();
    }
    fire();
  }

  /** Prefix to next hop, sorted by prefix text; never changes once returned. */
  public synchronized Map<String, String> snapshot() {
    return snapshot;
  }

  public synchronized long version() {
    return version;
  }

  /** Runs {@code listener} after every change (on the announcing thread). */
  public void onChange(Runnable listener) {
    listeners.add(listener);
  }

  private void changed() {
    version++;
    snapshot = java.util.Collections.unmodifiableMap(new TreeMap<>(routes));
  }

  private void fire() {
    for (Runnable r : listeners) {
      r.run();
    }
  }

  private static String normalPrefix(String prefixCidr) {
    Cidr c;
    try {
      c = Cidr.parse(prefixCidr);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("learned route prefix '" + prefixCidr + "' is not a CIDR: " + e.getMessage());
    }
    if (!c.isIpv4()) {
      throw new IllegalArgumentException("learned route prefix '" + prefixCidr + "' is not IPv4");
    }
    return c.network().toString();
  }
}
