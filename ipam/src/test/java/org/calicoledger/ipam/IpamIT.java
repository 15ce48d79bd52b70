package org.calicoledger.ipam;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import org.calicoledger.model.IPPool;
import org.calicoledger.model.Node;
import org.calicoledger.model.ObjectMeta;
import org.calicoledger.model.net.Cidr;
import org.calicoledger.store.Audit;
import org.calicoledger.store.KeyValue;
import org.calicoledger.store.testing.EtcdExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Assignment and release against a real etcd: keys and JSON as Calico's, pools, affinity rules, errors. */
class IpamIT {
  @RegisterExtension
  static final EtcdExtension ETCD = new EtcdExtension();



  @AfterEach
  void wipe() {
    Fixtures.wipe(ETCD.store());
  }

  static InetAddress ip(String s) {
    return Cidr.parseAddress(s).address();
  }

  static String value(String key) {
    return ETCD.store().getKey(key).map(KeyValue::text).orElse(null);
  }

  @Test
  void firstAssignmentClaimsABlockWithCalicosKeysAndJson() {
    Fixtures.pool(ETCD.store(), "p4", "10.10.0.0/24", 26, null);
    Ipam ipam = Ipam.builder(ETCD.store()).actor("test").build();
    Assignment a = ipam.autoAssign(AssignRequest.of("k8s-pod-network.c1", "node-1")
        .withAttributes(Map.of("pod", "web-0", "namespace", "default")));
    assertThat(a.ipv4()).hasSize(1);
    Assignment.Address addr = a.ipv4().get(0);
    Cidr block = addr.block();
    assertThat(block.prefixLength()).isEqualTo(26);
    assertThat(Cidr.parse("10.10.0.0/24").contains(block)).isTrue();
    assertThat(addr.ip()).isEqualTo(block.address()); // the FIFO starts at ordinal 0

    String b = value("/calico/ipam/v2/assignment/ipv4/block/" + block.toKeySegment());
    assertThat(b).startsWith("{\"cidr\":\"" + block + "\",\"affinity\":\"host:node-1\",\"affinityClaimTime\":\"")
        .contains("\"allocations\":[0,null,null,").contains("\"unallocated\":[1,2,3,")
        .contains("\"attributes\":[{\"handle_id\":\"k8s-pod-network.c1\",\"secondary\":{\"namespace\":\"default\",\"node\":\"node-1\",\"pod\":\"web-0\"}}]")
        .contains("\"sequenceNumberForAllocation\":{\"0\":").endsWith(",\"deleted\":false}");
    assertThat(value("/calico/ipam/v2/host/node-1/ipv4/block/" + block.toKeySegment()))
        .isEqualTo("{\"state\":\"confirmed\",\"deleted\":false}");
    assertThat(value("/calico/ipam/v2/handle/k8s-pod-network.c1"))
        .isEqualTo("{\"block\":{\"" + block + "\":1},\"deleted\":false}");
    // the block's sequence number moved past the one the allocation recorded
    Block stored = Block.parse(value(IpamKeys.block(block)).getBytes(), "k");
    assertThat(stored.sequenceNumber()).isEqualTo(addr.sequenceNumber() + 1);
    assertThat(stored.sequenceOf(0)).isEqualTo(addr.sequenceNumber());

    Assignment second = ipam.autoAssign(AssignRequest.of("k8s-pod-network.c2", "node-1"));
    assertThat(second.ipv4().get(0).block()).isEqualTo(block);
    assertThat(ipam.allocation(second.ipv4().get(0).ip()).orElseThrow().handle()).isEqualTo("k8s-pod-network.c2");
  }

  @Test
  void dualStackAssignAndReleaseByHandleIsIdempotent() {
    Fixtures.pool(ETCD.store(), "p4", "10.20.0.0/24", 26, null);
    Fixtures.pool(ETCD.store(), "p6", "fd00:20::/120", 122, null);
    Ipam ipam = Ipam.builder(ETCD.store()).build();
    Assignment a = ipam.autoAssign(AssignRequest.of("net.dual", "node-1").withCounts(1, 2));
    assertThat(a.ipv4()).hasSize(1);
    assertThat(a.ipv6()).hasSize(2);
    assertThat(a.ipv6()).allSatisfy(x -> assertThat(Cidr.parse("fd00:20::/120").contains(x.block())).isTrue());
    assertThat(value("/calico/ipam/v2/handle/net.dual")).contains("\"" + a.ipv6().get(0).block() + "\":2");
    assertThat(ipam.allocationsOf("net.dual")).hasSize(3);

    assertThat(ipam.releaseByHandle("net.dual")).isEqualTo(3);
    assertThat(value("/calico/ipam/v2/handle/net.dual")).isNull();
    assertThat(ipam.allocation(a.ipv4().get(0).ip())).isEmpty();
    assertThat(ipam.releaseByHandle("net.dual")).isZero();
    assertThatThrownBy(() -> ipam.allocationsOf("net.dual")).isInstanceOf(IpamException.UnknownHandle.class)
        .hasMessageContaining("handle net.dual does not exist");
    // the affine blocks stay the node's, empty
    assertThat(ETCD.store().range(IpamKeys.hostPrefix("node-1")).kvs()).hasSize(2);
  }

