package org.calicoledger.felix;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.calicoledger.events.image.ClusterDelta;
import org.calicoledger.events.image.ClusterImage;
import org.calicoledger.felix.calc.CalcEvents;
import org.junit.jupiter.api.Test;

/** The driver with recording parts (no kernel): order, first sync, coalescing, failures, resync timers, status. */
class FelixTest {
  /** Records every call; can be told to fail or to wait for a device. */
  static final class Recorder implements SequencedPart {
    final String name;
    final List<String> log;
    volatile boolean fail;
    volatile boolean waiting;
    volatile long delayMillis;
    volatile int images;
    volatile ClusterImage last;

    Recorder(String name, List<String> log) {
      this.name = name;
      this.log = log;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public void onImage(ClusterImage image) {
      images++;
      last = image;
    }

    @Override
    public boolean applyRemovals(boolean full) {
      log.add(name + ".removals(" + full + ")");
      return false;
    }

    @Override
    public boolean apply(boolean full) {
      log.add(name + ".apply(" + full + ")");
      try {
        Thread.sleep(delayMillis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (fail) {
        throw new IllegalStateException(name + " is broken");
      }
      return false;
    }

    @Override
    public boolean pending() {
      return waiting;
    }
  }

  static FelixContext ctx(Map<String, String> env) {
    return new FelixContext("a", env, null, null, "test", "vxlan", null);
  }

  static ClusterImage image(int n) {
    List<CalcEvents.Event> e = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      e.add(CalcEvents.endpoint("p" + i, "a", "cali" + i, "10.0.0." + (i + 1)));
    }
    return CalcEvents.image(e);
  }

  static void await(BooleanSupplier c, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!c.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(10);
    }
  }

  @Test
  void nothingRunsBeforeTheFirstSyncThenAFullPassInDependencyOrder() throws Exception {
    List<String> log = Collections.synchronizedList(new ArrayList<>());
    Recorder devices = new Recorder("devices", log);
    Recorder routes = new Recorder("routes", log);
    try (Felix f = new Felix(ctx(Map.of()), List.of(devices, routes))) {
      f.start();
      ClusterImage img = image(1);
      f.onUpdate(new ClusterDelta(ClusterImage.EMPTY), img);
      Thread.sleep(300);
      assertThat(log).isEmpty();
      assertThat(f.inSync()).isFalse();
      f.onSynced(img);
      await(f::inSync, "in sync");
      assertThat(log.subList(0, 4)).containsExactly("routes.removals(true)", "devices.removals(true)",
          "devices.apply(true)", "routes.apply(true)");
      assertThat(devices.last).isSameAs(img);
      assertThat(f.fullPasses()).isEqualTo(1);
    }
  }

  @Test
  void aBurstOfImagesCoalescesIntoFewPassesOnTheLatest() throws Exception {
    List<String> log = Collections.synchronizedList(new ArrayList<>());
    Recorder routes = new Recorder("routes", log);
    try (Felix f = new Felix(ctx(Map.of()), List.of(routes))) {
      f.onSynced(image(1));
      f.start();
      await(f::inSync, "in sync");
      routes.delayMillis = 20; // a pass takes time: images arriving meanwhile are one more pass, not one each
      ClusterImage last = null;
      for (int i = 2; i <= 200; i++) {
        last = image(i % 7 + 1);
        f.onUpdate(new ClusterDelta(ClusterImage.EMPTY), last);
      }
      ClusterImage want = last;
      await(() -> routes.last == want, "the latest image applied");
      assertThat(f.passes()).isLessThan(50);
    }
  }

  @Test
  void aFailingPartIsCountedAndRetriedWhileTheOthersCarryOn() throws Exception {
    List<String> log = Collections.synchronizedList(new ArrayList<>());
    Recorder broken = new Recorder("iptables", log);
    Recorder routes = new Recorder("routes", log);
    broken.fail = true;
    try (Felix f = new Felix(ctx(Map.of()), List.of(broken, routes))) {
      f.onSynced(image(1));
      f.start();
      await(() -> f.errorsByPart().getOrDefault("iptables", 0L) >= 2, "a retry of the broken part");
      assertThat(log).contains("routes.apply(true)");
      assertThat(f.inSync()).isFalse();
      assertThat(f.errorsByPart()).doesNotContainKey("routes");
      broken.fail = false;
      await(f::inSync, "in sync once the part works");
    }
  }

  @Test
  void fullResyncsFollowTheRefreshIntervalsPerPart() throws Exception {
    List<String> log = Collections.synchronizedList(new ArrayList<>());
    Recorder ipt = new Recorder("iptables", log);
    Recorder routes = new Recorder("routes", log);
    try (Felix f = new Felix(ctx(Map.of("routerefreshinterval", "0.2", "iptablesrefreshinterval", "60")),
        List.of(ipt, routes))) {
      f.onSynced(image(1));
      f.start();
      await(() -> Collections.frequency(List.copyOf(log), "routes.apply(true)") >= 3, "three full route passes");
      assertThat(Collections.frequency(List.copyOf(log), "iptables.apply(true)")).isEqualTo(1);
      assertThat(f.settings().routeRefreshInterval()).hasMillis(200);
    }
  }

  @Test
  void aPartWaitingForADeviceGetsAnotherPassSoon() throws Exception {
    List<String> log = Collections.synchronizedList(new ArrayList<>());
    Recorder routes = new Recorder("routes", log);
    routes.waiting = true;
    try (Felix f = new Felix(ctx(Map.of()), List.of(routes))) {
      f.onSynced(image(1));
      f.start();
      await(() -> log.contains("routes.apply(false)"), "a retry pass");
      assertThat(f.inSync()).as("waiting is not an error").isTrue();
    }
  }

  @Test
  void learnedRoutesWakeFelix() throws Exception {
    List<String> log = Collections.synchronizedList(new ArrayList<>());
    Recorder routes = new Recorder("routes", log);
    FelixContext c = new FelixContext("a", Map.of(), null, null, "test", "builtin", null);
    try (Felix f = new Felix(c, List.of(routes))) {
      f.onSynced(image(1));
      f.start();
      await(f::inSync, "in sync");
      long passes = f.passes();
      c.learnedRoutes().announce("10.9.0.0/26", "10.10.1.3");
      await(() -> f.passes() > passes, "a pass after the announcement");
    }
  }

  @Test
  void theStatusReportIsCalicosJson() {
    assertThat(StatusReporter.json(Instant.parse("2026-11-26T17:00:01.500Z"), java.time.Duration.ofMillis(12_345), true))
        .isEqualTo("{\"time\":\"2026-11-26T17:00:01Z\",\"uptime\":12.345,\"first_update\":true}");
    assertThat(StatusReporter.statusKey("n1")).isEqualTo("/calico/felix/v2/no-region/host/n1/status");
  }
}
