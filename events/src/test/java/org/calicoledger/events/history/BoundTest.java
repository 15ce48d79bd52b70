package org.calicoledger.events.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class BoundTest {
  static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");

  @Test
  void numbersAreRevisions() {
    assertThat(Bound.parse("1234", NOW)).isEqualTo(new Bound.Revision(1234));
    assertThat(Bound.parse(" 0 ", NOW)).isEqualTo(new Bound.Revision(0));
  }

  @Test
  void rfc3339TimesWithZoneOrOffset() {
    assertThat(Bound.parse("2026-11-26T10:00:00Z", NOW)).isEqualTo(new Bound.Time(Instant.parse("2026-11-26T10:00:00Z")));
    assertThat(Bound.parse("2026-11-26T11:00:00.250+01:00", NOW))
        .isEqualTo(new Bound.Time(Instant.parse("2026-11-26T10:00:00.250Z")));
  }

  @Test
  void agesCountBackFromNow() {
    assertThat(Bound.parse("10m", NOW)).isEqualTo(new Bound.Time(Instant.parse("2026-11-26T11:50:00Z")));
    assertThat(Bound.parse("2h", NOW)).isEqualTo(new Bound.Time(Instant.parse("2026-11-26T10:00:00Z")));
    assertThat(Bound.parse("3d", NOW)).isEqualTo(new Bound.Time(Instant.parse("2026-11-23T12:00:00Z")));
    assertThat(Bound.parse("90s", NOW)).isEqualTo(new Bound.Time(Instant.parse("2026-11-26T11:58:30Z")));
  }

  @Test
  void anythingElseIsRefusedWithTheAcceptedForms() {
    for (String bad : new String[] {"", "yesterday", "10y", "2026-11-26", "-5", "99999999999999999999"}) {
      assertThatThrownBy(() -> Bound.parse(bad, NOW)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'" + bad + "' is neither a revision nor a time").hasMessageContaining("10m");
    }
  }
}
