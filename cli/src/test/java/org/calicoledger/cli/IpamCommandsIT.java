package org.calicoledger.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.calicoledger.ipam.AssignRequest;
import org.calicoledger.ipam.Assignment;
import org.calicoledger.ipam.CheckReport;
import org.calicoledger.ipam.FaultHook;
import org.calicoledger.ipam.Ipam;
import org.calicoledger.ipam.IpamKeys;
import org.calicoledger.model.IPPool;
import org.calicoledger.model.Node;
import org.calicoledger.model.ObjectMeta;
import org.calicoledger.model.WorkloadEndpoint;
import org.calicoledger.model.net.Cidr;
import org.calicoledger.store.Audit;
import org.calicoledger.store.KeyValue;
import org.calicoledger.store.testing.EtcdExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** calicoctl ipam show, check, release and configure in-process against a real ETCD.etcd(). */
class IpamCommandsIT {
  @RegisterExtension
  static final EtcdExtension ETCD = new EtcdExtension();

  @TempDir
  Path dir;


  @BeforeAll
  static void initialize() {
    ETCD.store().ensureInitialized("v3.29.0", "test");
  }


  static CalicoctlRun run(String... args) {
    return CalicoctlRun.of(Map.of("ETCD_ENDPOINTS", ETCD.etcd().endpoint(), "CALICO_ACTOR", "ops@console"), args);
  }

  /** The endpoint the CNI plugin would have written after a successful ADD. */
  static void endpoint(String node, String pod, String ip) {
    WorkloadEndpoint.Spec spec = new WorkloadEndpoint.Spec("k8s", null, node, "c-" + pod, pod, "eth0", null,
        List.of(ip + "/32"), null, null, null, null, "cali" + "0".repeat(11 - pod.length()) + pod, null, null, null, null);
    ETCD.store().create(new WorkloadEndpoint(ObjectMeta.named("default", WorkloadEndpoint.expectedName(spec)), spec),
        Audit.of("test"));
  }

  static final class Crash extends Error {
    private static final long serialVersionUID = 1L;
  }

