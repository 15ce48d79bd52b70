package org.calicoledger.ipam;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.calicoledger.ipam.NodeRemovalPlan.Change;
import org.calicoledger.ipam.NodeRemovalPlan.ResourceRead;
import org.calicoledger.model.BGPPeer;
import org.calicoledger.model.HostEndpoint;
import org.calicoledger.model.Kind;
import org.calicoledger.model.Resource;
import org.calicoledger.model.WorkloadEndpoint;
import org.calicoledger.store.Audit;
import org.calicoledger.store.KeyValue;
import org.calicoledger.store.Keys;
import org.calicoledger.store.ResourceKey;
import org.calicoledger.store.Store;
import org.calicoledger.store.StoreException;
import org.calicoledger.store.Txn;

/**
 * {@code calicoctl delete node NAME}: deletes a Node and everything that hangs off it, as Calico's calicoctl does in
 * etcd mode (libcalico-go {@code nodes.Delete}): the node's WorkloadEndpoints and their addresses, its tunnel addresses,
 * its IPAM host tree (block affinities), its blocks (deleted when empty, otherwise kept without affinity), BGPPeers and
 * HostEndpoints whose {@code spec.node} names it, FelixConfiguration and BGPConfiguration {@code node.<name>}; and,
 * which Calico leaves, Felix's status keys for the node. What exactly is released is {@link NodeRemovalPlan}'s rule.
 *
 * <h2>Transactions</h2>
 * Everything is read (the IPAM keys in one range), planned, and written in one etcd transaction that compares the
 * revision of every key it changes, with the caller's {@link Audit}: the journal sees the removal as one revision.
 * A plan larger than {@link #MAX_KEYS_PER_TXN} keys (etcd refuses transactions of more than 128 operations by default)
 * is written in several such transactions in the plan's order, the Node last. When a compare fails (an allocator,
 * a CNI DEL or another calicoctl wrote meanwhile) nothing of that transaction is written and the removal is planned
 * again from fresh reads, within the {@link RetryPolicy}; a removal that stops between transactions is finished by
 * running it again.
 *
 * <h2>Liveness</h2>
 * Like Calico's calicoctl this does not check that the node's calico-node has stopped: etcd holds no liveness record
 * of it (Felix's status report is off by default, {@code reportingInterval: 0s}). A calico-node still running would
 * register its Node again on its next start and allocate new blocks; stop it first.
 *
 * <p>A node that does not exist is reported as {@link StoreException.NotFound} after whatever IPAM data was still
 * recorded for that name has been removed (as Calico: "carry on and clean up as much as we can").
 */
public final class NodeRemoval {
  /** etcd's default {@code --max-txn-ops} is 128; the audit record and some headroom take the rest. */
  static final int MAX_KEYS_PER_TXN = 100;

  private NodeRemoval() {}

  /**
   * What was removed.
   *
   * @param resources the other resources deleted (BGPPeers, HostEndpoints, per-node configurations), as
   *     {@code Kind(name)}
   * @param transactions etcd transactions written (1 unless the plan was large)
   * @param revision the etcd revision of the last write
   */
  public record Result(String node, int workloadEndpoints, int releasedAddresses, int handlesDeleted,
      int blocksDeleted, int blocksUnaffined, int affinities, List<String> resources, int transactions, long revision) {}

  /** Removes {@code node} with {@link RetryPolicy#DEFAULT}. */
  public static Result remove(Store store, String node, Audit audit) {
    return remove(store, node, audit, RetryPolicy.DEFAULT);
  }

  /**
   * Removes {@code node}; fails with {@link StoreException.NotFound} (after cleaning up IPAM data recorded under
   * that name) when there is no such Node, {@link IpamException.TooManyConflicts} when other writers keep winning.
   */
  public static Result remove(Store store, String node, Audit audit, RetryPolicy retry) {
    IpamKeys.checkName("node", node);
    RetryPolicy.Budget budget = retry.start(() -> "deleting node " + node);
    boolean existed = false;
    int txns = 0;
    long revision = 0;
    while (true) {
      Read read = read(store, node);
      existed |= read.node() != null;
      NodeRemovalPlan plan = NodeRemovalPlan.of(node, read.ipam(), read.endpoints(), read.node(), read.others(),
          read.status());
      List<Change> cs = plan.changes();
      boolean lost = false;
      for (int from = 0; from < cs.size(); from += MAX_KEYS_PER_TXN) {
        List<Change> part = cs.subList(from, Math.min(cs.size(), from + MAX_KEYS_PER_TXN));
        Txn.Builder t = Txn.builder();
        for (Change c : part) {
          t.modRevisionIs(c.key(), c.readRevision());
          if (c.delete()) {
            t.delete(c.key());
          } else {
            t.put(c.key(), c.value());
          }
        }
        Txn.Result r = store.txn(t.build(), audit);
        if (!r.succeeded()) {
          lost = true;
          budget.conflict(part.stream().filter(c -> moved(c, r)).map(Change::key).findFirst()
              .orElse(part.get(0).key()));
          break;
        }
        txns++;
        revision = r.revision();
      }
      if (lost) {
        continue; // re-read and plan again: what landed is gone from the next plan, what did not is in it
      }
      if (!existed) {
        throw new StoreException.NotFound(ResourceKey.of(Kind.NODE, node).toString());
      }
      NodeRemovalPlan.Counts total = plan.counts(); // of the last plan: a lower bound after a lost transaction
      return new Result(node, total.workloadEndpoints(), total.releasedAddresses(), total.handlesDeleted(),
          total.blocksDeleted(), total.blocksUnaffined(), total.affinities(), total.resources(), txns, revision);
    }
  }

  private static boolean moved(Change c, Txn.Result r) {
    KeyValue now = r.current().get(c.key());
    return now == null || now.modRevision() != c.readRevision();
  }

  /** Felix's status keys of a node ({@code status}, {@code last_reported_status}, ...). */
  static String felixStatusPrefix(String node) {
    return "/calico/felix/v2/no-region/host/" + node + "/";
  }

  private record Read(List<KeyValue> ipam, List<ResourceRead> endpoints, ResourceRead node, List<ResourceRead> others,
      List<KeyValue> status) {}

  private static Read read(Store store, String node) {
    List<KeyValue> ipam = store.range(IpamKeys.ROOT).kvs();
    List<ResourceRead> endpoints = new ArrayList<>();
    for (WorkloadEndpoint w : store.list(WorkloadEndpoint.class).items()) {
      if (node.equals(w.spec().node())) {
        endpoints.add(at(w));
      }
    }
    List<ResourceRead> others = new ArrayList<>();
    for (BGPPeer p : store.list(BGPPeer.class).items()) {
      if (node.equals(p.spec().node())) {
        others.add(at(p));
      }
    }
    for (HostEndpoint h : store.list(HostEndpoint.class).items()) {
      if (node.equals(h.spec().node())) {
        others.add(at(h));
      }
    }
    for (Kind k : List.of(Kind.FELIX_CONFIGURATION, Kind.BGP_CONFIGURATION)) {
      store.get(ResourceKey.of(k, "node." + node)).ifPresent(r -> others.add(at(r)));
    }
    Optional<Resource> n = store.get(ResourceKey.of(Kind.NODE, node));
    List<KeyValue> status = store.range(felixStatusPrefix(node)).kvs();
    return new Read(ipam, endpoints, n.map(NodeRemoval::at).orElse(null), others, status);
  }

  private static ResourceRead at(Resource r) {
    return new ResourceRead(r, Keys.resource(ResourceKey.of(r)), r.metadata().revision());
  }
}
