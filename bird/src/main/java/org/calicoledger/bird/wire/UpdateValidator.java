package org.calicoledger.bird.wire;

import java.util.ArrayList;
import java.util.List;

/**
 * The semantic checks of a decoded UPDATE that depend on the session (RFC 4271 section 6.3 as revised by RFC 7606):
 * mandatory attributes present when routes are announced, an eBGP AS_PATH starting with the peer's AS, a usable
 * NEXT_HOP, and iBGP-only attributes discarded when they come from an eBGP peer.
 */
public final class UpdateValidator {
  private UpdateValidator() {}

  /** The errors this UPDATE has for a session with {@code peerAs}; empty when it may be used as it is. */
  public static List<AttributeError> validate(BgpMessage.Update u, boolean ebgp, long peerAs) {
    List<AttributeError> errors = new ArrayList<>();
    boolean classic = !u.nlri().isEmpty();
    boolean mp = u.attribute(PathAttribute.MpReach.class).map(r -> !r.nlri().isEmpty()).orElse(false);
    if (classic || mp) {
      if (u.attribute(PathAttribute.Origin.class).isEmpty()) {
        errors.add(missing(PathAttribute.ORIGIN, "ORIGIN"));
      }
      if (u.attribute(PathAttribute.AsPath.class).isEmpty()) {
        errors.add(missing(PathAttribute.AS_PATH, "AS_PATH"));
      }
    }
    if (classic) {
      var nh = u.attribute(PathAttribute.NextHop.class);
      if (nh.isEmpty()) {
        errors.add(missing(PathAttribute.NEXT_HOP, "NEXT_HOP"));
      } else if (unusable(nh.get().address())) {
        errors.add(new AttributeError(PathAttribute.NEXT_HOP, ErrorAction.TREAT_AS_WITHDRAW,
            "NEXT_HOP " + nh.get().address() + " is not a unicast host address"));
      }
    }
    if (ebgp) {
      u.attribute(PathAttribute.AsPath.class).ifPresent(p -> {
        if ((classic || mp) && p.firstAs() != peerAs) {
          errors.add(new AttributeError(PathAttribute.AS_PATH, ErrorAction.TREAT_AS_WITHDRAW,
              "eBGP AS_PATH starts with " + p.firstAs() + ", not the peer's AS " + peerAs));
        }
      });
      for (int code : new int[] {PathAttribute.LOCAL_PREF, PathAttribute.ORIGINATOR_ID, PathAttribute.CLUSTER_LIST}) {
        if (u.attributes().stream().anyMatch(a -> a.code() == code)) {
          errors.add(new AttributeError(code, ErrorAction.ATTRIBUTE_DISCARD, "attribute " + code
              + " from an eBGP peer"));
        }
      }
    }
    return errors;
  }

  private static boolean unusable(Prefix a) {
    long v = a.lo();
    int first = (int) (v >>> 24);
    return v == 0 || first == 127 || first >= 224;
  }

  private static AttributeError missing(int code, String name) {
    return new AttributeError(code, ErrorAction.TREAT_AS_WITHDRAW, "missing well-known attribute " + name);
  }
}
