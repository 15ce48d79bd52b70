package org.calicoledger.events.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.calicoledger.events.image.TestEvents.Op.delete;
import static org.calicoledger.events.image.TestEvents.Op.put;
import static org.calicoledger.events.image.TestEvents.pool;
import static org.calicoledger.events.image.TestEvents.poolKey;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.calicoledger.events.ChangeLog;
import org.calicoledger.events.image.ClusterDelta;
import org.calicoledger.events.image.ClusterImage;
import org.calicoledger.events.image.TestEvents;
import org.calicoledger.events.proto.ChangeEvent;
import org.calicoledger.events.subscriber.CorruptChangeLogException;
import org.junit.jupiter.api.Test;

class HistoryFoldTest {
  static List<ChangeEvent> history() {
    List<ChangeEvent> out = new ArrayList<>();
    for (int r = 2; r < 40; r++) {
      out.addAll(TestEvents.revision(r, put(poolKey("p" + r % 5), pool("p" + r % 5, "10." + r + ".0.0/16", r % 2 == 0)),
          r % 7 == 0 ? delete(poolKey("p" + (r + 1) % 5)) : put("/calico/x/" + r, "{}")));
    }
    return out;
  }

  static List<ConsumerRecord<String, byte[]>> records(List<ChangeEvent> events) {
    List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
    for (int i = 0; i < events.size(); i++) {
      out.add(new ConsumerRecord<>(ChangeLog.CHANGES, 0, i, events.get(i).getKey(), events.get(i).toByteArray()));
    }
    return out;
  }

  static ClusterImage upTo(List<ChangeEvent> events, long revision) {
    ClusterDelta d = new ClusterDelta(ClusterImage.EMPTY);
    events.stream().filter(e -> e.getRevision() <= revision).forEach(d::replay);
    return d.apply();
  }

  @Test
  void imagesAtEachBoundEqualFoldingTheEventsUpToIt() {
    List<ChangeEvent> events = history();
    List<ConsumerRecord<String, byte[]>> recs = records(events);
    long[] bounds = {1, 7, 8, 20, 39, Long.MAX_VALUE};
    HistoryFold fold = new HistoryFold(bounds);
    for (int i = 0; i < recs.size(); i += 5) {
      fold.offer(recs.subList(i, Math.min(recs.size(), i + 5)));
    }
    ClusterImage[] images = fold.finish();
    for (int i = 0; i < bounds.length; i++) {
      assertThat(images[i]).as("bound " + bounds[i]).isEqualTo(upTo(events, bounds[i]));
    }
    assertThat(images[0]).isEqualTo(ClusterImage.EMPTY);
  }

  @Test
  void theFoldIsDoneOnceTheLastBoundIsPassed() throws Exception {
    List<ConsumerRecord<String, byte[]>> recs = records(history());
    HistoryFold fold = new HistoryFold(new long[] {5});
    fold.offer(recs);
    for (int i = 0; i < 100 && !fold.done(); i++) {
      Thread.sleep(20);
    }
    assertThat(fold.done()).isTrue();
    fold.offer(recs); // dropped, does not block
    assertThat(fold.finish()[0].revision()).isEqualTo(5);
  }

  @Test
  void aCorruptRecordFailsTheFoldAndIsRethrown() {
    HistoryFold fold = new HistoryFold(new long[] {Long.MAX_VALUE});
    fold.offer(List.of(new ConsumerRecord<>(ChangeLog.CHANGES, 0, 3, "k", new byte[] {(byte) 0xff, (byte) 0xff})));
    for (int i = 0; i < 10; i++) {
      fold.offer(records(history())); // never blocks on a dead fold
    }
    assertThatThrownBy(fold::finish).isInstanceOf(CorruptChangeLogException.class).hasMessageContaining("offset 3");
  }
}
