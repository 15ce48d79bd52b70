package org.calicoledger.bird.rib;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.calicoledger.bird.wire.BgpMessage;
import org.calicoledger.bird.wire.Family;
import org.calicoledger.bird.wire.PathAttribute;
import org.calicoledger.bird.wire.Prefix;

/**
 * Turns Adj-RIB-Out changes into as few UPDATE messages as fit BGP's 4096 bytes: announcements grouped by attribute
 * set, IPv4 in the classic fields, IPv6 in MP_REACH/MP_UNREACH.
 */
public final class UpdatePacker {
  /** Room for NLRI bytes after the header, the length fields and a generous attribute section. */
  private static final int NLRI_BUDGET = 4096 - 19 - 4 - 1024;

  private UpdatePacker() {}

  /** @param changes prefix to attributes, null for a withdrawal (one family per call) */
  public static List<BgpMessage.Update> pack(Family family, Map<Prefix, RouteAttributes> changes) {
    List<BgpMessage.Update> out = new ArrayList<>();
    List<Prefix> withdrawn = new ArrayList<>();
    Map<RouteAttributes, List<Prefix>> groups = new LinkedHashMap<>();
    changes.forEach((p, a) -> {
      if (a == null) {
        withdrawn.add(p);
      } else {
        groups.computeIfAbsent(a, k -> new ArrayList<>()).add(p);
      }
    });
    for (List<Prefix> chunk : chunks(withdrawn, family)) {
      if (family == Family.IPV4_UNICAST) {
        out.add(new BgpMessage.Update(chunk, List.of(), List.of()));
      } else {
        out.add(new BgpMessage.Update(List.of(), List.of(new PathAttribute.MpUnreach(family.afi(), family.safi(),
            chunk)), List.of()));
      }
    }
    groups.forEach((a, prefixes) -> {
      for (List<Prefix> chunk : chunks(prefixes, family)) {
        if (family == Family.IPV4_UNICAST) {
          out.add(new BgpMessage.Update(List.of(), a.toWire(true), chunk));
        } else {
          List<PathAttribute> attrs = new ArrayList<>();
          attrs.add(new PathAttribute.MpReach(family.afi(), family.safi(), List.of(a.nextHop()), chunk));
          attrs.addAll(a.toWire(false));
          out.add(new BgpMessage.Update(List.of(), attrs, List.of()));
        }
      }
    });
    return out;
  }

  private static List<List<Prefix>> chunks(List<Prefix> all, Family f) {
    List<List<Prefix>> out = new ArrayList<>();
    int per = NLRI_BUDGET / (1 + f.addressBytes());
    for (int i = 0; i < all.size(); i += per) {
      out.add(all.subList(i, Math.min(all.size(), i + per)));
    }
    return out;
  }
}
