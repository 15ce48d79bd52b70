package org.calicoledger.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.GetOption;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.calicoledger.events.image.ClusterImage;
import org.calicoledger.events.journal.Journal;
import org.calicoledger.events.subscriber.ImagePublisher;
import org.calicoledger.events.subscriber.Subscriber;
import org.calicoledger.events.subscriber.TestBroker;
import org.calicoledger.model.IPPool;
import org.calicoledger.model.Kind;
import org.calicoledger.model.Node;
import org.calicoledger.model.ObjectMeta;
import org.calicoledger.model.Resource;
import org.calicoledger.model.ResourceCodec;
import org.calicoledger.store.Audit;
import org.calicoledger.store.EtcdStore;
import org.calicoledger.store.Keys;
import org.calicoledger.store.ResourceKey;
import org.calicoledger.store.testing.EtcdProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end: writes through the Store (and calicoctl) to a real etcd, the journal publishing to a real broker, then
 * {@code calicoctl replay --at REV} at every revision written equals what etcd itself returns for a read at that
 * revision; a subscriber's image ends equal to etcd's current state.
 */
class ReplayAgainstEtcdIT {
  @TempDir
  Path dir;

  @Test
  void replayAtEachRevisionEqualsEtcdReadAtThatRevision() throws Exception {
    try (EtcdProcess etcd = EtcdProcess.start();
        EtcdStore store = EtcdStore.connect(etcd.config());
        TestBroker broker = TestBroker.start();
        Client raw = Client.builder().endpoints(etcd.endpoint()).build()) {
      AtomicBoolean active = new AtomicBoolean(true);
      AtomicReference<Throwable> journalError = new AtomicReference<>();
      Thread journal = new Thread(() -> {
        try {
          new Journal(store, broker.settings(), 10_000).publish(active::get);
        } catch (Throwable t) {
          journalError.set(t);
        }
      }, "test-journal");
      journal.start();
      try {
        Map<String, String> env = Map.of("ETCD_ENDPOINTS", etcd.endpoint(), "CALICO_ACTOR", "e2e@test",
            "KAFKA_BOOTSTRAP_SERVERS", broker.bootstrap());
        List<Long> points = new ArrayList<>();
        IPPool a = store.create(new IPPool(ObjectMeta.named("e2e-a"), IPPool.Spec.of("10.10.0.0/16").withNatOutgoing(true)),
            new Audit("e2e@test", "pool a"));
        points.add(a.metadata().revision());
        IPPool b = store.create(new IPPool(ObjectMeta.named("e2e-b"), IPPool.Spec.of("10.20.0.0/16")), Audit.of("pool b"));
        points.add(b.metadata().revision());
        a = store.update(new IPPool(a.metadata(), a.spec().withNatOutgoing(false)), Audit.of("no NAT"));
        points.add(a.metadata().revision());
        for (int i = 0; i < 3; i++) {
          Node n = store.create(new Node(ObjectMeta.named("e2e-node-" + i), new Node.Spec(new Node.BGP(null,
              "192.168." + i + ".1/24", null, null, null), null, null, null, null, null, null, null, null), null),
              Audit.of("node " + i));
          points.add(n.metadata().revision());
        }
        Path yaml = dir.resolve("more.yaml");
        Files.writeString(yaml, "apiVersion: projectcalico.org/v3\nkind: BGPPeer\nmetadata:\n  name: e2e-peer\nspec:\n"
            + "  peerIP: 192.168.9.9\n  asNumber: 64512\n---\napiVersion: projectcalico.org/v3\nkind: FelixConfiguration\n"
            + "metadata:\n  name: default\nspec:\n  wireguardEnabled: true\n");
        assertThat(run(env, "apply", "-f", yaml.toString(), "--reason", "peer and felix").code()).isZero();
        points.add(store.revision());
        store.delete(ResourceKey.of(Kind.IP_POOL, "e2e-b"), 0, Audit.of("retire b"));
        points.add(store.revision());
        store.delete(ResourceKey.of(Kind.NODE, "e2e-node-1"), 0, Audit.of("node gone"));
        long last = store.revision();
        points.add(last);

        // the journal has published everything once a subscriber's image reaches etcd's revision
        try (Subscriber sub = Subscriber.start(broker.settings(), Subscriber.Options.defaults(), new ImagePublisher() {
          @Override
          public void onUpdate(org.calicoledger.events.image.ClusterDelta delta, ClusterImage image) {}
        })) {
          ClusterImage img = sub.awaitRevision(last, Duration.ofSeconds(60));
          assertThat(byResource(img)).isEqualTo(etcdAt(raw, last));
        }
        assertThat(journalError.get()).isNull();

        long before = points.get(0) - 1;
        points.add(0, before);
        for (long rev : points) {
          CalicoctlRun r = run(env, "replay", "--at", Long.toString(rev), "-o", "json");
          assertThat(r.err()).isEmpty();
          assertThat(r.code()).isZero();
          Map<String, Resource> replayed = new TreeMap<>();
          for (JsonNode item : ResourceCodec.parseJson(r.out()).path("items")) {
            Resource res = ResourceCodec.decodeDocument(item, "replay").resource();
            replayed.put(ResourceKey.of(res).toString(), res);
          }
          assertThat(replayed).as("replay --at " + rev).isEqualTo(etcdAt(raw, rev));
        }
        assertThat(etcdAt(raw, last)).containsKeys("IPPool(e2e-a)", "Node(e2e-node-0)", "BGPPeer(e2e-peer)",
            "FelixConfiguration(default)").doesNotContainKeys("IPPool(e2e-b)", "Node(e2e-node-1)");
        assertThat(etcdAt(raw, before)).isEmpty();

        CalicoctlRun history = run(env, "history", "ippool", "e2e-a");
        assertThat(history.out()).contains("e2e@test", "pool a", "no NAT", "spec.natOutgoing: true -> false");
      } finally {
        active.set(false);
        journal.join(TimeUnit.SECONDS.toMillis(30));
      }
    }
  }


  static CalicoctlRun run(Map<String, String> env, String... args) {
    return CalicoctlRun.of(env, args);
  }

  static Map<String, Resource> byResource(ClusterImage img) {
    Map<String, Resource> out = new TreeMap<>();
    for (Kind k : Kind.values()) {
      img.resources(k).forEach(r -> out.put(ResourceKey.of(r).toString(), r));
    }
    return out;
  }

  /** Every resource etcd holds at {@code revision}, read at that revision. */
  static Map<String, Resource> etcdAt(Client raw, long revision) throws Exception {
    Map<String, Resource> out = new TreeMap<>();
    if (revision < 1) {
      return out;
    }
    ByteSequence prefix = ByteSequence.from(Keys.RESOURCES, StandardCharsets.UTF_8);
    List<KeyValue> kvs = raw.getKVClient().get(prefix, GetOption.builder().isPrefix(true).withRevision(revision).build())
        .get(30, TimeUnit.SECONDS).getKvs();
    for (KeyValue kv : kvs) {
      Resource r = ResourceCodec.decodeStored(kv.getValue().getBytes(), kv.getModRevision());
      out.put(ResourceKey.of(r).toString(), r);
    }
    return out;
  }
}
