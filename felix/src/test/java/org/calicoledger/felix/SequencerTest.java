package org.calicoledger.felix;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.calicoledger.events.image.ClusterImage;
import org.junit.jupiter.api.Test;

class SequencerTest {
  /** A part that records its applies and can wait for another part's apply to begin. */
  static final class Part implements FelixPart {
    final String name;
    final boolean overlap;
    final List<String> log;
    final CountDownLatch started = new CountDownLatch(1);
    CountDownLatch waitFor;
    RuntimeException fail;
    String thread;

    Part(String name, boolean overlap, List<String> log) {
      this.name = name;
      this.overlap = overlap;
      this.log = log;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public void onImage(ClusterImage image) {}

    @Override
    public boolean mayOverlapNext(boolean full) {
      return overlap && !full;
    }

    @Override
    public boolean apply(boolean full) throws Exception {
      thread = Thread.currentThread().getName();
      started.countDown();
      if (waitFor != null && !waitFor.await(5, TimeUnit.SECONDS)) {
        throw new IllegalStateException(name + " waited 5 s for the next part's apply: they did not overlap");
      }
      log.add(name);
      if (fail != null) {
        throw fail;
      }
      return true;
    }
  }

  @Test
  void aPartThatMayOverlapAppliesWhileTheNextOneDoesAndThePassWaitsForBoth() {
    List<String> log = Collections.synchronizedList(new ArrayList<>());
    Part devices = new Part("devices", false, log);
    Part ipsets = new Part("ipsets", true, log);
    Part iptables = new Part("iptables", false, log);
    Part routes = new Part("routes", false, log);
    ipsets.waitFor = iptables.started; // ipsets finishes only once iptables has begun: only overlap gets there
    Sequencer.Outcome o = Sequencer.pass(List.of(devices, ipsets, iptables, routes), p -> false);
    assertThat(o.errors()).isEmpty();
    assertThat(o.changed()).isTrue();
    assertThat(log).startsWith("devices").endsWith("routes").contains("ipsets", "iptables");
    assertThat(ipsets.thread).startsWith("felix-overlap");
    assertThat(iptables.thread).isEqualTo(Thread.currentThread().getName());
  }

  @Test
  void withFullTheOrderIsKept() {
    List<String> log = Collections.synchronizedList(new ArrayList<>());
    Part ipsets = new Part("ipsets", true, log);
    Part iptables = new Part("iptables", false, log);
    Sequencer.Outcome o = Sequencer.pass(List.of(ipsets, iptables), p -> true);
    assertThat(o.errors()).isEmpty();
    assertThat(log).containsExactly("ipsets", "iptables");
    assertThat(ipsets.thread).isEqualTo(Thread.currentThread().getName());
  }

  @Test
  void aFailureOfTheOverlappedPartIsRecordedUnderItsName() {
    List<String> log = Collections.synchronizedList(new ArrayList<>());
    Part ipsets = new Part("ipsets", true, log);
    Part iptables = new Part("iptables", false, log);
    ipsets.fail = new IllegalStateException("ipset restore failed");
    Sequencer.Outcome o = Sequencer.pass(List.of(ipsets, iptables), p -> false);
    assertThat(o.errors()).containsOnlyKeys("ipsets");
    assertThat(o.errors().get("ipsets")).hasMessage("ipset restore failed");
    assertThat(log).contains("iptables");
  }
}
