package org.calicoledger.bird.fsm;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.calicoledger.bird.wire.BgpMessage;
import org.calicoledger.bird.wire.Capability;
import org.calicoledger.bird.wire.Family;

/**
 * One session's settings.
 *
 * @param peerAs the AS the peer must open with (0: any)
 * @param holdTime what we offer (0 or at least 3 s)
 * @param connectRetry between connection attempts, and the pause before restarting after an error
 * @param passive never connect; wait for the peer (Calico's rule for mesh peers with a higher address)
 * @param restartTime our graceful restart time offered to the peer (0: do not offer graceful restart)
 */
public record SessionConfig(long localAs, long routerId, long peerAs, Duration holdTime, Duration connectRetry,
    boolean passive, List<Family> families, int restartTime) {

  public SessionConfig {
    families = List.copyOf(families);
    long h = holdTime.toSeconds();
    if (h != 0 && (h < 3 || h > 65535)) {
      throw new IllegalArgumentException("hold time " + h + " s: must be 0 or 3..65535");
    }
  }

  /**
   * The OPEN we send: MP for each family, route refresh, 4-octet AS, graceful restart when offered, and ADD-PATH
   * receive (RFC 7911) for each family: a peer that sends several paths per prefix keeps them apart by path id.
   */
  public BgpMessage.Open open() {
    List<Capability> caps = new ArrayList<>();
    for (Family f : families) {
      caps.add(Capability.Multiprotocol.of(f));
    }
    caps.add(new Capability.RouteRefresh());
    caps.add(new Capability.FourOctetAs(localAs));
    if (restartTime > 0) {
      List<Capability.GracefulRestart.GrFamily> gr = new ArrayList<>();
      for (Family f : families) {
        gr.add(new Capability.GracefulRestart.GrFamily(f.afi(), f.safi(), false));
      }
      caps.add(new Capability.GracefulRestart(false, Math.min(restartTime, 4095), gr));
    }
    List<Capability.AddPath.AddPathFamily> addPath = new ArrayList<>();
    for (Family f : families) {
      addPath.add(new Capability.AddPath.AddPathFamily(f.afi(), f.safi(), Capability.AddPath.RECEIVE));
    }
    caps.add(new Capability.AddPath(addPath));
    int myAs = localAs > 0xFFFF ? 23456 : (int) localAs;
    return new BgpMessage.Open(4, myAs, (int) holdTime.toSeconds(), routerId, caps);
  }
}
