package org.calicoledger.hooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class HookStatusTest {
  @Test
  void aStatusSurvivesItsJsonAndCountsWhatHappened() {
    HookEvent e = HookEventTest.update();
    HookStatus s = HookStatus.start("h", "uid-1", 12, 40, 7).running(13).advanced(41, 42).failed(e, 1, "HTTP 503")
        .succeeded(e, 2).advanced(45, 44).withDeadLetter().replayed(10, 5);
    HookStatus back = HookStatus.fromJson(s.toJson());
    assertThat(back).isEqualTo(s);
    assertThat(back.definition()).isEqualTo(13);
    assertThat(back.offset()).isEqualTo(10);
    assertThat(back.revision()).isEqualTo(4);
    assertThat(back.fromRevision()).isEqualTo(5);
    assertThat(back.replayedFrom()).isEqualTo(5);
    assertThat(back.delivered()).isEqualTo(1);
    assertThat(back.deadLettered()).isEqualTo(1);
    assertThat(back.lastError().message()).isEqualTo("HTTP 503");
    assertThat(back.lastSuccess().attempt()).isEqualTo(2);
    assertThat(back.lastSuccess().message()).isNull();
  }

  @Test
  void fieldsOfANewerRunnerAreIgnoredAndGarbageIsNamed() {
    HookStatus s = HookStatus.fromJson("{\"hook\":\"h\",\"uid\":\"u\",\"offset\":3,\"future\":1}".getBytes(StandardCharsets.UTF_8));
    assertThat(s.offset()).isEqualTo(3);
    assertThatThrownBy(() -> HookStatus.fromJson("nope".getBytes(StandardCharsets.UTF_8)))
        .hasMessageContaining("a hook status is not readable: nope");
  }
}
