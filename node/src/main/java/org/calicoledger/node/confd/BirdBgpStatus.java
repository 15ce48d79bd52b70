package org.calicoledger.node.confd;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.calicoledger.confd.Confd;
import org.calicoledger.confd.bird.BirdProtocols;
import org.calicoledger.confd.bird.BirdSupervisor;
import org.calicoledger.confd.render.Peering;
import org.calicoledger.node.bgp.BgpStatusSource;

/**
 * {@code calicoctl node status} for the real-BIRD backend: one row per BGP protocol of {@code birdc show protocols},
 * its address and type from the configuration confd rendered (the protocol's name alone cannot say where an IPv6
 * address's colons were), state, since and info as BIRD prints them (state lower case as calicoctl shows it).
 * Empty while BIRD does not run.
 */
final class BirdBgpStatus implements BgpStatusSource {
  private final BirdSupervisor bird;
  private final Confd confd;

  BirdBgpStatus(BirdSupervisor bird, Confd confd) {
    this.bird = bird;
    this.confd = confd;
  }

  @Override
  public String backend() {
    return "bird";
  }

  @Override
  public boolean running() {
    return bird.running();
  }

  @Override
  public List<PeerStatus> peers() {
    if (!bird.running()) {
      return List.of();
    }
    List<BirdProtocols.Row> rows;
    try {
      rows = bird.control().showProtocols();
    } catch (IOException e) {
      return List.of();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return List.of();
    }
    return rows(rows, confd.peerings());
  }

  /** calicoctl's rows from BIRD's protocol table and the sessions confd configured; sorted by peer address. */
  static List<PeerStatus> rows(List<BirdProtocols.Row> rows, List<Peering> peerings) {
    Map<String, Peering> byName = new HashMap<>();
    for (Peering p : peerings) {
      byName.put(p.name(), p);
    }
    List<PeerStatus> out = new ArrayList<>();
    for (BirdProtocols.Row r : rows) {
      if (!r.bgp()) {
        continue;
      }
      Peering p = byName.get(r.name());
      String address = p == null ? r.name() : (p.port() > 0 ? (p.ip().indexOf(':') >= 0 ? "[" + p.ip() + "]" : p.ip())
          + ":" + p.port() : p.ip());
      out.add(new PeerStatus(address, type(p == null ? r.name() : p.type()), r.state().toLowerCase(Locale.ROOT),
          r.since(), r.info()));
    }
    out.sort(Comparator.comparing(PeerStatus::peerAddress));
    return out;
  }

  static String type(String t) {
    if (t.startsWith("mesh") || t.startsWith("Mesh_")) {
      return "node-to-node mesh";
    }
    if (t.startsWith("global") || t.startsWith("Global_")) {
      return "global";
    }
    return "node specific";
  }
}
