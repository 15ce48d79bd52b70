package org.calicoledger.bird.io;

import static org.assertj.core.api.Assertions.assertThat;

import org.calicoledger.bird.testing.MeshConvergence;
import org.junit.jupiter.api.Test;

/**
 * A full iBGP mesh of 20 of our speakers ({@link MeshConvergence}, the measurement the bench's {@code bgp-mesh} row
 * also runs): all 190 sessions come up and in each of 60 rounds a new block on one speaker reaches every other
 * speaker's listener within 10 s. Prints p50/p99; the numbers belong to {@code bin/bench bgp}.
 */
class MeshConvergenceIT {
  @Test
  void newBlockReachesEveryOtherSpeaker() throws Exception {
    MeshConvergence.Result r = MeshConvergence.run(20, 60);
    assertThat(r.allUp()).as("all 190 sessions up").isTrue();
    assertThat(r.missing()).as("speakers missing a round's route after 10 s").isZero();
    assertThat(r.micros()).hasSize(60);
    System.out.println(r.line());
  }
}
