package org.calicoledger.bird.fsm;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.calicoledger.bird.wire.BgpMessage;
import org.calicoledger.bird.wire.Capability;
import org.calicoledger.bird.wire.Family;
import org.junit.jupiter.api.Test;

/**
 * ADD-PATH negotiation (RFC 7911 section 4): our OPEN offers to receive for every family; path ids are decoded for
 * a family only when the peer offers to send it, and we never send them.
 */
class AddPathNegotiationTest {
  final SessionConfig cfg = new SessionConfig(64512, 1, 64512, Duration.ofSeconds(9), Duration.ofSeconds(5), false,
      List.of(Family.IPV4_UNICAST, Family.IPV6_UNICAST), 120);

  BgpMessage.Open peer(int v4Mode, int v6Mode) {
    List<Capability> caps = new ArrayList<>(List.of(Capability.Multiprotocol.of(Family.IPV4_UNICAST),
        Capability.Multiprotocol.of(Family.IPV6_UNICAST), new Capability.FourOctetAs(64512)));
    List<Capability.AddPath.AddPathFamily> fams = new ArrayList<>();
    if (v4Mode > 0) {
      fams.add(new Capability.AddPath.AddPathFamily(1, 1, v4Mode));
    }
    if (v6Mode > 0) {
      fams.add(new Capability.AddPath.AddPathFamily(2, 1, v6Mode));
    }
    if (!fams.isEmpty()) {
      caps.add(new Capability.AddPath(fams));
    }
    return new BgpMessage.Open(4, 64512, 9, 2, caps);
  }

  @Test
  void ourOpenOffersToReceiveForEachFamily() {
    Capability.AddPath ap = cfg.open().capability(Capability.AddPath.class).orElseThrow();
    assertThat(ap.families()).containsExactly(new Capability.AddPath.AddPathFamily(1, 1, Capability.AddPath.RECEIVE),
        new Capability.AddPath.AddPathFamily(2, 1, Capability.AddPath.RECEIVE));
  }

  @Test
  void pathIdsAreDecodedOnlyForFamiliesThePeerSends() {
    Negotiated n = Negotiated.of(cfg.open(), peer(Capability.AddPath.SEND, Capability.AddPath.RECEIVE));
    assertThat(n.addPathReceive()).containsExactly(Family.IPV4_UNICAST);
    assertThat(n.receiveCodec().addPath(Family.IPV4_UNICAST)).isTrue();
    assertThat(n.receiveCodec().addPath(Family.IPV6_UNICAST)).isFalse();
    assertThat(n.addPathSend()).isEmpty();
    assertThat(n.codec().addPath()).isEmpty();

    Negotiated both = Negotiated.of(cfg.open(), peer(3, 3));
    assertThat(both.addPathReceive()).containsExactlyInAnyOrder(Family.IPV4_UNICAST, Family.IPV6_UNICAST);
    assertThat(both.codec().addPath()).isEmpty();
  }

  @Test
  void noAddPathWhenThePeerDoesNotOfferIt() {
    Negotiated n = Negotiated.of(cfg.open(), peer(0, 0));
    assertThat(n.addPathReceive()).isEmpty();
    assertThat(n.receiveCodec().addPath()).isEmpty();
  }
}
