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
  /** Routes kept from before a restart and not announced again yet ({@link #retainStale}). */
  private final java.util.Set<String> stale = new java.util.HashSet<>();
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
      stale.remove(prefix);
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
      stale.remove(prefix);
      if (routes.remove(prefix) == null) {
        return;
      }
      changed();
    }
    fire();
  }

  /**
   * The receiving side of a graceful restart (as BIRD's kernel protocol with {@code graceful restart}): routes that
   * were programmed before this process started ({@code previous}, prefix to next hop) count as learned until the
   * speaker has its peers' routes again, so Felix's first sync keeps them in the kernel instead of deleting them
   * until the peers re-send them. A retained route that is announced again is no longer stale; {@link #releaseStale}
   * drops those that were not. Entries that do not parse are skipped.
   */
  public void retainStale(Map<String, String> previous) {
    boolean changed = false;
    synchronized (this) {
      for (Map.Entry<String, String> e : previous.entrySet()) {
        String prefix;
        String hop;
        try {
          prefix = normalPrefix(e.getKey());
          Cidr h = Cidr.parseAddress(e.getValue());
          if (!h.isIpv4()) {
            continue;
          }
          hop = h.addressString();
        } catch (RuntimeException bad) {
          continue;
        }
        if (!routes.containsKey(prefix)) {
          routes.put(prefix, hop);
          stale.add(prefix);
          changed = true;
        }
      }
      if (changed) {
        changed();
      }
    }
    if (changed) {
      fire();
    }
  }

  /** Drops the retained routes that were not announced again (the peers' initial routes are all in); returns how many. */
  public int releaseStale() {
    int n;
    synchronized (this) {
      n = stale.size();
      stale.forEach(routes::remove);
      stale.clear();
      if (n == 0) {
        return 0;
      }
      changed();
    }
    fire();
    return n;
  }

  /** How many retained routes wait to be announced again. */
  public synchronized int staleCount() {
    return stale.size();
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
