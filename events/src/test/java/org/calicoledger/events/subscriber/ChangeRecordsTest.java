package org.calicoledger.events.subscriber;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.calicoledger.events.ChangeLog;
import org.calicoledger.events.image.TestEvents;
import org.calicoledger.events.proto.ChangeEvent;
import org.calicoledger.events.proto.Operation;
import org.junit.jupiter.api.Test;

class ChangeRecordsTest {
  static ConsumerRecord<String, byte[]> record(String key, byte[] value) {
    return new ConsumerRecord<>(ChangeLog.CHANGES, 0, 42, key, value);
  }

  @Test
  void essentialsAreTheFullEventsFieldsAndSkipTheRest() {
    ChangeEvent e = TestEvents.event(77, 1, 3, TestEvents.Op.put(TestEvents.poolKey("p"), TestEvents.pool("p", "10.0.0.0/16",
        true)).withPrev("{\"old\":1}"), 5000, "alice", "because", true).toBuilder().setDecodeError("x").build();
    // a field from a newer schema (number 99, length-delimited) must be skipped, not refused
    byte[] bytes = e.toBuilder().setUnknownFields(com.google.protobuf.UnknownFieldSet.newBuilder()
        .addField(99, com.google.protobuf.UnknownFieldSet.Field.newBuilder()
            .addLengthDelimited(ByteString.copyFromUtf8("future")).build()).build()).build().toByteArray();
    ChangeRecords.Essentials head = ChangeRecords.essentials(record(e.getKey(), bytes));
    assertThat(head).isEqualTo(new ChangeRecords.Essentials(77, 1, 3, Operation.PUT, e.getValue()));
    ChangeEvent full = ChangeRecords.event(record(e.getKey(), bytes));
    assertThat(full.toBuilder().setUnknownFields(com.google.protobuf.UnknownFieldSet.getDefaultInstance()).build())
        .isEqualTo(e);
  }

  @Test
  void valuesShareTheRecordArrayUntilADeltaPutsThemIntoAnImage() {
    ChangeEvent e = TestEvents.event(9, 0, 1, TestEvents.Op.put("/calico/v", "{\"a\":\"xxxx\"}"), 0, "", "", false);
    byte[] bytes = e.toByteArray();
    ChangeRecords.Essentials head = ChangeRecords.essentials(record(e.getKey(), bytes));
    org.calicoledger.events.image.ClusterDelta d =
        new org.calicoledger.events.image.ClusterDelta(org.calicoledger.events.image.ClusterImage.EMPTY);
    d.replay(head.revision(), head.position(), head.count(), e.getKey(), head.operation(), head.value());
    org.calicoledger.events.image.ClusterImage img = d.apply();
    int at = new String(bytes, StandardCharsets.ISO_8859_1).indexOf("xxxx");
    bytes[at] = 'z'; // the consumer never does this; it shows who shares the array
    assertThat(head.value().toStringUtf8()).isEqualTo("{\"a\":\"zxxx\"}"); // parsed without a copy
    assertThat(img.value("/calico/v").text()).isEqualTo("{\"a\":\"xxxx\"}"); // the image owns its bytes
  }

  @Test
  void aTombstoneIsADeleteAtItsHeaderRevision() {
    ConsumerRecord<String, byte[]> t = new ConsumerRecord<>(ChangeLog.STATE, 0, 7, "/calico/x", null);
    t.headers().add(new RecordHeader(ChangeLog.REVISION_HEADER, "1234".getBytes(StandardCharsets.UTF_8)));
    assertThat(ChangeRecords.essentials(t)).isEqualTo(new ChangeRecords.Essentials(1234, 0, 1, Operation.DELETE, null));
    ChangeEvent d = ChangeRecords.event(t);
    assertThat(d.getOperation()).isEqualTo(Operation.DELETE);
    assertThat(d.getRevision()).isEqualTo(1234);
    assertThat(d.getKey()).isEqualTo("/calico/x");
  }

  @Test
  void garbageIsACorruptLogNamingTheOffset() {
    assertThatThrownBy(() -> ChangeRecords.event(record("k", new byte[] {(byte) 0xff, (byte) 0xff})))
        .isInstanceOf(CorruptChangeLogException.class).hasMessageContaining("calico.changes offset 42");
    assertThatThrownBy(() -> ChangeRecords.essentials(record("k", new byte[] {(byte) 0xff, (byte) 0xff})))
        .isInstanceOf(CorruptChangeLogException.class);
  }
}
