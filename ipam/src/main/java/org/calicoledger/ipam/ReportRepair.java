package org.calicoledger.ipam;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.calicoledger.model.ClusterInformation;
import org.calicoledger.model.Kind;
import org.calicoledger.model.Node;
import org.calicoledger.model.WorkloadEndpoint;
import org.calicoledger.model.net.Cidr;
import org.calicoledger.store.ResourceKey;
import org.calicoledger.store.Store;

/**
 * {@code calicoctl ipam release --from-report}: repairs what a {@link CheckReport} found, touching only what has not
 * changed since the report was made.
 * <ul>
 *   <li>Allocations nothing uses are released only if the allocation still has the handle and sequence number the
 *       report saw (a release compares them in the block write), and no endpoint or node uses the address now.</li>
 *   <li>Handles without allocations are deleted only at the revision the report saw.</li>
 *   <li>Allocations whose handle is missing but that are in use get their handle written back; handle counts that
 *       disagree with the blocks are set to the blocks' numbers, at the revision the report saw.</li>
 *   <li>Stale affinities are deleted (or confirmed, when the block is the node's after all) at the revision seen;
 *       blocks of nodes that no longer exist lose their affinity once empty.</li>
 * </ul>
 * Calico's calicoctl also requires a locked datastore; every step here is a compare-and-swap on what the report saw,
 * so it is safe on a live cluster. The report must come from this cluster (same GUID).
 */
public final class ReportRepair {
  private ReportRepair() {}

  /** What a repair did, as counts and one line per skipped item. */
  public record Result(int releasedIps, int alreadyFree, int deletedHandles, int restoredHandles, int fixedCounts,
      int releasedAffinities, List<String> skipped) {}

