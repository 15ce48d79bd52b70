package org.calicoledger.ipam;

import java.util.List;
import org.calicoledger.model.IPPool;
import org.calicoledger.model.Kind;
import org.calicoledger.model.ObjectMeta;
import org.calicoledger.model.WorkloadEndpoint;
import org.calicoledger.store.Audit;
import org.calicoledger.store.KeyValue;
import org.calicoledger.store.ResourceKey;
import org.calicoledger.store.Store;
import org.calicoledger.store.Txn;

/** Test data: pools, and a clean datastore between tests. */
final class Fixtures {
  private Fixtures() {}

  static IPPool pool(Store store, String name, String cidr, int blockSize, String nodeSelector) {
    IPPool.Spec spec = IPPool.Spec.of(cidr).withBlockSize(blockSize);
    if (nodeSelector != null) {
      spec = spec.withNodeSelector(nodeSelector);
    }
    return store.create(IPPool.of(name, spec), Audit.of("test pool"));
  }

  static void disable(Store store, String name) {
    IPPool p = (IPPool) store.get(ResourceKey.of(Kind.IP_POOL, name)).orElseThrow();
    store.update(p.withSpec(p.spec().withDisabled(true)), Audit.of("test"));
  }

  /** A pod's endpoint using {@code ip}, as the CNI plugin writes one after a successful ADD. */
  static WorkloadEndpoint wep(Store store, String node, String pod, String ip) {
    WorkloadEndpoint.Spec spec = new WorkloadEndpoint.Spec("k8s", null, node, "c-" + pod, pod, "eth0", null,
        List.of(ip + (ip.contains(":") ? "/128" : "/32")), null, null, null, List.of("kns.default"),
        "cali" + String.format("%011x", Math.abs((long) pod.hashCode())), null, null, null, null);
    WorkloadEndpoint w = new WorkloadEndpoint(ObjectMeta.named("default", WorkloadEndpoint.expectedName(spec)), spec);
    return store.create(w, Audit.of("test endpoint"));
  }

  /** Deletes every key under /calico/ (in batches, one transaction each). */
  static void wipe(Store store) {
    List<KeyValue> all = store.range("/calico/").kvs();
    for (int i = 0; i < all.size(); i += 100) {
      Txn.Builder t = Txn.builder();
      all.subList(i, Math.min(all.size(), i + 100)).forEach(kv -> t.delete(kv.key()));
      store.txn(t.build(), null);
    }
  }
}
