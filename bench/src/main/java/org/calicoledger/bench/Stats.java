package org.calicoledger.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Medians and percentiles of samples (nearest-rank). */
final class Stats {
  private Stats() {}

  static double percentile(List<Double> samples, double p) {
    if (samples.isEmpty()) {
      return Double.NaN;
    }
    List<Double> s = new ArrayList<>(samples);
    Collections.sort(s);
    int rank = (int) Math.ceil(p * s.size());
    return s.get(Math.max(0, Math.min(s.size() - 1, rank - 1)));
  }

  static double median(List<Double> samples) {
    return percentile(samples, 0.5);
  }
}
