package org.calicoledger.events.journal;

import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.calicoledger.model.Kind;
import org.calicoledger.model.Node;
import org.calicoledger.model.ObjectMeta;
import org.calicoledger.store.Audit;
import org.calicoledger.store.ResourceKey;
import org.calicoledger.store.Store;
import org.calicoledger.store.StoreException;
import org.calicoledger.store.Txn;

/**
 * Writes a mix like a cluster's: resource creates, updates and deletes through the store (with audit), and raw
 * multi-key transactions like IPAM's, so revisions hold one or several events.
 */
final class Writer implements Runnable {
  private final Store store;
  private final int writes;
  private final long pauseNanos;
  private final Random random = new Random(42);
  final AtomicInteger done = new AtomicInteger();
  volatile Throwable failure;

  Writer(Store store, int writes, int perSecond) {
    this.store = store;
    this.writes = writes;
    this.pauseNanos = 1_000_000_000L / perSecond;
  }

  @Override
  public void run() {
    try {
      long next = System.nanoTime();
      for (int i = 0; i < writes; i++) {
        write(i);
        done.incrementAndGet();
        next += pauseNanos;
        long wait = next - System.nanoTime();
        if (wait > 0) {
          Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
      }
    } catch (Throwable t) {
      failure = t;
    }
  }

  private void write(int i) {
    Audit audit = new Audit("writer@test", "write " + i);
    String node = "node-" + random.nextInt(40);
    switch (i % 5) {
      case 0, 1 -> store.apply(new Node(ObjectMeta.named(node), new Node.Spec(new Node.BGP(null,
          "10.0." + random.nextInt(250) + "." + (1 + random.nextInt(250)) + "/24", null, null, null),
          null, null, null, null, null, null, null, null), null), audit);
      case 2 -> {
        try {
          store.delete(ResourceKey.of(Kind.NODE, node), 0, audit);
        } catch (StoreException.NotFound alreadyGone) {
          store.txn(Txn.builder().put("/calico/ipam/v2/handle/h" + i, "{\"block\":{},\"deleted\":false}").build(), audit);
        }
      }
      case 3 -> {
        Txn.Builder t = Txn.builder();
        int n = 1 + random.nextInt(4);
        int base = random.nextInt(60);
        for (int k = 0; k < n; k++) { // distinct keys: etcd refuses a transaction that names a key twice
          t.put("/calico/ipam/v2/assignment/ipv4/block/10.1." + (base + k) + ".0-26",
              "{\"cidr\":\"10.1.0.0/26\",\"sequenceNumber\":" + i + "}");
        }
        store.txn(t.build(), audit);
      }
      default -> store.txn(Txn.builder().delete("/calico/ipam/v2/assignment/ipv4/block/10.1." + random.nextInt(64) + ".0-26")
          .put("/calico/felix/v2/no-region/host/" + node + "/status", "{\"time\":\"t" + i + "\",\"uptime\":" + i + "}")
          .build(), audit);
    }
  }
}
