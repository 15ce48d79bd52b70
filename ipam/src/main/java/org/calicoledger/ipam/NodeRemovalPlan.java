package org.calicoledger.ipam;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.calicoledger.model.Resource;
import org.calicoledger.model.WorkloadEndpoint;
import org.calicoledger.model.net.Cidr;
import org.calicoledger.store.KeyValue;

/**
 * What removing one node changes in etcd, computed from what was read (no I/O here): every key to write or delete,
 * each with the mod revision it was read at, in the order the writes must land when they do not fit one transaction.
 *
 * <p>Inputs: the IPAM keys (blocks, handles, the node's host tree) read in one range, the node's resources
 * (WorkloadEndpoints, BGPPeers and HostEndpoints whose {@code spec.node} names it, FelixConfiguration and
 * BGPConfiguration {@code node.<name>}, the Node), and Felix's status keys of the node.
 *
 * <p>Rules, as Calico's {@code nodes.Delete} and {@code RemoveIPAMHost} (libcalico-go), plus one safety check:
 * <ul>
 *   <li>Released: the addresses of the node's WorkloadEndpoints and the Node's tunnel and WireGuard addresses, and any
 *       allocation whose {@code node} attribute names the node (an address it holds but no endpoint records). An
 *       allocation whose {@code node} attribute names another node is kept even when a stale endpoint of this node
 *       lists its address: the address was released and given to someone else.</li>
 *   <li>Handle counts go down by what was released; a handle left with nothing is deleted.</li>
 *   <li>Blocks affine to the node lose the affinity; a block left empty is deleted (also one of another node that was
 *       only borrowed from and is now empty without affinity).</li>
 *   <li>Every key under the node's IPAM host tree ({@code /calico/ipam/v2/host/<node>/}) is deleted.</li>
 *   <li>Then the resources, the Node last.</li>
 * </ul>
 * Order (blocks, handles, host tree, endpoints, other resources, Node) keeps a removal that stops between two
 * transactions restartable: the Node and its endpoints, which name what to release, go last.
 */
record NodeRemovalPlan(List<Change> changes, Counts counts) {

  /** One key: its new value (null: delete) and the revision it was read at (the compare of the write). */
  record Change(String key, long readRevision, byte[] value) {
    boolean delete() {
      return value == null;
    }
  }

  /** What the plan does, for the caller's summary. */
  record Counts(int workloadEndpoints, int releasedAddresses, int handlesDeleted, int blocksDeleted,
      int blocksUnaffined, int affinities, List<String> resources) {}

  /** A resource to delete with the key and revision it was read at. */
  record ResourceRead(Resource resource, String key, long revision) {}

  static NodeRemovalPlan of(String node, List<KeyValue> ipamKeys, List<ResourceRead> endpoints, ResourceRead nodeRes,
      List<ResourceRead> otherResources, List<KeyValue> statusKeys) {
    Set<String> addresses = new LinkedHashSet<>();
    for (ResourceRead r : endpoints) {
      WorkloadEndpoint w = (WorkloadEndpoint) r.resource();
      if (w.spec().ipNetworks() != null) {
        w.spec().ipNetworks().forEach(n -> IpamCheck.normalise(n).ifPresent(addresses::add));
      }
    }
    if (nodeRes != null) {
      addresses.addAll(IpamCheck.nodeAddresses((org.calicoledger.model.Node) nodeRes.resource()));
    }

    List<Change> blockChanges = new ArrayList<>();
    Map<String, Versioned<Handle>> handles = new LinkedHashMap<>();
    List<KeyValue> hostKeys = new ArrayList<>();
    List<Versioned<Block>> blocks = new ArrayList<>();
    String hostPrefix = IpamKeys.hostPrefix(node);
    for (KeyValue kv : ipamKeys) {
      if (IpamKeys.parseBlock(kv.key()).isPresent()) {
        blocks.add(BlockStore.block(kv));
      } else if (kv.key().startsWith(hostPrefix)) {
        hostKeys.add(kv);
      } else {
        IpamKeys.parseHandle(kv.key()).ifPresent(id ->
            handles.put(id, new Versioned<>(Handle.parse(kv.value(), id), kv.modRevision())));
      }
    }

    int released = 0;
    int blocksDeleted = 0;
    int unaffined = 0;
    Map<String, Handle> handleNext = new LinkedHashMap<>();
    for (Versioned<Block> vb : blocks) {
      Block b = vb.value();
      List<Block.Release> asks = new ArrayList<>();
      for (int o = 0; o < b.size(); o++) {
        if (!b.isAllocated(o)) {
          continue;
        }
        Attribute a = b.attributeOf(o);
        String owner = a == null || a.secondary() == null ? null : a.secondary().get("node");
        boolean ours = node.equals(owner);
        boolean listed = addresses.contains(Cidr.format(b.addressOf(o))) && (owner == null || owner.isEmpty() || ours);
        if (ours || listed) {
          asks.add(new Block.Release(o, null, null));
        }
      }
      boolean affine = node.equals(b.host());
      if (asks.isEmpty() && !affine) {
        continue;
      }
      Block next = b;
      if (!asks.isEmpty()) {
        Block.Released r = b.release(asks);
        next = r.block();
        released += r.released().size();
        Cidr cidr = b.cidr();
        r.byHandle().forEach((h, n) -> {
          Handle cur = handleNext.containsKey(h) ? handleNext.get(h)
              : handles.containsKey(h) ? handles.get(h).value() : null;
          if (cur != null) {
            handleNext.put(h, cur.decrement(cidr, n));
          }
        });
      }
      if (affine) {
        next = next.withAffinity(null, null);
        unaffined++;
      }
      String key = IpamKeys.block(b.cidr());
      if (next.isEmpty() && next.affinity() == null) {
        blockChanges.add(new Change(key, vb.revision(), null));
        blocksDeleted++;
        unaffined -= affine ? 1 : 0;
      } else {
        blockChanges.add(new Change(key, vb.revision(), next.nextSequence().toJson()));
      }
    }

    List<Change> changes = new ArrayList<>(blockChanges);
    int handlesDeleted = 0;
    for (Map.Entry<String, Handle> e : handleNext.entrySet()) {
      Versioned<Handle> read = handles.get(e.getKey());
      String key = IpamKeys.handle(e.getKey());
      if (e.getValue().isEmpty()) {
        changes.add(new Change(key, read.revision(), null));
        handlesDeleted++;
      } else {
        changes.add(new Change(key, read.revision(), e.getValue().toJson()));
      }
    }
    int affinities = 0;
    for (KeyValue kv : hostKeys) {
      changes.add(new Change(kv.key(), kv.modRevision(), null));
      affinities += IpamKeys.parseAffinity(kv.key()).isPresent() ? 1 : 0;
    }
    List<String> resources = new ArrayList<>();
    for (ResourceRead r : endpoints) {
      changes.add(new Change(r.key(), r.revision(), null));
    }
    for (ResourceRead r : otherResources) {
      changes.add(new Change(r.key(), r.revision(), null));
      resources.add(r.resource().describe());
    }
    for (KeyValue kv : statusKeys) {
      changes.add(new Change(kv.key(), kv.modRevision(), null));
    }
    if (nodeRes != null) {
      changes.add(new Change(nodeRes.key(), nodeRes.revision(), null));
    }
    return new NodeRemovalPlan(List.copyOf(changes), new Counts(endpoints.size(), released, handlesDeleted,
        blocksDeleted, unaffined, affinities, List.copyOf(resources)));
  }
}
