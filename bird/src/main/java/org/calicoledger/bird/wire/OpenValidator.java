package org.calicoledger.bird.wire;

import java.util.Optional;

/**
 * Whether a decoded OPEN is acceptable to this session (RFC 4271 section 6.2, RFC 6793): version 4, the AS we expect,
 * a hold time of 0 or at least 3 seconds, a usable BGP identifier. Separate from decoding so that a well-formed but
 * unwanted OPEN is told apart from garbage.
 */
public final class OpenValidator {
  private OpenValidator() {}

  /**
   * @param expectedAs the peer AS configured for the session, or 0 to accept any
   * @param localId our own BGP identifier (an iBGP peer with the same one is refused)
   * @return the error to send, or empty when the OPEN is acceptable
   */
  public static Optional<MalformedMessageException> validate(BgpMessage.Open open, long expectedAs, long localId) {
    if (open.version() != 4) {
      return Optional.of(new MalformedMessageException(Notification.OPEN, Notification.OPEN_BAD_VERSION,
          new byte[] {0, 4}, "BGP version " + open.version() + " is not 4"));
    }
    long as = open.asNumber();
    if (expectedAs != 0 && as != expectedAs) {
      return Optional.of(new MalformedMessageException(Notification.OPEN, Notification.OPEN_BAD_PEER_AS,
          "peer AS " + as + " is not the configured " + expectedAs));
    }
    if (open.holdTime() == 1 || open.holdTime() == 2) {
      return Optional.of(new MalformedMessageException(Notification.OPEN, Notification.OPEN_BAD_HOLD_TIME,
          "hold time " + open.holdTime() + " s is neither 0 nor at least 3"));
    }
    if (open.bgpId() == 0 || open.bgpId() == localId) {
      return Optional.of(new MalformedMessageException(Notification.OPEN, Notification.OPEN_BAD_BGP_ID,
          "BGP identifier " + open.bgpId() + " is zero or ours"));
    }
    return Optional.empty();
  }
}
