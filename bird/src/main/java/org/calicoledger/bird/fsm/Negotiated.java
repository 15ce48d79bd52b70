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
 * @param addPathReceive families (of {@code families}) whose NLRI from the peer carry path ids (RFC 7911): we
 *     offered to receive several paths and the peer to send them
 * @param addPathSend families whose NLRI to the peer carry path ids (we offered to send: never, so far)
 */
public record Negotiated(long peerAs, long peerId, Duration holdTime, Set<Family> families, boolean fourOctetAs,
    boolean routeRefresh, Optional<Capability.GracefulRestart> peerRestart, Set<Family> addPathReceive,
    Set<Family> addPathSend) {

  public Negotiated {
    addPathReceive = Set.copyOf(addPathReceive);
    addPathSend = Set.copyOf(addPathSend);
  }

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
    Set<Family> receive = EnumSet.noneOf(Family.class);
    Set<Family> send = EnumSet.noneOf(Family.class);
    Optional<Capability.AddPath> ourAp = ours.capability(Capability.AddPath.class);
    Optional<Capability.AddPath> theirAp = theirs.capability(Capability.AddPath.class);
    if (ourAp.isPresent() && theirAp.isPresent()) {
      for (Family f : fams) {
        if (ourAp.get().has(f, Capability.AddPath.RECEIVE) && theirAp.get().has(f, Capability.AddPath.SEND)) {
          receive.add(f);
        }
        if (ourAp.get().has(f, Capability.AddPath.SEND) && theirAp.get().has(f, Capability.AddPath.RECEIVE)) {
          send.add(f);
        }
      }
    }
    return new Negotiated(theirs.asNumber(), theirs.bgpId(), hold, fams, four, rr,
        theirs.capability(Capability.GracefulRestart.class), receive, send);
  }

  public Duration keepaliveInterval() {
    return holdTime.dividedBy(3);
  }

  /** How we encode what we send. */
  public CodecOptions codec() {
    return new CodecOptions(fourOctetAs, addPathSend);
  }

  /** How we decode what the peer sends. */
  public CodecOptions receiveCodec() {
    return new CodecOptions(fourOctetAs, addPathReceive);
  }
}
