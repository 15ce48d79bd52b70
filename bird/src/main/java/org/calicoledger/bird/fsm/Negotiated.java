package org.calicoledger.bird.fsm;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import org.calicoledger.bird.wire.BgpMessage;
import org.calicoledger.bird.wire.Capability;
import org.calicoledger.bird.wire.CodecOptions;
import org.calicoledger.bird.wire.Family;

/**
 * What an OPEN exchange agreed on.
 *
 * @param holdTime the smaller of both hold times (zero: no keepalives, no hold timer)
 * @param families carried in both directions
 * @param peerRestart the peer's graceful restart capability, if it sent one
 */
public record Negotiated(long peerAs, long peerId, Duration holdTime, Set<Family> families, boolean fourOctetAs,
    boolean routeRefresh, Optional<Capability.GracefulRestart> peerRestart) {

  static Negotiated of(BgpMessage.Open ours, BgpMessage.Open theirs) {
    Duration hold = Duration.ofSeconds(Math.min(ours.holdTime(), theirs.holdTime()));
    Set<Family> fams = EnumSet.noneOf(Family.class);
    for (Family f : Family.values()) {
      if (ours.supports(f) && theirs.supports(f)) {
        fams.add(f);
      }
    }
    boolean four = ours.capability(Capability.FourOctetAs.class).isPresent()
        && theirs.capability(Capability.FourOctetAs.class).isPresent();
    boolean rr = theirs.capability(Capability.RouteRefresh.class).isPresent();
    return new Negotiated(theirs.asNumber(), theirs.bgpId(), hold, fams, four, rr,
        theirs.capability(Capability.GracefulRestart.class));
  }

  public Duration keepaliveInterval() {
    return holdTime.dividedBy(3);
  }

  public CodecOptions codec() {
    return new CodecOptions(fourOctetAs);
  }
}
