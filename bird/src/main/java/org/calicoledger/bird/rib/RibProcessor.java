package org.calicoledger.bird.rib;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.calicoledger.bird.wire.AttributeError;
import org.calicoledger.bird.wire.BgpMessage;
import org.calicoledger.bird.wire.ErrorAction;
import org.calicoledger.bird.wire.Family;
import org.calicoledger.bird.wire.PathAttribute;
import org.calicoledger.bird.wire.Prefix;

/**
 * Everything route-related of a speaker, on one thread: imports UPDATEs into the {@link LocRib}, keeps each
 * established peer's Adj-RIB-Out and sends it the differences as UPDATEs, originates the local routes.
 *
 * <p>Invariants: an established peer has been sent exactly what {@link ExportPolicy} allows of the current Loc-RIB,
 * once {@link #flush} ran (changes are gathered per peer and sent in packed UPDATEs by {@code flush}, which every
 * public method calls before returning); after a peer comes up it gets its full table, then End-of-RIB for each
 * family. Not thread-safe: the I/O layer calls it from its single RIB thread.
 */
public final class RibProcessor {
  private final LocRib rib;
  private final ExportPolicy policy;
  private final Map<RibPeer, PeerOut> out = new LinkedHashMap<>();
  private final Set<Prefix> local = new HashSet<>();
  private java.util.function.Predicate<Prefix> learnedExport = p -> true;

  private static final class PeerOut {
    final Set<Family> families;
    final Prefix selfV4;
    final Prefix selfV6;
    final Consumer<BgpMessage> sender;
    final Map<Prefix, RouteAttributes> sent = new HashMap<>();
    final Map<Prefix, RouteAttributes> pending = new LinkedHashMap<>();

    PeerOut(Set<Family> families, Prefix selfV4, Prefix selfV6, Consumer<BgpMessage> sender) {
      this.families = families;
      this.selfV4 = selfV4;
      this.selfV6 = selfV6;
      this.sender = sender;
    }
  }

  public RibProcessor(ExportPolicy policy, RouteListener listener) {
    this.policy = policy;
    this.rib = new LocRib(listener);
    rib.addListener(this::bestChanged);
  }

  public LocRib locRib() {
    return rib;
  }

  /** A session came up: send the peer its full table and End-of-RIB. */
  public void peerUp(RibPeer peer, Set<Family> families, Prefix selfV4, Prefix selfV6, Consumer<BgpMessage> send) {
    PeerOut po = new PeerOut(families, selfV4, selfV6, send);
    out.put(peer, po);
    for (Map.Entry<Prefix, Route> e : rib.snapshot().entrySet()) {
      stage(po, peer, e.getKey(), e.getValue());
    }
    flush();
    for (Family f : families) {
      send.accept(BgpMessage.Update.endOfRib(f));
    }
  }

  /** The peer asked for a ROUTE-REFRESH: send it its whole Adj-RIB-Out again (RFC 2918), then End-of-RIB. */
  public void refresh(RibPeer peer, Family f) {
    PeerOut po = out.get(peer);
    if (po == null || !po.families.contains(f)) {
      return;
    }
    Map<Prefix, RouteAttributes> all = new LinkedHashMap<>();
    po.sent.forEach((p, a) -> {
      if (p.family() == f) {
        all.put(p, a);
      }
    });
    UpdatePacker.pack(f, all).forEach(po.sender);
    po.sender.accept(BgpMessage.Update.endOfRib(f));
  }

  /** A session went down: forget what it was sent; keep its routes as stale or withdraw them. */
  public void peerDown(RibPeer peer, boolean retain) {
    out.remove(peer);
    if (retain) {
      rib.markStale(peer);
    } else {
      rib.dropPeer(peer);
    }
    flush();
  }

  /** The peer's End-of-RIB, or its restart time ran out: its stale paths of that family go. */
  public void purgeStale(RibPeer peer, Family f) {
    rib.purgeStale(peer, f);
    flush();
  }

