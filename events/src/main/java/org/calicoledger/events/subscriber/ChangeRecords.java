package org.calicoledger.events.subscriber;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnsafeByteOperations;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.calicoledger.events.ChangeLog;
import org.calicoledger.events.proto.ChangeEvent;
import org.calicoledger.events.proto.Operation;
import org.calicoledger.events.proto.Position;

/**
 * Reads the change log's Kafka records back into {@link ChangeEvent}s and the journal's {@link Position}.
 *
 * <p>Values are parsed with aliasing: the event's {@code value} and {@code prev_value} share the record's byte array
 * instead of copying it, which is safe because the consumer hands out a fresh array per record and nobody writes to it.
 * A {@code calico.state} tombstone becomes a DELETE event of its key at the revision in its header.
 */
public final class ChangeRecords {
  private ChangeRecords() {}

  /**
   * A reader whose {@code bytes} fields share {@code bytes}: protobuf aliases only input it was told is immutable, which
   * {@code newInstance(byte[])} does not claim; a wrapped ByteString's reader does.
   */
  private static CodedInputStream aliasing(byte[] bytes) {
    CodedInputStream in = UnsafeByteOperations.unsafeWrap(bytes).newCodedInput();
    in.enableAliasing(true);
    return in;
  }

  public static boolean isPosition(ConsumerRecord<String, byte[]> r) {
    return ChangeLog.POSITION_KEY.equals(r.key());
  }

  /** The event a record carries; a tombstone becomes a DELETE. */
  public static ChangeEvent event(ConsumerRecord<String, byte[]> r) {
    if (r.value() == null) {
      return ChangeEvent.newBuilder().setKey(r.key() == null ? "" : r.key()).setOperation(Operation.DELETE)
          .setRevision(tombstoneRevision(r)).setPosition(0).setCount(1).setObservedTimeMs(r.timestamp()).build();
    }
    return parse(r.value(), r.topic(), r.offset());
  }

  public static ChangeEvent parse(byte[] bytes, String topic, long offset) {
    try {
      CodedInputStream in = aliasing(bytes);
      ChangeEvent e = ChangeEvent.parseFrom(in);
      return e;
    } catch (IOException e) {
      throw new CorruptChangeLogException(topic + " offset " + offset + " is not a ChangeEvent: " + e.getMessage(), e);
    }
  }

  /** The fields of a ChangeEvent that folding into an image needs; the key is the record's. */
  public record Essentials(long revision, int position, int count, Operation operation, ByteString value) {}

  /**
   * Reads only revision, position, count, operation and value of a record's event, skipping every other field
   * undecoded (strings are the dear part of a full parse). A tombstone is a DELETE at its header's revision.
   */
  public static Essentials essentials(ConsumerRecord<String, byte[]> r) {
    if (r.value() == null) {
      return new Essentials(tombstoneRevision(r), 0, 1, Operation.DELETE, null);
    }
    try {
      CodedInputStream in = aliasing(r.value());
      long revision = 0;
      int position = 0;
      int count = 0;
      int op = 0;
      ByteString value = null;
      for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
        switch (tag) {
          case 8 -> revision = in.readInt64();
          case 16 -> position = in.readInt32();
          case 24 -> count = in.readInt32();
          case 64 -> op = in.readEnum();
          case 82 -> value = in.readBytes();
          default -> in.skipField(tag);
        }
      }
      Operation operation = Operation.forNumber(op);
      return new Essentials(revision, position, count, operation == null ? Operation.OPERATION_UNKNOWN : operation,
          value);
    } catch (IOException e) {
      throw new CorruptChangeLogException(r.topic() + " offset " + r.offset() + " is not a ChangeEvent: "
          + e.getMessage(), e);
    }
  }

  public static Position position(ConsumerRecord<String, byte[]> r) {
    try {
      return r.value() == null ? Position.getDefaultInstance() : Position.parseFrom(r.value());
    } catch (InvalidProtocolBufferException e) {
      throw new CorruptChangeLogException(r.topic() + " offset " + r.offset() + " (" + ChangeLog.POSITION_KEY
          + ") is not a Position: " + e.getMessage(), e);
    }
  }

  /** The revision header of a tombstone (decimal text, as the journal writes it), or 0 when missing. */
  static long tombstoneRevision(ConsumerRecord<String, byte[]> r) {
    Header h = r.headers().lastHeader(ChangeLog.REVISION_HEADER);
    if (h == null || h.value() == null) {
      return 0;
    }
    String text = new String(h.value(), StandardCharsets.UTF_8).trim();
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw new CorruptChangeLogException(r.topic() + " offset " + r.offset() + ": tombstone of " + r.key()
          + " has revision header '" + text + "', not a number", e);
    }
  }
}
