package org.calicoledger.bench;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.PutOption;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.calicoledger.model.Node;
import org.calicoledger.model.ObjectMeta;
import org.calicoledger.model.ResourceCodec;
import org.calicoledger.store.Audit;
import org.calicoledger.store.EtcdStore;
import org.calicoledger.store.testing.EtcdProcess;

/**
 * Store updates per second (validated, audited, compare-and-swap on the revision) against raw jetcd CAS transactions of
 * the same value size, both with 16 writers on their own keys, alternating rounds.
 */
final class StoreBench implements Benchmark {
  private static final int WRITERS = 16;
  private static final long ROUND_NANOS = 2_000_000_000L;
  private static final int ROUNDS = 5;

  @Override
  public String name() {
    return "store";
  }

  @Override
  public List<Row> run() throws Exception {
    try (EtcdProcess etcd = EtcdProcess.start();
        EtcdStore store = EtcdStore.connect(etcd.config());
        Client raw = Client.builder().endpoints(etcd.endpoint()).build()) {
      List<Node> nodes = new ArrayList<>();
      for (int i = 0; i < WRITERS; i++) {
        nodes.add(store.create(node("bench-node-" + i, 0), Audit.of("bench")));
      }
      byte[] value = ResourceCodec.encodeStored(nodes.get(0));
      List<Double> ours = new ArrayList<>();
      List<Double> anchor = new ArrayList<>();
      rawRound(raw.getKVClient(), value); // warm both paths
      storeRound(store, nodes);
      for (int r = 0; r < ROUNDS; r++) {
        anchor.add(rawRound(raw.getKVClient(), value));
        ours.add(storeRound(store, nodes));
      }
      return List.of(Row.of("store.update vs raw jetcd CAS txn, 16 writers, ops/s", Stats.median(ours),
          Stats.median(anchor), "ops/s", Row.Goal.ratioAtLeast(0.8)));
    }
  }

  private static Node node(String name, int i) {
    return new Node(ObjectMeta.named(name), new Node.Spec(new Node.BGP(null, "10.0." + (i % 250) + ".1/24", null, null,
        null), null, null, null, null, null, null, null, null), null);
  }

  private static double storeRound(EtcdStore store, List<Node> nodes) throws Exception {
    int[] counters = new int[WRITERS];
    return Load.opsPerSecond(WRITERS, Duration.ofNanos(ROUND_NANOS), id -> () -> {
      Node n = nodes.get(id);
      nodes.set(id, store.update(new Node(n.metadata(), node(n.name(), ++counters[id]).spec(), null), Audit.of("bench")));
    });
  }

  private static double rawRound(KV kv, byte[] value) throws Exception {
    return Load.opsPerSecond(WRITERS, Duration.ofNanos(ROUND_NANOS), w -> {
      ByteSequence key = ByteSequence.from("/bench/raw/" + w, StandardCharsets.UTF_8);
      long[] rev = {0};
      return () -> {
        if (rev[0] == 0) { // the key's first write sets the revision the CAS loop starts from
          rev[0] = kv.put(key, ByteSequence.from(value)).get().getHeader().getRevision();
          return;
        }
        TxnResponse r = kv.txn().If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.modRevision(rev[0])))
            .Then(Op.put(key, ByteSequence.from(value), PutOption.DEFAULT)).commit().get();
        if (!r.isSucceeded()) {
          throw new IllegalStateException("raw CAS lost on its own key");
        }
        rev[0] = r.getHeader().getRevision();
      };
    });
  }
}
