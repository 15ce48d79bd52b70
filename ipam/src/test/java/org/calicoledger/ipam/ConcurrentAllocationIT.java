package org.calicoledger.ipam;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.calicoledger.model.Node;
import org.calicoledger.model.ObjectMeta;
import org.calicoledger.model.net.Cidr;
import org.calicoledger.store.Audit;
import org.calicoledger.store.EtcdStore;
import org.calicoledger.store.KeyValue;
import org.calicoledger.store.testing.EtcdProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Many allocators and many hosts at once against one real etcd. */
class ConcurrentAllocationIT {
  static EtcdProcess etcd;
  static List<EtcdStore> stores = new ArrayList<>();

  @BeforeAll
  static void start() {
    etcd = EtcdProcess.start();
    for (int i = 0; i < 4; i++) {
      stores.add(EtcdStore.connect(etcd.config()));
    }
  }

  @AfterAll
  static void stop() {
    stores.forEach(EtcdStore::close);
    etcd.close();
  }

  @AfterEach
  void wipe() {
    Fixtures.wipe(stores.get(0));
  }

  record Got(String handle, String host, Assignment.Address address) {}

  @Test
  void sixteenAllocatorsOnFourHostsAssignTwoThousandDistinctAddresses() throws Exception {
    EtcdStore store = stores.get(0);
    Fixtures.pool(store, "default", "10.100.0.0/16", 26, null);
    List<String> hosts = List.of("host-0", "host-1", "host-2", "host-3");
    hosts.forEach(h -> store.create(new Node(ObjectMeta.named(h), null, null), Audit.of("test")));
    int allocators = 16;
    int perAllocator = 2000 / allocators;
    ExecutorService pool = Executors.newFixedThreadPool(allocators);
    List<Got> got = new ArrayList<>();
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<List<Got>>> fs = new ArrayList<>();
      for (int a = 0; a < allocators; a++) {
        int id = a;
        String host = hosts.get(a % hosts.size());
        Ipam ipam = Ipam.builder(stores.get(a % stores.size())).actor("allocator-" + a).build(); // one per "process"
        fs.add(pool.submit(() -> {
          go.await();
          List<Got> mine = new ArrayList<>();
          for (int i = 0; i < perAllocator; i++) {
            String handle = "k8s-pod-network.a" + id + "-" + i;
            Assignment as = ipam.autoAssign(AssignRequest.of(handle, host));
            mine.add(new Got(handle, host, as.ipv4().get(0)));
          }
          return mine;
        }));
      }
      go.countDown();
      for (Future<List<Got>> f : fs) {
        got.addAll(f.get(300, TimeUnit.SECONDS));
      }
    } finally {
      pool.shutdownNow();
    }

    assertThat(got).hasSize(2000);
    Set<String> ips = new HashSet<>();
    got.forEach(g -> assertThat(ips.add(g.address().text())).as("%s handed out twice", g.address().text()).isTrue());

    // every address is held, in its block, by exactly the handle it was given to, and each handle holds exactly one
    Map<String, Block> blocks = new HashMap<>();
    for (KeyValue kv : store.range(IpamKeys.BLOCKS).kvs()) {
      Block b = Block.parse(kv.value(), kv.key());
      blocks.put(b.cidr().toString(), b);
    }
    Map<String, String> holderByIp = new HashMap<>();
    blocks.values().forEach(b -> {
      for (int o = 0; o < b.size(); o++) {
        if (b.isAllocated(o)) {
          holderByIp.put(Cidr.format(b.addressOf(o)), b.handleOf(o));
        }
      }
    });
    assertThat(holderByIp).hasSize(2000);
    Map<String, Handle> handles = new HashMap<>();
    for (KeyValue kv : store.range(IpamKeys.HANDLES).kvs()) {
      String id = IpamKeys.parseHandle(kv.key()).orElseThrow();
      handles.put(id, Handle.parse(kv.value(), id));
    }
    assertThat(handles).hasSize(2000);
    for (Got g : got) {
      assertThat(holderByIp.get(g.address().text())).isEqualTo(g.handle());
      Handle h = handles.get(g.handle());
      assertThat(h.blocks()).isEqualTo(Map.of(g.address().block().toString(), 1));
      // from a block affine to the host that asked (nothing was borrowed: there was room to claim)
      assertThat(blocks.get(g.address().block().toString()).host()).isEqualTo(g.host());
    }

