package org.calicoledger.node.health;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.DoubleSupplier;

/**
 * The node's Prometheus metrics, rendered in the text exposition format (version 0.0.4) for {@code /metrics}:
 * counters and histograms keyed by label values, and gauges read when scraped. Thread-safe; recording is lock-free.
 *
 * <pre>
 * calico_cni_requests_total{plugin,command,code}      requests answered, by CNI result code (0 = success)
 * calico_cni_request_duration_seconds{plugin,command} histogram of the agent's time per request
 * calico_node_* gauges                                start time, readiness, services
 * </pre>
 */
public final class Metrics {
  static final double[] BUCKETS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  private final ConcurrentMap<String, LongAdder> requests = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, Histogram> durations = new ConcurrentHashMap<>();
  private final Map<String, Gauge> gauges = new ConcurrentHashMap<>();

  private record Gauge(String help, DoubleSupplier value) {}

  /** One answered CNI request. */
  public void cniRequest(String plugin, String command, int code, double seconds) {
    String labels = "plugin=\"" + esc(plugin) + "\",command=\"" + esc(command) + "\"";
    requests.computeIfAbsent(labels + ",code=\"" + code + "\"", k -> new LongAdder()).increment();
    durations.computeIfAbsent(labels, k -> new Histogram()).observe(seconds);
  }

  /** A value read at every scrape. */
  public void gauge(String name, String help, DoubleSupplier value) {
    gauges.put(name, new Gauge(help, value));
  }

  public String render() {
    StringBuilder b = new StringBuilder();
    b.append("# HELP calico_cni_requests_total CNI requests the agent answered, by result code (0 is success).\n");
    b.append("# TYPE calico_cni_requests_total counter\n");
    new TreeMap<>(requests).forEach((l, n) -> b.append("calico_cni_requests_total{").append(l).append("} ")
        .append(n.sum()).append('\n'));
    b.append("# HELP calico_cni_request_duration_seconds Time the agent spent on a CNI request.\n");
    b.append("# TYPE calico_cni_request_duration_seconds histogram\n");
    new TreeMap<>(durations).forEach((l, h) -> h.render(b, "calico_cni_request_duration_seconds", l));
    new TreeMap<>(gauges).forEach((name, g) -> {
      b.append("# HELP ").append(name).append(' ').append(g.help()).append('\n');
      b.append("# TYPE ").append(name).append(" gauge\n");
      b.append(name).append(' ').append(num(g.value().getAsDouble())).append('\n');
    });
    return b.toString();
  }

  private static String esc(String v) {
    return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }

  static String num(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    return Double.isNaN(v) ? "NaN" : Double.isInfinite(v) ? (v > 0 ? "+Inf" : "-Inf") : Double.toString(v);
  }

  /** Cumulative buckets as Prometheus wants them: each counts the observations at or below its bound. */
  private static final class Histogram {
    private final LongAdder[] counts = new LongAdder[BUCKETS.length];
    private final LongAdder count = new LongAdder();
    private final java.util.concurrent.atomic.DoubleAdder sum = new java.util.concurrent.atomic.DoubleAdder();

    Histogram() {
      for (int i = 0; i < counts.length; i++) {
        counts[i] = new LongAdder();
      }
    }

    void observe(double v) {
      for (int i = 0; i < BUCKETS.length; i++) {
        if (v <= BUCKETS[i]) {
          counts[i].increment();
        }
      }
      count.increment();
      sum.add(v);
    }

    void render(StringBuilder b, String name, String labels) {
      for (int i = 0; i < BUCKETS.length; i++) {
        b.append(name).append("_bucket{").append(labels).append(",le=\"").append(num(BUCKETS[i])).append("\"} ")
            .append(counts[i].sum()).append('\n');
      }
      long n = count.sum();
      b.append(name).append("_bucket{").append(labels).append(",le=\"+Inf\"} ").append(n).append('\n');
      b.append(name).append("_sum{").append(labels).append("} ").append(num(sum.sum())).append('\n');
      b.append(name).append("_count{").append(labels).append("} ").append(n).append('\n');
    }
  }
}
