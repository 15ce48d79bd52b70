package org.calicoledger.hooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.calicoledger.events.image.TestEvents.Op.put;
import static org.calicoledger.events.image.TestEvents.pool;
import static org.calicoledger.events.image.TestEvents.poolKey;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.calicoledger.events.subscriber.TestBroker;
import org.calicoledger.events.subscriber.TestJournal;
import org.junit.jupiter.api.Test;

/**
 * The shared feed against a real broker holding a change log written as the journal writes it (one transaction per
 * revision, so every event is followed by a transaction marker): it follows the head, serves any position inside its
 * window contiguously (markers stepped over), tells a reader that fell behind the window to read Kafka itself, and
 * wakes readers waiting at the head.
 */
class ChangeFeedIT {
  @Test
  void servesItsWindowInOrderAndSendsReadersBehindItToKafka() throws Exception {
    try (TestBroker broker = TestBroker.start(); TestJournal journal = new TestJournal(broker.settings())) {
      broker.createTopics();
      journal.write(put(poolKey("before"), pool("before", "10.0.0.0/24", false))); // before the feed: not in it
      try (ChangeFeed feed = ChangeFeed.start(broker.settings(), Duration.ofSeconds(10), 8)) {
        ChangeFeed.Batch idle = feed.read(2, 10, 200); // offset 2: after the first event and its marker
        assertThat(idle).isNotNull();
        assertThat(idle.events()).isEmpty();
        assertThat(feed.read(0, 10, 0)).as("older than the window").isNull();

        List<Long> revisions = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
          revisions.add(journal.write(put(poolKey("p" + i), pool("p" + i, "10.1." + i + ".0/24", i % 2 == 0))));
        }
        long end = 2 + 2 * 12;
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        ChangeFeed.Batch tail;
        do {
          tail = feed.read(end - 2, 10, 100);
        } while ((tail == null || tail.events().isEmpty()) && System.nanoTime() < deadline);
        assertThat(tail.events()).singleElement().satisfies(e -> assertThat(e.revision()).isEqualTo(revisions.get(11)));
        assertThat(tail.next()).isEqualTo(end);

        // 12 events, a ring of 8: the first 4 fell out
        assertThat(feed.read(2, 10, 0)).as("fell out of the window").isNull();
        ChangeFeed.Batch window = feed.read(2 + 2 * 4, 3, 0);
        assertThat(window.events()).extracting(HookEvent::revision).containsExactlyElementsOf(revisions.subList(4, 7));
        assertThat(window.events()).extracting(HookEvent::offset).containsExactly(10L, 12L, 14L);
        assertThat(window.next()).as("the next event, past the marker").isEqualTo(16);
        ChangeFeed.Batch fromMarker = feed.read(11, 100, 0);
        assertThat(fromMarker.events()).extracting(HookEvent::revision).containsExactlyElementsOf(revisions.subList(5, 12));
        assertThat(fromMarker.next()).isEqualTo(end);

        long t0 = System.nanoTime();
        Thread later = new Thread(() -> {
          try {
            Thread.sleep(300);
          } catch (InterruptedException ignored) {
            return;
          }
          journal.write(put(poolKey("late"), pool("late", "10.2.0.0/24", false)));
        });
        later.start();
        ChangeFeed.Batch woken = feed.read(end, 10, 20_000);
        later.join();
        assertThat(woken.events()).singleElement().satisfies(e -> assertThat(e.event().getName()).isEqualTo("late"));
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
        HookEvent late = woken.events().get(0);
        assertThat(new String(late.body("h1"), java.nio.charset.StandardCharsets.UTF_8))
            .startsWith("{\"hook\":\"h1\",\"revision\":" + late.revision() + ",");
        assertThat(new String(late.body("h2"), java.nio.charset.StandardCharsets.UTF_8))
            .isEqualTo(org.calicoledger.model.ResourceCodec.compact(late.json("h2")));
      }
    }
  }
}
