package org.calicoledger.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.calicoledger.store.testing.EtcdCluster;
import org.junit.jupiter.api.Test;

/**
 * jetcd failover through {@link EtcdStore} on a 3-member etcd cluster ({@code ETCD_ENDPOINTS} with three URLs): each
 * member in turn is SIGKILLed while one client keeps writing and watching, then restarted. Whichever member the
 * client's watch stream and requests were using, writes keep succeeding on the remaining quorum and the watch
 * delivers every revision exactly once, in order.
 */
class EtcdFailoverIT {
  private static final String PREFIX = "/calico/failover-test/";
  private static final Audit AUDIT = new Audit("test", "failover");

  @Test
  void writesAndTheWatchSurviveTheDeathOfAnyOneMember() throws Exception {
    try (EtcdCluster etcd = EtcdCluster.start(); EtcdStore store = EtcdStore.connect(etcd.config())) {
      List<WatchEvent> seen = Collections.synchronizedList(new ArrayList<>());
      List<StoreException> errors = Collections.synchronizedList(new ArrayList<>());
      int n = 0;
      List<String> failed = new ArrayList<>();
      try (Watch w = store.watch(PREFIX, store.revision() + 1, new Watch.Listener() {
        @Override
        public void onEvents(List<WatchEvent> events) {
          seen.addAll(events);
        }

        @Override
        public void onError(StoreException error) {
          errors.add(error);
        }
      })) {
        for (int member = 1; member <= 3; member++) {
          for (int k = 0; k < 10; k++) {
            n = write(store, n, failed);
          }
          etcd.kill(member);
          int ok = 0;
          for (int k = 0; k < 30; k++) {
            int before = failed.size();
            n = write(store, n, failed);
            ok += failed.size() == before ? 1 : 0;
          }
          assertThat(ok).as("writes that succeeded with member %d down (failed: %s)", member, failed)
              .isGreaterThanOrEqualTo(28);
          etcd.restart(member);
        }
        Map<String, Long> inEtcd = new TreeMap<>();
        for (KeyValue kv : store.range(PREFIX).kvs()) {
          inEtcd.put(kv.key(), kv.modRevision());
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (seen.size() < inEtcd.size() && System.nanoTime() < deadline) {
          Thread.sleep(100);
        }
        Map<String, Long> watched = new TreeMap<>();
        List<Long> revisions = new ArrayList<>();
        synchronized (seen) {
          for (WatchEvent e : seen) {
            watched.put(e.key(), e.modRevision());
            revisions.add(e.modRevision());
          }
        }
        System.out.println("EtcdFailoverIT: " + n + " writes, " + failed.size() + " failed " + failed + ", "
            + inEtcd.size() + " in etcd, " + seen.size() + " watched");
        assertThat(errors).as("watch errors").isEmpty();
        assertThat(watched).as("every write watched at its revision").isEqualTo(inEtcd);
        assertThat(revisions).as("each revision once, in order").doesNotHaveDuplicates().isSorted();
        assertThat(inEtcd.size()).isGreaterThanOrEqualTo(n - failed.size());
      }
    }
  }

  /** One write of key number {@code n}; a failure is recorded (its outcome is unknown: etcd is the judge). */
  private static int write(EtcdStore store, int n, List<String> failed) {
    String key = PREFIX + String.format("k%04d", n);
    try {
      store.txn(Txn.builder().put(key, "v" + n).build(), AUDIT);
    } catch (StoreException e) {
      failed.add(key + ": " + e.getMessage());
    }
    return n + 1;
  }
}