  @Test
  void assignSpecificIpAndReleaseByIp() {
    Fixtures.pool(ETCD.store(), "p4", "10.30.0.0/24", 26, null);
    Ipam ipam = Ipam.builder(ETCD.store()).build();
    Assignment.Address got = ipam.assignIp(ip("10.30.0.77"), "net.fixed", "node-2", Map.of());
    assertThat(got.block()).isEqualTo(Cidr.parse("10.30.0.64/26"));
    assertThat(value("/calico/ipam/v2/host/node-2/ipv4/block/10.30.0.64-26")).contains("confirmed");
    assertThatThrownBy(() -> ipam.assignIp(ip("10.30.0.77"), "net.other", "node-2", Map.of()))
        .isInstanceOf(IpamException.AlreadyAssigned.class)
        .hasMessageContaining("IP 10.30.0.77 is already assigned in block 10.30.0.64/26 to handle net.fixed");
    assertThatThrownBy(() -> ipam.assignIp(ip("10.99.0.1"), "net.other", "node-2", Map.of()))
        .isInstanceOf(IpamException.NotInPool.class).hasMessageContaining("IP 10.99.0.1 is not in any IP pool")
        .hasMessageContaining("p4 10.30.0.0/24");
    // auto-assign on the same node uses the rest of that block
    assertThat(ipam.autoAssign(AssignRequest.of("net.auto", "node-2")).ipv4().get(0).block())
        .isEqualTo(Cidr.parse("10.30.0.64/26"));

    ReleaseResult r = ipam.release(List.of(IpRelease.of(ip("10.30.0.77")), IpRelease.of(ip("10.30.0.78"))));
    assertThat(r.released()).containsExactly(ip("10.30.0.77"));
    assertThat(r.notAssigned()).containsExactly(ip("10.30.0.78"));
    assertThat(value("/calico/ipam/v2/handle/net.fixed")).isNull();
    assertThat(ipam.release(ip("10.31.0.1")).notAssigned()).containsExactly(ip("10.31.0.1"));
  }

  @Test
  void poolsAreChosenByNodeSelectorAndDisabledPoolsAreSkipped() {
    ETCD.store().create(new Node(ObjectMeta.named("edge-1").withLabels(Map.of("zone", "edge")), null, null), Audit.of("test"));
    ETCD.store().create(new Node(ObjectMeta.named("core-1").withLabels(Map.of("zone", "core")), null, null), Audit.of("test"));
    Fixtures.pool(ETCD.store(), "edge", "10.40.0.0/24", 26, "zone == 'edge'");
    Fixtures.pool(ETCD.store(), "core", "10.41.0.0/24", 26, "zone == 'core'");
    Fixtures.pool(ETCD.store(), "off", "10.42.0.0/24", 26, null);
    Fixtures.disable(ETCD.store(), "off");
    Ipam ipam = Ipam.builder(ETCD.store()).build();
    for (int i = 0; i < 5; i++) {
      assertThat(Cidr.parse("10.40.0.0/24").contains(
          ipam.autoAssign(AssignRequest.of("net.e" + i, "edge-1")).ipv4().get(0).block())).isTrue();
      assertThat(Cidr.parse("10.41.0.0/24").contains(
          ipam.autoAssign(AssignRequest.of("net.c" + i, "core-1")).ipv4().get(0).block())).isTrue();
    }
    assertThatThrownBy(() -> ipam.autoAssign(AssignRequest.of("net.x", "nowhere-1")))
        .isInstanceOf(IpamException.NoPools.class)
        .hasMessageContaining("no enabled IPv4 pool selects node nowhere-1 (no Node resource of that name, so no labels)")
        .hasMessageContaining("edge (10.40.0.0/24, nodeSelector zone == 'edge')")
        .hasMessageContaining("off (10.42.0.0/24, disabled");
    assertThatThrownBy(() -> ipam.autoAssign(AssignRequest.of("net.x", "edge-1").withPools(List.of("off"), null)))
        .isInstanceOf(IpamException.NoPools.class).hasMessageContaining("is disabled");
    assertThatThrownBy(() -> ipam.autoAssign(AssignRequest.of("net.x", "edge-1").withPools(List.of("10.77.0.0/16"), null)))
        .isInstanceOf(IpamException.NoPools.class).hasMessageContaining("pool '10.77.0.0/16' does not exist");
    // a requested pool is used even when its selector does not pick the node, as in Calico
    assertThat(Cidr.parse("10.41.0.0/24").contains(ipam.autoAssign(AssignRequest.of("net.y", "edge-1")
        .withPools(List.of("core"), null)).ipv4().get(0).block())).isTrue();

    // disabling a pool while an allocator has it cached: the guarded write fails and the pool is not used again
    Fixtures.disable(ETCD.store(), "edge");
    assertThatThrownBy(() -> ipam.autoAssign(AssignRequest.of("net.z", "edge-1")))
        .isInstanceOf(IpamException.NoPools.class);
  }