    // affinities: every block has its host's confirmed affinity and nothing else is left
    List<Affinity> affs = store.range(IpamKeys.HOSTS).kvs().stream().map(kv -> Affinity.parse(kv.key(), kv.value())).toList();
    assertThat(affs).allSatisfy(a -> assertThat(a.state()).isEqualTo(Affinity.State.CONFIRMED));
    assertThat(affs).hasSameSizeAs(blocks.values());
    affs.forEach(a -> assertThat(blocks.get(a.cidr().toString()).host()).isEqualTo(a.host()));
    for (String h : hosts) {
      long n = affs.stream().filter(a -> a.host().equals(h)).count();
      assertThat(n).as("blocks of %s", h).isBetween(8L, 20L); // 500 addresses need at least 8 blocks of 64
    }
    CheckReport report = IpamCheck.run(store, "test");
    assertThat(report.missingHandles()).isEmpty();
    assertThat(report.leakedHandles()).isEmpty();
    assertThat(report.handleMismatches()).isEmpty();
    assertThat(report.staleAffinities()).isEmpty();
    assertThat(report.blocksWithoutNode()).isEmpty();
    assertThat(report.allocationCount()).isEqualTo(2000);
  }

  @Test
  void fiftyHostsClaimingTheirFirstBlockAtOnceEachEndWithTheirOwnBlock() throws Exception {
    EtcdStore store = stores.get(0);
    Fixtures.pool(store, "tight", "10.200.0.0/20", 26, null); // 64 blocks for 50 hosts: collisions are likely
    int hosts = 50;
    ExecutorService pool = Executors.newFixedThreadPool(hosts);
    Map<String, Assignment.Address> first = new ConcurrentHashMap<>();
    try {
      CountDownLatch ready = new CountDownLatch(hosts);
      CountDownLatch go = new CountDownLatch(1);
      List<Future<?>> fs = new ArrayList<>();
      for (int i = 0; i < hosts; i++) {
        String host = "node-" + i;
        Ipam ipam = Ipam.builder(stores.get(i % stores.size())).actor(host).build();
        fs.add(pool.submit(() -> {
          ready.countDown();
          go.await();
          first.put(host, ipam.autoAssign(AssignRequest.of("net." + host, host).withAttributes(Map.of())).ipv4().get(0));
          return null;
        }));
      }
      ready.await();
      go.countDown();
      for (Future<?> f : fs) {
        f.get(120, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(first).hasSize(hosts);
    List<Affinity> affs = store.range(IpamKeys.HOSTS).kvs().stream().map(kv -> Affinity.parse(kv.key(), kv.value())).toList();
    assertThat(affs).as("no orphaned pending affinity").allSatisfy(a ->
        assertThat(a.state()).isEqualTo(Affinity.State.CONFIRMED));
    assertThat(affs).hasSize(hosts);
    Set<String> blocks = new HashSet<>();
    for (int i = 0; i < hosts; i++) {
      String host = "node-" + i;
      List<Affinity> mine = affs.stream().filter(a -> a.host().equals(host)).toList();
      assertThat(mine).as("affinities of %s", host).hasSize(1);
      Cidr block = mine.get(0).cidr();
      assertThat(blocks.add(block.toString())).isTrue();
      assertThat(first.get(host).block()).isEqualTo(block);
      KeyValue kv = store.getKey(IpamKeys.block(block)).orElseThrow();
      assertThat(Block.parse(kv.value(), kv.key()).host()).isEqualTo(host);
    }
    assertThat(store.range(IpamKeys.BLOCKS).kvs()).hasSize(hosts);
  }
}
