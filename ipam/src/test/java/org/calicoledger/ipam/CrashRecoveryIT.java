package org.calicoledger.ipam;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.calicoledger.ipam.CrashAt.SimulatedCrash;
import org.calicoledger.ipam.FaultHook.Point;
import org.calicoledger.model.Node;
import org.calicoledger.model.ObjectMeta;
import org.calicoledger.model.net.Cidr;
import org.calicoledger.store.Audit;
import org.calicoledger.store.KeyValue;
import org.calicoledger.store.testing.EtcdExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Allocators that die between two writes of a protocol: what they leave, what {@code ipam check} reports, and how
 * the next allocator, a CNI DEL or {@code ipam release --from-report} repairs it. Crashes are injected with
 * {@link CrashAt} (deterministic) and, once, by SIGKILL of a real allocator process stopped at the crash point.
 */
class CrashRecoveryIT {
  @RegisterExtension
  static final EtcdExtension ETCD = new EtcdExtension();



  @BeforeEach
  void nodes() {
    for (String n : List.of("node-a", "node-b")) {
      ETCD.store().create(new Node(ObjectMeta.named(n), null, null), Audit.of("test"));
    }
  }

  @AfterEach
  void wipe() {
    Fixtures.wipe(ETCD.store());
  }

  static Ipam crashing(Point p, int nth) {
    return Ipam.builder(ETCD.store()).actor("crashing").faultHook(new CrashAt(p, nth)).build();
  }

  static Ipam healthy() {
    return Ipam.builder(ETCD.store()).actor("healthy").build();
  }

  static Set<String> allocatedIps() {
    Set<String> out = new HashSet<>();
    for (KeyValue kv : ETCD.store().range(IpamKeys.BLOCKS).kvs()) {
      Block b = Block.parse(kv.value(), kv.key());
      for (int o = 0; o < b.size(); o++) {
        if (b.isAllocated(o)) {
          out.add(Cidr.format(b.addressOf(o)));
        }
      }
    }
    return out;
  }

  static List<Affinity> affinities() {
    return ETCD.store().range(IpamKeys.HOSTS).kvs().stream().map(kv -> Affinity.parse(kv.key(), kv.value())).toList();
  }

  record Got(String handle, String host, String ip) {}