  @Test
  void showCheckReleaseConfigure() throws Exception {
    ETCD.store().create(IPPool.of("pool-a", IPPool.Spec.of("10.150.0.0/26").withBlockSize(26)), Audit.of("test"));
    ETCD.store().create(IPPool.of("pool-b", IPPool.Spec.of("fd00:150::/64")), Audit.of("test"));
    for (String n : List.of("node-1", "node-2")) {
      ETCD.store().create(new Node(ObjectMeta.named(n), null, null), Audit.of("test"));
    }
    CalicoctlRun empty = run("ipam", "show");
    assertThat(empty.code()).isZero();
    assertThat(empty.out()).isEqualTo("""
        +----------+---------------+------------+------------+-------------------+
        | GROUPING |     CIDR      | IPS TOTAL  | IPS IN USE |     IPS FREE      |
        +----------+---------------+------------+------------+-------------------+
        | IP Pool  | 10.150.0.0/26 |         64 | 0 (0%)     | 64 (100%)         |
        | IP Pool  | fd00:150::/64 | 1.8447e+19 | 0 (0%)     | 1.8447e+19 (100%) |
        +----------+---------------+------------+------------+-------------------+
        """);

    Ipam ipam = Ipam.builder(ETCD.store()).build();
    for (int i = 0; i < 4; i++) {
      Assignment a = ipam.autoAssign(AssignRequest.of("k8s-pod-network.p" + i, "node-1")
          .withAttributes(Map.of("pod", "p" + i, "namespace", "default")));
      endpoint("node-1", "p" + i, a.ipv4().get(0).text());
    }
    // node-2 is given an address in node-1's block: borrowed
    ipam.assignIp(Cidr.parseAddress("10.150.0.60").address(), "k8s-pod-network.b0", "node-2",
        Map.of("pod", "b0", "namespace", "default"));
    endpoint("node-2", "b0", "10.150.0.60");
    Cidr block = Cidr.parse("10.150.0.0/26");
    assertThat(ETCD.store().getKey(IpamKeys.block(block))).isPresent();

    CalicoctlRun blocks = run("ipam", "show", "--show-blocks");
    assertThat(blocks.out()).contains("| IP Pool  | 10.150.0.0/26 |         64 | 5 (8%)     | 59 (92%)          |\n")
        .contains("| Block    | 10.150.0.0/26 |         64 | 5 (8%)     | 59 (92%)          |\n");
    CalicoctlRun borrowed = run("ipam", "show", "--show-borrowed");
    assertThat(borrowed.out()).isEqualTo("""
        +-------------+----------------+---------------+-------------+------+--------------+
        |     IP      | BORROWING-NODE |     BLOCK     | BLOCK OWNER | TYPE | ALLOCATED-TO |
        +-------------+----------------+---------------+-------------+------+--------------+
        | 10.150.0.60 | node-2         | 10.150.0.0/26 | node-1      | pod  | default/b0   |
        +-------------+----------------+---------------+-------------+------+--------------+
        """);
    CalicoctlRun one = run("ipam", "show", "--ip", "10.150.0.60");
    assertThat(one.out()).startsWith("IP 10.150.0.60 is in use\nHandle ID: k8s-pod-network.b0\nAttributes:\n")
        .contains("  namespace: default\n  node: node-2\n  pod: b0\n");
    assertThat(run("ipam", "show", "--ip", "10.150.0.61").out()).isEqualTo("10.150.0.61 is not assigned\n");
    assertThat(run("ipam", "show", "--ip", "nope").err()).isEqualTo("Invalid IP address specified: nope\n");

    CalicoctlRun conf = run("ipam", "configure", "--strictaffinity=true");
    assertThat(conf.out()).isEqualTo("Successfully set StrictAffinity to: true\n");
    assertThat(ETCD.store().getKey(IpamKeys.CONFIG).map(KeyValue::text)).hasValue("{\"strict_affinity\":true,\"auto_allocate_blocks\":true}");
    assertThat(run("ipam", "show", "--show-configuration").out()).isEqualTo("""
        +--------------------+-------+
        |      PROPERTY      | VALUE |
        +--------------------+-------+
        | StrictAffinity     | true  |
        | AutoAllocateBlocks | true  |
        | MaxBlocksPerHost   |    20 |
        +--------------------+-------+
        """);
    assertThat(run("ipam", "configure").code()).isEqualTo(1);

    // an allocator dies between its block write and its handle write
    Ipam doomed = Ipam.builder(ETCD.store()).faultHook((p, d) -> {
      if (p == FaultHook.Point.BLOCK_WRITTEN) {
        throw new Crash();
      }
    }).build();
    try {
      doomed.autoAssign(AssignRequest.of("k8s-pod-network.dead", "node-1"));
      throw new AssertionError("no crash");
    } catch (Crash expected) {
      // as if killed
    }
    Path report = dir.resolve("report.json");
    CalicoctlRun check = run("ipam", "check", "--show-problem-ips", "-o", report.toString());
    assertThat(check.code()).as(check.err()).isZero();
    assertThat(check.out()).contains("Found 1 IPAM blocks.\nIPAM blocks record 6 allocations.\n")
        .contains("  10.150.0.4 leaked; handle k8s-pod-network.dead, node node-1\n")
        .contains("Found 1 IPs that are allocated in IPAM but not actually in use.\n")
        .contains("Found 0 handles with no matching IPs (and 5 handles with matches).\n")
        .contains("  k8s-pod-network.dead is in use in a block but doesn't exist.\n")
        .contains("Found 1 handles mentioned in blocks with no matching handle resource.\n")
        .contains("Check complete; found 2 problems.\n");
    CheckReport parsed = CheckReport.parse(Files.readString(report), "report");
    assertThat(parsed.allocations()).hasSize(6);
    assertThat(parsed.allocations().get("10.150.0.4")).singleElement().satisfies(e -> {
      assertThat(e.inUse()).isFalse();
      assertThat(e.handleMissing()).isTrue();
    });
    assertThat(parsed.allocations().get("10.150.0.60").get(0).borrowed()).isTrue();
    assertThat(Files.readString(report)).contains("\"clusterGUID\" : \"").contains("\"inUse\" : true");

    CalicoctlRun release = run("ipam", "release", "--from-report", report.toString(), "--from-report", report.toString());
    assertThat(release.code()).as(release.err()).isZero();
    assertThat(release.out()).isEqualTo("Releasing 1 old IPs...\nReleased 1 IPs successfully\n"
        + "Report didn't contain any handles to clean up.\n");
    assertThat(run("ipam", "check").out()).contains("Check complete; found 0 problems.\n");
    // the same report again: the address is already free, nothing else changes
    assertThat(run("ipam", "release", "--from-report", report.toString()).out())
        .contains("1 addresses marked as leaked in the report had already been cleaned up.");

    assertThat(run("ipam", "release", "--ip", "10.150.0.60").out()).isEqualTo("Successfully released IP address 10.150.0.60\n");
    CalicoctlRun again = run("ipam", "release", "--ip", "10.150.0.60");
    assertThat(again.code()).isEqualTo(1);
    assertThat(again.err()).isEqualTo("IP address 10.150.0.60 is not assigned\n");
    assertThat(run("ipam", "release").err()).isEqualTo("give either --ip IP or --from-report REPORT\n");
    assertThat(run("ipam", "release", "--from-report", dir.resolve("missing.json").toString()).err())
        .contains("no such file");
  }
}