  /** Imports one UPDATE from an established peer, acting on the RFC 7606 verdicts in {@code errors}. */
  public void update(RibPeer peer, BgpMessage.Update u, List<AttributeError> errors) {
    ErrorAction worst = ErrorAction.NONE;
    Set<Integer> discard = new HashSet<>();
    for (AttributeError e : errors) {
      if (e.action() == ErrorAction.ATTRIBUTE_DISCARD) {
        discard.add(e.typeCode());
      }
      if (e.action().ordinal() > worst.ordinal()) {
        worst = e.action();
      }
    }
    withdrawAll(peer, u.withdrawn(), u.withdrawnPathIds());
    PathAttribute.MpReach reach = null;
    for (PathAttribute a : u.attributes()) {
      if (a instanceof PathAttribute.MpUnreach un) {
        withdrawAll(peer, un.withdrawn(), un.pathIds());
      } else if (a instanceof PathAttribute.MpReach r) {
        reach = r;
      }
    }
    boolean withdrawAll = worst == ErrorAction.TREAT_AS_WITHDRAW;
    BgpMessage.Update clean = u;
    if (!discard.isEmpty()) {
      List<PathAttribute> kept = new ArrayList<>(u.attributes());
      kept.removeIf(a -> discard.contains(a.code()));
      clean = new BgpMessage.Update(u.withdrawn(), kept, u.nlri());
    }
    if (!u.nlri().isEmpty()) {
      RouteAttributes attrs = withdrawAll ? null : RouteAttributes.of(clean,
          clean.attribute(PathAttribute.NextHop.class).map(PathAttribute.NextHop::address).orElse(null));
      importAll(peer, u.nlri(), u.nlriPathIds(), attrs);
    }
    if (reach != null && !reach.nlri().isEmpty()) {
      RouteAttributes attrs = withdrawAll ? null : RouteAttributes.of(clean, reach.nextHops().get(0));
      importAll(peer, reach.nlri(), reach.pathIds(), attrs);
    }
    flush();
  }

  /** @param pathIds RFC 7911 path ids of {@code prefixes}, index for index, or empty (all 0) */
  private void importAll(RibPeer peer, List<Prefix> prefixes, List<Integer> pathIds, RouteAttributes attrs) {
    if (attrs == null || policy.loops(attrs, peer)) {
      withdrawAll(peer, prefixes, pathIds);
      return;
    }
    rib.announceAll(peer, prefixes, pathIds, attrs);
  }

  private void withdrawAll(RibPeer peer, List<Prefix> prefixes, List<Integer> pathIds) {
    boolean ids = !pathIds.isEmpty();
    for (int i = 0, n = prefixes.size(); i < n; i++) {
      rib.withdraw(peer, prefixes.get(i), ids ? pathIds.get(i) : 0);
    }
  }

  /**
   * Which learned routes may be passed on to peers (Calico: only those inside its pools, as its BIRD export filter
   * does); our own routes are always exported. Re-evaluates what every peer has been sent.
   */
  public void setLearnedExportFilter(java.util.function.Predicate<Prefix> filter) {
    learnedExport = filter;
    Map<Prefix, Route> all = rib.snapshot();
    out.forEach((peer, po) -> all.forEach((p, r) -> stage(po, peer, p, r)));
    flush();
  }

  /** Replaces the set of locally originated prefixes (the node's blocks), announcing and withdrawing the difference. */
  public void setLocal(Set<Prefix> prefixes) {
    RouteAttributes attrs = RouteAttributes.local();
    for (Prefix p : new ArrayList<>(local)) {
      if (!prefixes.contains(p)) {
        local.remove(p);
        rib.withdraw(RibPeer.LOCAL, p);
      }
    }
    for (Prefix p : prefixes) {
      if (local.add(p)) {
        rib.announce(RibPeer.LOCAL, p, attrs);
      }
    }
    flush();
  }

  public Set<Prefix> local() {
    return Set.copyOf(local);
  }

  private void bestChanged(Prefix p, Route best) {
    out.forEach((peer, po) -> stage(po, peer, p, best));
  }

  private void stage(PeerOut po, RibPeer peer, Prefix p, Route best) {
    if (!po.families.contains(p.family())) {
      return;
    }
    RouteAttributes a = best != null && !best.source().local() && !learnedExport.test(p) ? null
        : policy.export(best, peer, po.selfV4, po.selfV6, p.v6());
    if (a != null && a.nextHop() == null) {
      a = null; // no address of this family to advertise as next hop
    }
    RouteAttributes was = po.sent.get(p);
    if (a == was) {
      po.pending.remove(p);
      return;
    }
    if (a == null) {
      po.sent.remove(p);
    } else {
      po.sent.put(p, a);
    }
    po.pending.put(p, a);
  }

  /** Sends every peer its pending changes. */
  public void flush() {
    for (PeerOut po : out.values()) {
      if (po.pending.isEmpty()) {
        continue;
      }
      for (Family f : Family.values()) {
        Map<Prefix, RouteAttributes> changes = new LinkedHashMap<>();
        po.pending.forEach((p, a) -> {
          if (p.family() == f) {
            changes.put(p, a);
          }
        });
        if (!changes.isEmpty()) {
          UpdatePacker.pack(f, changes).forEach(po.sender);
        }
      }
      po.pending.clear();
    }
  }

  /** What peer {@code peer} has been sent (for tests). */
  public Map<Prefix, RouteAttributes> adjRibOut(RibPeer peer) {
    PeerOut po = out.get(peer);
    return po == null ? Map.of() : Map.copyOf(po.sent);
  }
}