  @Test
  void allocatorsKilledBetweenBlockAndHandleWriteAreReportedAndRepaired() throws Exception {
    Fixtures.pool(ETCD.store(), "default", "10.110.0.0/16", 26, null);
    List<String> hosts = List.of("host-0", "host-1", "host-2", "host-3");
    hosts.forEach(h -> ETCD.store().create(new Node(ObjectMeta.named(h), null, null), Audit.of("test")));
    List<Got> ok = Collections.synchronizedList(new ArrayList<>());
    Set<String> crashedHandles = Collections.synchronizedSet(new HashSet<>());
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      List<Future<?>> fs = new ArrayList<>();
      for (int a = 0; a < 16; a++) {
        int id = a;
        String host = hosts.get(a % 4);
        fs.add(pool.submit(() -> {
          Random rnd = new Random(id);
          Ipam ipam = crashing(Point.BLOCK_WRITTEN, 1 + rnd.nextInt(8));
          for (int i = 0; i < 20; i++) {
            String handle = "k8s-pod-network.c" + id + "-" + i;
            try {
              ok.add(new Got(handle, host, ipam.autoAssign(AssignRequest.of(handle, host)).ipv4().get(0).text()));
            } catch (SimulatedCrash dead) {
              crashedHandles.add(handle);
              ipam = crashing(Point.BLOCK_WRITTEN, 1 + rnd.nextInt(8)); // the process restarts
            }
          }
          return null;
        }));
      }
      for (Future<?> f : fs) {
        f.get(120, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    for (Got g : ok) {
      Fixtures.wep(ETCD.store(), g.host(), g.handle().substring(g.handle().indexOf('.') + 1), g.ip()); // the CNI ADDs that finished
    }
    assertThat(crashedHandles).hasSizeGreaterThan(16);
    assertThat(ok.size() + crashedHandles.size()).isEqualTo(320);
    Set<String> okIps = ok.stream().map(Got::ip).collect(Collectors.toSet());
    Set<String> crashedIps = new HashSet<>(allocatedIps());
    crashedIps.removeAll(okIps);
    assertThat(crashedIps).hasSameSizeAs(crashedHandles);

    CheckReport report = CheckReport.parse(IpamCheck.run(ETCD.store(), "v-test").toJson(), "report.json");
    assertThat(report.withMissingHandle().stream().map(CheckReport.Entry::ip).collect(Collectors.toSet()))
        .isEqualTo(crashedIps);
    assertThat(report.leaked().stream().map(CheckReport.Entry::ip).collect(Collectors.toSet())).isEqualTo(crashedIps);
    assertThat(report.missingHandles().stream().map(CheckReport.MissingHandle::handle).collect(Collectors.toSet()))
        .isEqualTo(crashedHandles);
    assertThat(report.leakedHandles()).isEmpty();
    assertThat(report.handleMismatches()).isEmpty();
    assertThat(report.staleAffinities()).isEmpty();
    assertThat(report.problems()).isEqualTo(2 * crashedHandles.size());

    ReportRepair.Result r = ReportRepair.apply(ETCD.store(), healthy(), report, "v-test", false);
    assertThat(r.releasedIps()).isEqualTo(crashedHandles.size());
    assertThat(r.skipped()).isEmpty();
    assertThat(r.restoredHandles()).isZero();

    CheckReport after = IpamCheck.run(ETCD.store(), "v-test");
    assertThat(after.problems()).isZero();
    assertThat(after.allocationCount()).isEqualTo(ok.size());
    assertThat(allocatedIps()).isEqualTo(okIps);
    Ipam reader = healthy();
    for (Got g : ok) {
      assertThat(reader.allocationsOf(g.handle())).extracting(Allocation::text).containsExactly(g.ip());
    }
  }

  @Test
  void claimInterruptedAfterThePendingAffinityIsResumed() {
    Fixtures.pool(ETCD.store(), "p", "10.120.0.0/24", 26, null);
    assertThatThrownBy(() -> crashing(Point.PENDING_AFFINITY_WRITTEN, 1).autoAssign(AssignRequest.of("net.a", "node-a")))
        .isInstanceOf(SimulatedCrash.class);
    assertThat(affinities()).singleElement().satisfies(a -> assertThat(a.state()).isEqualTo(Affinity.State.PENDING));
    assertThat(ETCD.store().range(IpamKeys.BLOCKS).kvs()).isEmpty();
    CheckReport report = IpamCheck.run(ETCD.store(), "v");
    assertThat(report.staleAffinities()).singleElement()
        .satisfies(s -> assertThat(s.reason()).isEqualTo("block does not exist"));

    Assignment a = healthy().autoAssign(AssignRequest.of("net.b", "node-a"));
    assertThat(affinities()).singleElement().satisfies(x -> {
      assertThat(x.state()).isEqualTo(Affinity.State.CONFIRMED);
      assertThat(x.cidr()).isEqualTo(a.ipv4().get(0).block());
    });
    assertThat(ETCD.store().range(IpamKeys.BLOCKS).kvs()).hasSize(1);
  }

  @Test
  void pendingAffinityWhoseBlockAnotherHostTookIsRemoved() {
    Fixtures.pool(ETCD.store(), "one-block", "10.121.0.0/26", 26, null);
    assertThatThrownBy(() -> crashing(Point.PENDING_AFFINITY_WRITTEN, 1).autoAssign(AssignRequest.of("net.a", "node-a")))
        .isInstanceOf(SimulatedCrash.class);
    healthy().autoAssign(AssignRequest.of("net.b", "node-b")); // node-b takes the only block
    assertThat(IpamCheck.run(ETCD.store(), "v").staleAffinities()).singleElement()
        .satisfies(s -> assertThat(s.reason()).isEqualTo("block is affine to node node-b"));
    // node-a comes back: its stale pending affinity goes, and it borrows from node-b's block
    Allocation got = healthy().allocation(healthy().autoAssign(AssignRequest.of("net.a2", "node-a")).ipv4().get(0).ip())
        .orElseThrow();
    assertThat(got.blockHost()).isEqualTo("node-b");
    assertThat(affinities()).singleElement().satisfies(x -> {
      assertThat(x.host()).isEqualTo("node-b");
      assertThat(x.state()).isEqualTo(Affinity.State.CONFIRMED);
    });
  }

  @Test
  void claimInterruptedAfterCreatingTheBlockIsConfirmedByTheNextAllocator() {
    Fixtures.pool(ETCD.store(), "p", "10.122.0.0/24", 26, null);
    assertThatThrownBy(() -> crashing(Point.BLOCK_CREATED, 1).autoAssign(AssignRequest.of("net.a", "node-a")))
        .isInstanceOf(SimulatedCrash.class);
    KeyValue blockKv = ETCD.store().range(IpamKeys.BLOCKS).kvs().get(0);
    Cidr block = Block.parse(blockKv.value(), blockKv.key()).cidr();
    assertThat(affinities()).singleElement().satisfies(a -> assertThat(a.state()).isEqualTo(Affinity.State.PENDING));
    // the repair path confirms it too: a report made now, applied
    CheckReport report = IpamCheck.run(ETCD.store(), "v");
    assertThat(report.staleAffinities()).singleElement().satisfies(s -> assertThat(s.reason()).isEqualTo("affinity is pending"));
    Assignment a = healthy().autoAssign(AssignRequest.of("net.b", "node-a"));
    assertThat(a.ipv4().get(0).block()).isEqualTo(block);
    assertThat(affinities()).singleElement().satisfies(x -> assertThat(x.state()).isEqualTo(Affinity.State.CONFIRMED));
    assertThat(ReportRepair.apply(ETCD.store(), healthy(), report, "v", false).skipped())
        .singleElement().asString().contains("changed since the report");
  }

  @Test
  void blockAffineToAHostWithoutItsAffinityIsClaimedBack() {
    Fixtures.pool(ETCD.store(), "p", "10.123.0.0/26", 26, null);
    Assignment first = healthy().autoAssign(AssignRequest.of("net.a", "node-a"));
    String affKey = IpamKeys.affinity("node-a", first.ipv4().get(0).block());
    ETCD.store().txn(org.calicoledger.store.Txn.builder().delete(affKey).build(), null); // as if lost
    Assignment second = healthy().autoAssign(AssignRequest.of("net.b", "node-a"));
    assertThat(second.ipv4().get(0).block()).isEqualTo(first.ipv4().get(0).block());
    assertThat(ETCD.store().getKey(affKey)).hasValueSatisfying(kv -> assertThat(kv.text()).contains("confirmed"));
  }

  @Test
  void releaseInterruptedAfterTheBlockWriteLeavesAHandleThatRepairDeletes() {
    Fixtures.pool(ETCD.store(), "p", "10.124.0.0/24", 26, null);
    healthy().autoAssign(AssignRequest.of("net.a", "node-a").withCounts(2, 0));
    assertThatThrownBy(() -> crashing(Point.BLOCK_RELEASED, 1).releaseByHandle("net.a"))
        .isInstanceOf(SimulatedCrash.class);
    CheckReport report = IpamCheck.run(ETCD.store(), "v");
    assertThat(report.leakedHandles()).singleElement().satisfies(h -> assertThat(h.id()).isEqualTo("net.a"));
    assertThat(report.problems()).isEqualTo(1);
    assertThat(ReportRepair.apply(ETCD.store(), healthy(), report, "v", false).deletedHandles()).isEqualTo(1);
    assertThat(ETCD.store().getKey(IpamKeys.handle("net.a"))).isEmpty();
    assertThat(IpamCheck.run(ETCD.store(), "v").problems()).isZero();
  }

  @Test
  void cniDelAfterACrashedAddFreesTheAddressEvenWithoutItsHandle() {
    Fixtures.pool(ETCD.store(), "p", "10.125.0.0/24", 26, null);
    healthy().autoAssign(AssignRequest.of("net.other", "node-a"));
    assertThatThrownBy(() -> crashing(Point.BLOCK_WRITTEN, 1).autoAssign(AssignRequest.of("net.dead", "node-a")))
        .isInstanceOf(SimulatedCrash.class);
    assertThat(ETCD.store().getKey(IpamKeys.handle("net.dead"))).isEmpty();
    assertThat(allocatedIps()).hasSize(2);
    assertThat(healthy().releaseByHandle("net.dead", "node-a")).isEqualTo(1);
    assertThat(allocatedIps()).hasSize(1);
    assertThat(IpamCheck.run(ETCD.store(), "v").missingHandles()).isEmpty();
  }

  @Test
  void aRealAllocatorProcessKilledAtTheCrashPointLeavesOnlyWhatCheckReports() throws Exception {
    Fixtures.pool(ETCD.store(), "p", "10.126.0.0/24", 26, null);
    ETCD.store().create(new Node(ObjectMeta.named("node-k"), null, null), Audit.of("test"));
    String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process p = new ProcessBuilder(java.toString(), "-cp", cp, CrashingAllocatorMain.class.getName(), ETCD.etcd().endpoint(),
        "node-k", "k8s-pod-network.killed").redirectError(ProcessBuilder.Redirect.DISCARD).start();
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      String line = out.readLine();
      assertThat(line).as("the allocator reached the crash point").startsWith("crash-point BLOCK_WRITTEN");
      p.destroyForcibly(); // SIGKILL, between the block write and the handle write
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).isEqualTo(137);
    } finally {
      p.destroyForcibly();
    }
    CheckReport report = IpamCheck.run(ETCD.store(), "v");
    assertThat(report.withMissingHandle()).singleElement().satisfies(e -> {
      assertThat(e.handle()).isEqualTo("k8s-pod-network.killed");
      assertThat(e.inUse()).isFalse();
      assertThat(e.node()).isEqualTo("node-k");
    });
    assertThat(report.problems()).isEqualTo(2); // the leaked address and its missing handle
    assertThat(ReportRepair.apply(ETCD.store(), healthy(), report, "v", false).releasedIps()).isEqualTo(1);
    assertThat(allocatedIps()).isEmpty();
    assertThat(IpamCheck.run(ETCD.store(), "v").problems()).isZero();
  }
}
