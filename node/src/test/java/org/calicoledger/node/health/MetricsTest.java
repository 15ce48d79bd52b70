package org.calicoledger.node.health;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MetricsTest {
  @Test
  void rendersPrometheusTextWithCumulativeBuckets() {
    Metrics m = new Metrics();
    m.cniRequest("calico", "ADD", 0, 0.004);
    m.cniRequest("calico", "ADD", 0, 0.03);
    m.cniRequest("calico", "ADD", 11, 3.0);
    m.gauge("calico_node_ready", "ready", () -> 1);
    String t = m.render();
    assertThat(t).contains("calico_cni_requests_total{plugin=\"calico\",command=\"ADD\",code=\"0\"} 2\n")
        .contains("calico_cni_requests_total{plugin=\"calico\",command=\"ADD\",code=\"11\"} 1\n")
        .contains("calico_cni_request_duration_seconds_bucket{plugin=\"calico\",command=\"ADD\",le=\"0.005\"} 1\n")
        .contains("calico_cni_request_duration_seconds_bucket{plugin=\"calico\",command=\"ADD\",le=\"0.05\"} 2\n")
        .contains("calico_cni_request_duration_seconds_bucket{plugin=\"calico\",command=\"ADD\",le=\"2.5\"} 2\n")
        .contains("calico_cni_request_duration_seconds_bucket{plugin=\"calico\",command=\"ADD\",le=\"+Inf\"} 3\n")
        .contains("calico_cni_request_duration_seconds_count{plugin=\"calico\",command=\"ADD\"} 3\n")
        .contains("calico_cni_request_duration_seconds_sum{plugin=\"calico\",command=\"ADD\"} 3.034\n")
        .contains("# TYPE calico_node_ready gauge\ncalico_node_ready 1\n");
    for (String line : t.split("\n")) {
      assertThat(line).matches("# (HELP|TYPE) .*|[a-z_]+(\\{[^}]*\\})? [-+0-9.eEInfa]+");
    }
  }
}
