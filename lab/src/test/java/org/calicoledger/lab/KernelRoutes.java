package org.calicoledger.lab;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Test helpers over a node namespace's IPv4 route table ({@code ip -4 route}) for the end-to-end tests: which route
 * covers a pod address, and a watcher that samples one route over time (to prove it never left the kernel).
 */
final class KernelRoutes {
  private KernelRoutes() {}

  /** The IPv4 routes of namespace {@code ns}, one line each. */
  static List<String> of(String ns) {
    return Host.run("ip", "-n", ns, "-4", "route").orThrow().out().lines().map(String::strip)
        .filter(l -> !l.isEmpty()).toList();
  }

  /**
   * The route of {@code ns} for a prefix shorter than /32 that contains {@code ip} (a block route), if any; routes
   * that are blackholes or unreachable are skipped (a node's own blocks).
   */
  static Optional<String> blockRouteTo(String ns, String ip) {
    long addr = toLong(ip);
    for (String l : of(ns)) {
      String dst = l.split(" ")[0];
      if (l.startsWith("blackhole") || l.startsWith("unreachable") || !dst.contains("/") || dst.endsWith("/32")
          || dst.startsWith("default")) {
        continue;
      }
      int len = Integer.parseInt(dst.substring(dst.indexOf('/') + 1));
      long mask = len == 0 ? 0 : (0xffffffffL << (32 - len)) & 0xffffffffL;
      if ((toLong(dst.substring(0, dst.indexOf('/'))) & mask) == (addr & mask)) {
        return Optional.of(l);
      }
    }
    return Optional.empty();
  }

  /** The destination (first word) of a route line. */
  static String dst(String routeLine) {
    return routeLine.split(" ")[0];
  }

  static long toLong(String ip) {
    String[] p = ip.split("\\.");
    long v = 0;
    for (String s : p) {
      v = (v << 8) | Integer.parseInt(s);
    }
    return v;
  }

  /**
   * Samples {@code ip -n ns route show exact dst} every 100 ms on a thread of its own until {@link #close}: how many
   * samples found the route, how many did not, and the longest run without it.
   */
  static final class Watch implements AutoCloseable {
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicInteger present = new AtomicInteger();
    private final AtomicInteger missing = new AtomicInteger();
    private final AtomicLong longestGapMillis = new AtomicLong();
    private final Thread thread;
    final String ns;
    final String dst;

    Watch(String ns, String dst, String mustContain) {
      this.ns = ns;
      this.dst = dst;
      this.thread = new Thread(() -> {
        long gapStart = -1;
        while (running.get()) {
          Host.Result r = Host.run("ip", "-n", ns, "-4", "route", "show", "exact", dst);
          long now = System.nanoTime();
          boolean there = r.ok() && r.out().contains(mustContain);
          if (there) {
            present.incrementAndGet();
            if (gapStart >= 0) {
              longestGapMillis.accumulateAndGet((now - gapStart) / 1_000_000, Math::max);
              gapStart = -1;
            }
          } else {
            missing.incrementAndGet();
            if (gapStart < 0) {
              gapStart = now;
            }
          }
          try {
            Thread.sleep(100);
          } catch (InterruptedException e) {
            return;
          }
        }
        if (gapStart >= 0) {
          longestGapMillis.accumulateAndGet((System.nanoTime() - gapStart) / 1_000_000, Math::max);
        }
      }, "route-watch-" + ns);
      thread.setDaemon(true);
      thread.start();
    }

    int present() {
      return present.get();
    }

    int missing() {
      return missing.get();
    }

    long longestGapMillis() {
      return longestGapMillis.get();
    }

    @Override
    public void close() {
      running.set(false);
      try {
        thread.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    @Override
    public String toString() {
      return "route " + dst + " in " + ns + ": present in " + present() + " samples, missing in " + missing()
          + " (longest gap " + longestGapMillis() + " ms)";
    }
  }
}
