package org.calicoledger.bird.wire;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The five BGP-4 messages as immutable values (RFC 4271 section 4, RFC 2918 ROUTE-REFRESH). {@link BgpCodec} turns
 * bytes into these and back; a decoded UPDATE also carries the RFC 7606 verdicts found while decoding it
 * ({@link Update#errors()}), so a receiver can act on them as data.
 */
public sealed interface BgpMessage {
  int OPEN = 1;
  int UPDATE = 2;
  int NOTIFICATION = 3;
  int KEEPALIVE = 4;
  int ROUTE_REFRESH = 5;

  int type();

  /**
   * OPEN.
   *
   * @param myAs the 2-octet My Autonomous System field (23456 when the real AS needs 4 octets)
   * @param holdTime seconds, 0 or at least 3
   * @param bgpId the BGP identifier as an unsigned 32-bit value
   */
  record Open(int version, int myAs, int holdTime, long bgpId, List<Capability> capabilities) implements BgpMessage {
    public Open {
      capabilities = List.copyOf(capabilities);
    }

    @Override
    public int type() {
      return OPEN;
    }

    /** The 4-octet AS from the capability, else {@code myAs}. */
    public long asNumber() {
      for (Capability c : capabilities) {
        if (c instanceof Capability.FourOctetAs f) {
          return f.asNumber();
        }
      }
      return myAs;
    }

    public <T extends Capability> Optional<T> capability(Class<T> kind) {
      return capabilities.stream().filter(kind::isInstance).map(kind::cast).findFirst();
    }

    public boolean supports(Family f) {
      boolean anyMp = false;
      for (Capability c : capabilities) {
        if (c instanceof Capability.Multiprotocol m) {
          anyMp = true;
          if (m.afi() == f.afi() && m.safi() == f.safi()) {
            return true;
          }
        }
      }
      return !anyMp && f == Family.IPV4_UNICAST;
    }
  }

  /**
   * UPDATE: IPv4 withdrawals and NLRI in the classic fields, other families in MP_REACH/MP_UNREACH attributes.
   *
   * @param errors what RFC 7606 says to do about attributes that did not decode (empty for a clean message; never
   *     holds a session reset: that is a {@link MalformedMessageException})
   * @param withdrawnPathIds RFC 7911 path identifiers of {@code withdrawn}, index for index; empty when the session
   *     does not use ADD-PATH for IPv4
   * @param nlriPathIds the same for {@code nlri}
   */
  record Update(List<Prefix> withdrawn, List<PathAttribute> attributes, List<Prefix> nlri,
      List<AttributeError> errors, List<Integer> withdrawnPathIds, List<Integer> nlriPathIds) implements BgpMessage {
    public Update {
      withdrawn = List.copyOf(withdrawn);
      attributes = List.copyOf(attributes);
      nlri = List.copyOf(nlri);
      errors = List.copyOf(errors);
      withdrawnPathIds = PathAttribute.pathIds(withdrawnPathIds, withdrawn, "withdrawn routes");
      nlriPathIds = PathAttribute.pathIds(nlriPathIds, nlri, "NLRI");
    }

    public Update(List<Prefix> withdrawn, List<PathAttribute> attributes, List<Prefix> nlri,
        List<AttributeError> errors) {
      this(withdrawn, attributes, nlri, errors, List.of(), List.of());
    }

    public Update(List<Prefix> withdrawn, List<PathAttribute> attributes, List<Prefix> nlri) {
      this(withdrawn, attributes, nlri, List.of());
    }

    @Override
    public int type() {
      return UPDATE;
    }

    public <T extends PathAttribute> Optional<T> attribute(Class<T> kind) {
      for (PathAttribute a : attributes) {
        if (kind.isInstance(a)) {
          return Optional.of(kind.cast(a));
        }
      }
      return Optional.empty();
    }

    /** The worst action the errors ask for. */
    public ErrorAction action() {
      ErrorAction worst = ErrorAction.NONE;
      for (AttributeError e : errors) {
        if (e.action().ordinal() > worst.ordinal()) {
          worst = e.action();
        }
      }
      return worst;
    }

    /** The family this UPDATE marks End-of-RIB for (RFC 4724 section 2), if it is one. */
    public Optional<Family> endOfRib() {
      if (!withdrawn.isEmpty() || !nlri.isEmpty()) {
        return Optional.empty();
      }
      if (attributes.isEmpty()) {
        return Optional.of(Family.IPV4_UNICAST);
      }
      if (attributes.size() == 1 && attributes.get(0) instanceof PathAttribute.MpUnreach u && u.withdrawn().isEmpty()
          && Family.of(u.afi(), u.safi()) != null) {
        return Optional.of(Family.of(u.afi(), u.safi()));
      }
      return Optional.empty();
    }

    public static Update endOfRib(Family f) {
      return f == Family.IPV4_UNICAST ? new Update(List.of(), List.of(), List.of())
          : new Update(List.of(), List.of(new PathAttribute.MpUnreach(f.afi(), f.safi(), List.of())), List.of());
    }
  }

  record NotificationMessage(int code, int subcode, byte[] data) implements BgpMessage {
    public NotificationMessage {
      data = data == null ? new byte[0] : data.clone();
    }

    @Override
    public int type() {
      return NOTIFICATION;
    }

    @Override
    public byte[] data() {
      return data.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof NotificationMessage n && n.code == code && n.subcode == subcode
          && Arrays.equals(n.data, data);
    }

    @Override
    public int hashCode() {
      return (code * 31 + subcode) * 31 + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
      return "NOTIFICATION " + Notification.describe(code, subcode) + " (" + data.length + " data bytes)";
    }
  }

  record Keepalive() implements BgpMessage {
    public static final Keepalive INSTANCE = new Keepalive();

    @Override
    public int type() {
      return KEEPALIVE;
    }
  }

  /** RFC 2918 ROUTE-REFRESH (the reserved octet is kept: RFC 7313 uses it as a subtype). */
  record RouteRefresh(int afi, int reserved, int safi) implements BgpMessage {
    @Override
    public int type() {
      return ROUTE_REFRESH;
    }
  }
}
