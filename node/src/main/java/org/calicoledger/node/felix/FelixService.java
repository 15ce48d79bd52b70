package org.calicoledger.node.felix;

import org.calicoledger.felix.Felix;
import org.calicoledger.node.NodeService;
import org.calicoledger.node.health.Metrics;

/**
 * Felix as a calico-node service: started before the change-log feed (it waits for the feed's first sync), ready
 * while Felix is in sync (so {@code /readiness} reflects it), stopped without touching the data plane. Exposes
 * Felix's counters as gauges on {@code /metrics}.
 */
public final class FelixService implements NodeService {
  private final Felix felix;

  public FelixService(Felix felix, Metrics metrics) {
    this.felix = felix;
    metrics.gauge("felix_in_sync", "1 while Felix's data plane matches the latest image.", () -> felix.inSync() ? 1 : 0);
    metrics.gauge("felix_passes", "Felix passes (calc and apply) since start.", felix::passes);
    metrics.gauge("felix_full_resyncs", "Felix passes that read the kernel back (start and refresh intervals).",
        felix::fullPasses);
    metrics.gauge("felix_apply_errors", "Failed part applies since start (each is retried).", felix::errorsTotal);
    metrics.gauge("felix_last_pass_seconds", "Duration of Felix's last pass.", () -> felix.lastPassMillis() / 1000.0);
  }

  public Felix felix() {
    return felix;
  }

  @Override
  public String name() {
    return "felix";
  }

  @Override
  public void start() {
    felix.start();
  }

  @Override
  public boolean ready() {
    return felix.inSync();
  }

  @Override
  public void stop() {
    felix.close();
  }
}
