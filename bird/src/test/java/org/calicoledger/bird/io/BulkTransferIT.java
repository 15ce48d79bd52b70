package org.calicoledger.bird.io;

import static org.assertj.core.api.Assertions.assertThat;

import org.calicoledger.bird.testing.BulkTransfer;
import org.junit.jupiter.api.Test;

/**
 * 200,000 IPv4 prefixes from real BIRD ({@link BulkTransfer}, the measurement the bench's {@code bgp-200k} rows also
 * run): every prefix reaches our listener and Loc-RIB, the anchor BIRD got the full table too, neither session is
 * lost over a 4 s wait with a 3 s hold time (no missed keepalive), and memory stays under 300 B per route. The time
 * ratio against BIRD is printed and left to {@code bin/bench bgp}.
 */
class BulkTransferIT {
  private static final int ROUTES = 200_000;

  @Test
  void twoHundredThousandPrefixesFromBird() throws Exception {
    BulkTransfer.Result r = BulkTransfer.run(ROUTES);
    System.out.println(r.line());
    assertThat(r.birdReceived()).contains(ROUTES + " of " + ROUTES);
    assertThat(r.received()).isEqualTo(ROUTES);
    assertThat(r.locRib()).isEqualTo(ROUTES);
    assertThat(r.ours().up()).as("our session stayed up: %s", r.ours()).isTrue();
    assertThat(r.ours().lastError()).isEmpty();
    assertThat(r.birdSession()).contains("Established");
    assertThat(r.bytesPerRoute()).isLessThan(300);
  }
}
