package org.calicoledger.events;

import com.google.protobuf.InvalidProtocolBufferException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.calicoledger.events.proto.ChangeEvent;
import org.calicoledger.events.proto.Position;

/**
 * Reads committed records of the change log: the journal's last {@link Position} and the whole of
 * {@value ChangeLog#STATE}. Every journal transaction ends with a Position record on calico.state, so the last
 * committed data record there is the newest Position (compaction may drop older copies, never the newest).
 */
public final class ChangeLogReader implements AutoCloseable {
  private static final Duration POLL = Duration.ofMillis(200);
  private final KafkaConsumer<String, byte[]> consumer;
  private final TopicPartition state = new TopicPartition(ChangeLog.STATE, 0);

  public ChangeLogReader(KafkaSettings kafka) {
    this.consumer = new KafkaConsumer<>(kafka.reader());
  }

  /** The newest committed Position, or empty when nothing was ever published. */
  public Optional<Position> lastPosition() {
    consumer.assign(List.of(state));
    long end = consumer.endOffsets(List.of(state)).get(state);
    long begin = consumer.beginningOffsets(List.of(state)).get(state);
    for (long window = 64; ; window *= 8) {
      long from = Math.max(begin, end - window);
      consumer.seek(state, from);
      Position last = null;
      while (consumer.position(state) < end) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(POLL)) {
          if (ChangeLog.POSITION_KEY.equals(r.key()) && r.value() != null) {
            last = parsePosition(r.value());
          }
        }
      }
      if (last != null || from == begin) {
        return Optional.ofNullable(last);
      }
    }
  }

  /** Every live key's latest event (tombstoned keys are absent), and the Position, read to the end. */
  public State readState() {
    consumer.assign(List.of(state));
    long end = consumer.endOffsets(List.of(state)).get(state);
    consumer.seekToBeginning(List.of(state));
    Map<String, ChangeEvent> live = new HashMap<>();
    Position position = null;
    while (consumer.position(state) < end) {
      for (ConsumerRecord<String, byte[]> r : consumer.poll(POLL)) {
        if (ChangeLog.POSITION_KEY.equals(r.key())) {
          position = r.value() == null ? position : parsePosition(r.value());
        } else if (r.value() == null) {
          live.remove(r.key());
        } else {
          live.put(r.key(), parseEvent(r.value()));
        }
      }
    }
    return new State(live, Optional.ofNullable(position));
  }

  public record State(Map<String, ChangeEvent> live, Optional<Position> position) {}

  public static ChangeEvent parseEvent(byte[] bytes) {
    try {
      return ChangeEvent.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("a change-log record is not a ChangeEvent: " + e.getMessage(), e);
    }
  }

  private static Position parsePosition(byte[] bytes) {
    try {
      return Position.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("the journal position record is corrupt: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    consumer.close(Duration.ofSeconds(5));
  }
}