  public static Result apply(Store store, Ipam ipam, CheckReport report, String version, boolean force) {
    ClusterInformation.Spec ci = store.get(ResourceKey.of(Kind.CLUSTER_INFORMATION, ClusterInformation.NAME))
        .map(r -> ((ClusterInformation) r).spec()).orElse(null);
    String guid = ci == null || ci.clusterGUID() == null ? "" : ci.clusterGUID();
    String reportGuid = report.clusterGUID() == null ? "" : report.clusterGUID();
    if (!guid.equals(reportGuid)) {
      throw new IpamException.InvalidRequest("the report is from another cluster (cluster GUID " + reportGuid
          + ", this cluster's is " + guid + "); refusing to release anything");
    }
    if (!force && version != null && report.version() != null && !version.equals(report.version())) {
      throw new IpamException.InvalidRequest("the report was made by calicoctl " + report.version() + ", this is "
          + version + "; make a new report, or pass --force");
    }
    BlockStore bs = new BlockStore(store, "calicoctl ipam release", FaultHook.NONE);
    Set<String> inUse = inUseNow(store);
    List<String> skipped = new ArrayList<>();
    int released = 0;
    int alreadyFree = 0;
    for (CheckReport.Entry e : report.leaked()) {
      if (inUse.contains(e.ip())) {
        skipped.add(e.ip() + ": now in use");
        continue;
      }
      try {
        Long seq = e.sequenceNumber() == null ? null : e.sequenceNumber().longValue();
        ReleaseResult r = ipam.release(List.of(new IpRelease(Cidr.parseAddress(e.ip()).address(), e.handle(), seq)));
        released += r.released().size();
        alreadyFree += r.notAssigned().size();
      } catch (IpamException.ReleaseConflict changed) {
        skipped.add(e.ip() + ": " + changed.getMessage());
      }
    }

    int deleted = 0;
    for (CheckReport.HandleInfo h : report.leakedHandles()) {
      BlockStore.Outcome o = bs.deleteHandle(Long.parseLong(h.revision()), h.id(),
          "ipam release --from-report: handle " + h.id() + " holds no address");
      if (o.ok()) {
        deleted++;
      } else {
        skipped.add("handle " + h.id() + ": changed or gone since the report");
      }
    }

    int restored = 0;
    Handles handles = new Handles(bs);
    RetryPolicy.Budget budget = RetryPolicy.DEFAULT.start(() -> "restoring handles from the report");
    Set<String> releasedNow = new HashSet<>();
    report.leaked().forEach(e -> releasedNow.add(e.ip()));
    for (CheckReport.MissingHandle m : report.missingHandles()) {
      boolean stillUsed = report.withMissingHandle().stream()
          .anyMatch(e -> m.handle().equals(e.handle()) && !releasedNow.contains(e.ip()));
      if (!stillUsed) {
        continue; // its allocations were leaked and released above
      }
      if (bs.handle(m.handle()).isPresent()) {
        skipped.add("handle " + m.handle() + ": exists again");
        continue;
      }
      Handles.Counter c = handles.counter(m.handle());
      m.blocks().forEach((block, n) -> c.add(Cidr.parse(block), n, "ipam release --from-report: restore handle "
          + m.handle(), budget));
      restored++;
    }

    int fixed = 0;
    for (CheckReport.HandleMismatch mm : report.handleMismatches()) {
      Optional<Versioned<Handle>> h = bs.handle(mm.handle());
      if (h.isEmpty() || h.get().revision() != Long.parseLong(mm.revision())) {
        skipped.add("handle " + mm.handle() + ": changed since the report");
        continue;
      }
      Handle next = h.get().value().withCount(Cidr.parse(mm.block()), mm.inBlock());
      BlockStore.Outcome o = next.isEmpty() ? bs.deleteHandle(h.get().revision(), mm.handle(), "ipam release --from-report")
          : bs.putHandle(h.get().revision(), next, "ipam release --from-report: count of " + mm.handle() + " in "
              + mm.block() + " set to " + mm.inBlock());
      if (o.ok()) {
        fixed++;
      } else {
        skipped.add("handle " + mm.handle() + ": changed since the report");
      }
    }

    int affinities = 0;
    for (CheckReport.StaleAffinity s : report.staleAffinities()) {
      Cidr cidr = Cidr.parse(s.block());
      Optional<Versioned<Affinity>> a = bs.affinity(s.node(), cidr);
      if (a.isEmpty() || a.get().revision() != Long.parseLong(s.revision())) {
        skipped.add("affinity of " + s.node() + " for " + s.block() + ": changed since the report");
        continue;
      }
      Optional<Versioned<Block>> b = bs.block(cidr);
      boolean nodesBlock = b.isPresent() && s.node().equals(b.get().value().host());
      BlockStore.Outcome o = nodesBlock && a.get().value().state() == Affinity.State.PENDING
          ? bs.putAffinity(a.get().revision(), a.get().value().withState(Affinity.State.CONFIRMED), List.of(),
              "ipam release --from-report: confirm the claim of " + s.node() + " on " + s.block(), null)
          : nodesBlock ? bs.releaseAffinity(a.get(), b.get(), "ipam release --from-report: finish releasing " + s.block())
          : bs.deleteAffinity(a.get(), "ipam release --from-report: stale affinity of " + s.node() + " for " + s.block());
      if (o.ok()) {
        affinities++;
      } else {
        skipped.add("affinity of " + s.node() + " for " + s.block() + ": changed since the report");
      }
    }
    Set<String> nodes = new HashSet<>();
    store.list(Node.class).items().forEach(n -> nodes.add(n.name()));
    for (CheckReport.BlockWithoutNode bw : report.blocksWithoutNode()) {
      if (nodes.contains(bw.node())) {
        skipped.add("block " + bw.block() + ": node " + bw.node() + " exists again");
        continue;
      }
      try {
        if (ipam.releaseAffinity(bw.node(), Cidr.parse(bw.block()), true)) {
          affinities++;
        }
      } catch (IpamException.BlockNotEmpty notYet) {
        skipped.add("block " + bw.block() + " of missing node " + bw.node() + ": still has addresses in use");
      }
    }
    return new Result(released, alreadyFree, deleted, restored, fixed, affinities, skipped);
  }

  /** Addresses that workload endpoints and nodes use now. */
  static Set<String> inUseNow(Store store) {
    Set<String> out = new HashSet<>();
    store.list(Node.class).items().forEach(n -> out.addAll(IpamCheck.nodeAddresses(n)));
    for (WorkloadEndpoint w : store.list(WorkloadEndpoint.class).items()) {
      if (w.spec().ipNetworks() != null) {
        w.spec().ipNetworks().forEach(n -> IpamCheck.normalise(n).ifPresent(out::add));
      }
    }
    return out;
  }
}