  @Test
  void strictAffinityMaxBlocksAndBorrowing() {
    Fixtures.pool(ETCD.store(), "tiny", "10.50.0.0/28", 30, null); // four blocks of four addresses
    Ipam ipam = Ipam.builder(ETCD.store()).build();
    ipam.updateConfig(c -> c.withMaxBlocksPerHost(1).withStrictAffinity(true), "test");
    assertThat(value(IpamKeys.CONFIG)).isEqualTo("{\"strict_affinity\":true,\"auto_allocate_blocks\":true,\"maxBlocksPerHost\":1}");
    for (int i = 0; i < 4; i++) {
      ipam.autoAssign(AssignRequest.of("net.a" + i, "node-a"));
    }
    assertThatThrownBy(() -> ipam.autoAssign(AssignRequest.of("net.a4", "node-a")))
        .isInstanceOf(IpamException.PoolExhausted.class)
        .hasMessageContaining("no free IPv4 address for node node-a in IPPool tiny (10.50.0.0/28)")
        .hasMessageContaining("maxBlocksPerHost (1)").hasMessageContaining("strict affinity is on");
    ipam.autoAssign(AssignRequest.of("net.b0", "node-b")); // node-b gets its own block, with three free addresses
    // without strict affinity, node-a borrows from node-b's block
    ipam.updateConfig(c -> c.withStrictAffinity(false), "test");
    Assignment borrowed = ipam.autoAssign(AssignRequest.of("net.a5", "node-a"));
    Allocation al = ipam.allocation(borrowed.ipv4().get(0).ip()).orElseThrow();
    assertThat(al.blockHost()).isEqualTo("node-b");
    assertThat(al.node()).isEqualTo("node-a");
    assertThat(al.borrowed()).isTrue();
    // the failed call took nothing: node-a has exactly its one block
    assertThat(ETCD.store().range(IpamKeys.hostPrefix("node-a")).kvs()).hasSize(1);
  }

  @Test
  void exhaustionNamesThePoolAndReleasesWhatTheCallTook() {
    Fixtures.pool(ETCD.store(), "small4", "10.60.0.0/30", 30, null);
    Fixtures.pool(ETCD.store(), "small6", "fd00:60::/126", 126, null);
    Ipam ipam = Ipam.builder(ETCD.store()).build();
    ipam.autoAssign(AssignRequest.of("net.fill", "node-1").withCounts(0, 4));
    assertThatThrownBy(() -> ipam.autoAssign(AssignRequest.of("net.both", "node-1").withCounts(2, 1)))
        .isInstanceOf(IpamException.PoolExhausted.class)
        .hasMessageContaining("no free IPv6 address for node node-1 in IPPool small6 (fd00:60::/126)");
    // the two IPv4 addresses the call got first were released again, and its handle is gone
    assertThat(Block.parse(value(IpamKeys.block(Cidr.parse("10.60.0.0/30"))).getBytes(), "k").inUseCount()).isZero();
    assertThat(value(IpamKeys.handle("net.both"))).isNull();
  }

  @Test
  void releasingAffinitiesDeletesEmptyBlocksAndKeepsUsedOnesWithoutAffinity() {
    Fixtures.pool(ETCD.store(), "p", "10.70.0.0/24", 26, null);
    Ipam ipam = Ipam.builder(ETCD.store()).build();
    ipam.assignIp(ip("10.70.0.5"), "net.keep", "node-1", Map.of());
    ipam.assignIp(ip("10.70.0.70"), "net.gone", "node-1", Map.of());
    ipam.releaseByHandle("net.gone");
    assertThat(ipam.releaseHostAffinities("node-1", true)).isEqualTo(1); // only the empty one
    assertThat(value("/calico/ipam/v2/assignment/ipv4/block/10.70.0.64-26")).isNull();
    assertThat(value("/calico/ipam/v2/host/node-1/ipv4/block/10.70.0.64-26")).isNull();
    assertThat(value("/calico/ipam/v2/host/node-1/ipv4/block/10.70.0.0-26")).isNotNull();
    assertThatThrownBy(() -> ipam.releaseAffinity("node-1", Cidr.parse("10.70.0.0/26"), true))
        .isInstanceOf(IpamException.BlockNotEmpty.class).hasMessageContaining("block 10.70.0.0/26 of node node-1 still has 1");
    assertThat(ipam.releaseAffinity("node-1", Cidr.parse("10.70.0.0/26"), false)).isTrue();
    Block orphan = Block.parse(value("/calico/ipam/v2/assignment/ipv4/block/10.70.0.0-26").getBytes(), "k");
    assertThat(orphan.affinity()).isNull();
    assertThat(orphan.inUseCount()).isEqualTo(1);
    // releasing the last address of a block without affinity deletes the block
    ipam.releaseByHandle("net.keep");
    assertThat(value("/calico/ipam/v2/assignment/ipv4/block/10.70.0.0-26")).isNull();
  }
}
