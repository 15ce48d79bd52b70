package org.calicoledger.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.calicoledger.ipam.AssignRequest;
import org.calicoledger.ipam.Assignment;
import org.calicoledger.ipam.Ipam;
import org.calicoledger.ipam.IpamKeys;
import org.calicoledger.ipam.NodeRemoval;
import org.calicoledger.model.net.Cidr;
import org.calicoledger.store.Audit;
import org.calicoledger.store.KeyValue;
import org.calicoledger.store.Keys;
import org.calicoledger.store.Store;
import org.calicoledger.store.Txn;
import org.calicoledger.store.testing.EtcdExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code calicoctl delete node} against a real etcd: every piece of the node goes (endpoints, addresses, handles,
 * affinities, blocks, per-node resources, Felix status), other nodes keep theirs, {@code ipam check} is clean after;
 * an unknown node fails as calicoctl does; a removal that loses a race re-plans; a large node takes several
 * transactions.
 */
class DeleteNodeIT {
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

  void apply(String yaml) throws Exception {
    Path f = Files.createTempFile(dir, "r", ".yaml");
    Files.writeString(f, yaml);
    CalicoctlRun r = run("apply", "-f", f.toString());
    assertThat(r.code()).as(r.err()).isZero();
  }

  static String node(String name, String ip, String vxlanTunnel) {
    return """
        apiVersion: projectcalico.org/v3
        kind: Node
        metadata: {name: %s}
        spec:
          bgp: {ipv4Address: %s/24}
        %s""".formatted(name, ip, vxlanTunnel == null ? "" : "  ipv4VXLANTunnelAddr: " + vxlanTunnel + "\n");
  }

  static String endpoint(String node, String pod, String ip) {
    return """
        apiVersion: projectcalico.org/v3
        kind: WorkloadEndpoint
        metadata: {name: %s-k8s-%s-eth0, namespace: default}
        spec: {orchestrator: k8s, node: %s, pod: %s, endpoint: eth0, containerID: c-%s, interfaceName: cali%s,
          ipNetworks: ["%s/32"]}
        """.formatted(node.replace("-", "--"), pod, node, pod, pod, "0".repeat(11 - pod.length()) + pod, ip);
  }

  /** A pod as the CNI plugin makes it: an address for handle k8s-pod-network.c-POD, then its endpoint. */
  String pod(Ipam ipam, String node, String pod) throws Exception {
    Assignment a = ipam.autoAssign(AssignRequest.of("k8s-pod-network.c-" + pod, node)
        .withAttributes(Map.of("node", node, "pod", pod, "namespace", "default")));
    String ip = a.ipv4().get(0).text();
    apply(endpoint(node, pod, ip));
    return ip;
  }

  static List<String> keys(String prefix) {
    return ETCD.store().range(prefix).kvs().stream().map(KeyValue::key).toList();
  }

  @Test
  void removesEverythingOfTheNodeAndNothingElse() throws Exception {
    apply("""
        apiVersion: projectcalico.org/v3
        kind: IPPool
        metadata: {name: dn-pool}
        spec: {cidr: 10.160.0.0/24, blockSize: 29, vxlanMode: Never, ipipMode: Never, natOutgoing: true}
        """);
    Ipam ipam = Ipam.builder(ETCD.store()).build();
    apply(node("dn-1", "10.10.1.1", null));
    Assignment tunnel = ipam.autoAssign(AssignRequest.of("vxlan-tunnel-addr-dn-3", "dn-3")
        .withAttributes(Map.of("node", "dn-3", "type", "vxlanTunnelAddress")).withUse("Tunnel"));
    String tunnelIp = tunnel.ipv4().get(0).text();
    apply(node("dn-3", "10.10.2.3", tunnelIp));
    List<String> keep = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      keep.add(pod(ipam, "dn-1", "a" + i));
    }
    List<String> gone = new ArrayList<>();
    for (int i = 0; i < 9; i++) { // with the tunnel address: two /29 blocks of dn-3
      gone.add(pod(ipam, "dn-3", "b" + i));
    }
    // dn-3 borrows from dn-1's block; dn-1 borrows from dn-3's second block
    Cidr dn1Block = Cidr.parse(keep.get(0) + "/29").network();
    String borrowedByDn3 = Cidr.format(dn1Block.addressAt(java.math.BigInteger.valueOf(7)));
    ipam.assignIp(Cidr.parseAddress(borrowedByDn3).address(), "k8s-pod-network.c-bb", "dn-3",
        Map.of("node", "dn-3", "pod", "bb", "namespace", "default"));
    apply(endpoint("dn-3", "bb", borrowedByDn3));
    Cidr dn3Second = Cidr.parse(gone.get(8) + "/29").network();
    String borrowedByDn1 = Cidr.format(dn3Second.addressAt(java.math.BigInteger.valueOf(7)));
    ipam.assignIp(Cidr.parseAddress(borrowedByDn1).address(), "k8s-pod-network.c-ab", "dn-1",
        Map.of("node", "dn-1", "pod", "ab", "namespace", "default"));
    apply(endpoint("dn-1", "ab", borrowedByDn1));
    // a stale endpoint of dn-3 that lists an address now dn-1's: the address stays dn-1's
    apply(endpoint("dn-3", "stale", keep.get(2)));
    // an address dn-3 holds with no endpoint (a CNI ADD that died before writing it)
    ipam.autoAssign(AssignRequest.of("k8s-pod-network.c-orphan", "dn-3")
        .withAttributes(Map.of("node", "dn-3", "pod", "orphan", "namespace", "default")));
    apply("""
        apiVersion: projectcalico.org/v3
        kind: BGPPeer
        metadata: {name: dn-3-tor}
        spec: {node: dn-3, peerIP: 10.10.2.254, asNumber: 64600}
        ---
        apiVersion: projectcalico.org/v3
        kind: BGPPeer
        metadata: {name: global-tor}
        spec: {peerIP: 10.10.0.254, asNumber: 64600}
        ---
        apiVersion: projectcalico.org/v3
        kind: FelixConfiguration
        metadata: {name: node.dn-3}
        spec: {logSeverityScreen: Debug}
        ---
        apiVersion: projectcalico.org/v3
        kind: BGPConfiguration
        metadata: {name: node.dn-3}
        spec: {logSeverityScreen: Debug}
        ---
        apiVersion: projectcalico.org/v3
        kind: HostEndpoint
        metadata: {name: dn-3-eth0}
        spec: {node: dn-3, interfaceName: eth0, expectedIPs: [10.10.2.3]}
        """);
    ETCD.store().txn(Txn.builder().put("/calico/felix/v2/no-region/host/dn-3/status", "{\"time\":\"x\"}").build(), null);
    assertThat(keys(IpamKeys.hostPrefix("dn-3"))).hasSize(2);
    assertThat(run("ipam", "check").out()).contains("Check complete; found 1 problems.\n"); // the orphan

    CalicoctlRun r = run("delete", "node", "dn-3", "--reason", "decommission rack 2");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).isEqualTo("Successfully deleted 1 'Node' resource(s)\n");

    assertThat(ETCD.store().getKey(Keys.RESOURCES + "nodes/dn-3")).isEmpty();
    assertThat(keys(Keys.RESOURCES + "workloadendpoints/")).allMatch(k -> !k.contains("dn--3-k8s"))
        .anyMatch(k -> k.contains("dn--1-k8s-a0"));
    assertThat(keys(Keys.RESOURCES + "bgppeers/")).containsExactly(Keys.RESOURCES + "bgppeers/global-tor");
    assertThat(keys(Keys.RESOURCES + "hostendpoints/")).isEmpty();
    assertThat(ETCD.store().getKey(Keys.RESOURCES + "felixconfigurations/node.dn-3")).isEmpty();
    assertThat(ETCD.store().getKey(Keys.RESOURCES + "bgpconfigurations/node.dn-3")).isEmpty();
    assertThat(keys("/calico/felix/v2/no-region/host/dn-3/")).isEmpty();
    assertThat(keys(IpamKeys.hostPrefix("dn-3"))).isEmpty();
    assertThat(keys(IpamKeys.HANDLES)).allMatch(k -> !k.contains("c-b") && !k.contains("dn-3") && !k.contains("orphan"))
        .contains(IpamKeys.handle("k8s-pod-network.c-ab"), IpamKeys.handle("k8s-pod-network.c-a2"));
    for (String ip : gone) {
      assertThat(ipam.allocation(Cidr.parseAddress(ip).address())).as(ip).isEmpty();
    }
    assertThat(ipam.allocation(Cidr.parseAddress(tunnelIp).address())).isEmpty();
    assertThat(ipam.allocation(Cidr.parseAddress(borrowedByDn3).address())).isEmpty();
    for (String ip : keep) {
      assertThat(ipam.allocation(Cidr.parseAddress(ip).address())).as(ip).isPresent();
    }
    // dn-3's first block is gone; its second stays for dn-1's borrowed address, affine to nobody
    Cidr dn3First = Cidr.parse(tunnelIp + "/29").network();
    assertThat(ETCD.store().getKey(IpamKeys.block(dn3First))).isEmpty();
    assertThat(ETCD.store().getKey(IpamKeys.block(dn3Second)).orElseThrow().text()).contains("\"affinity\":null");
    assertThat(ipam.allocation(Cidr.parseAddress(borrowedByDn1).address())).isPresent();

    CalicoctlRun check = run("ipam", "check");
    assertThat(check.out()).as(check.out()).contains("Check complete; found 0 problems.\n");
    CalicoctlRun show = run("ipam", "show", "--show-blocks");
    assertThat(show.out()).doesNotContain("| Block    | " + dn3First + " ")
        .contains("| Block    | " + dn3Second + " ").contains("| Block    | " + dn1Block + " ");
    // the ledger records who and why, in one revision
    assertThat(ETCD.store().getKey(Keys.audit("ops@console")).orElseThrow().text())
        .contains("decommission rack 2").contains("nodes/dn-3").contains("workloadendpoints/default/dn--3-k8s-b0-eth0");

    CalicoctlRun unknown = run("delete", "node", "dn-3");
    assertThat(unknown.code()).isEqualTo(1);
    assertThat(unknown.out()).isEmpty();
    assertThat(unknown.err()).isEqualTo("Failed to delete 'Node' resource: resource does not exist: Node(dn-3)\n");
    assertThat(run("delete", "node", "dn-3", "--skip-not-exists").out())
        .isEqualTo("Successfully deleted 1 'Node' resource(s)\n");
    CalicoctlRun slash = run("delete", "node", "a/b");
    assertThat(slash.code()).isEqualTo(1);
    assertThat(slash.err()).contains("node 'a/b' contains '/'");
  }

  @Test
  void aFileWithAnOldResourceVersionRemovesNothing() throws Exception {
    apply("""
        apiVersion: projectcalico.org/v3
        kind: IPPool
        metadata: {name: dn-pool-3}
        spec: {cidr: 10.162.0.0/24, blockSize: 26, vxlanMode: Never, ipipMode: Never}
        """);
    Ipam ipam = Ipam.builder(ETCD.store()).build();
    apply(node("dn-v", "10.10.1.8", null));
    String ip = pod(ipam, "dn-v", "v0");
    Path old = dir.resolve("old.yaml");
    Files.writeString(old, run("get", "node", "dn-v", "-o", "yaml").out());
    assertThat(Files.readString(old)).contains("resourceVersion");
    apply(node("dn-v", "10.10.1.18", null)); // the Node changes after the file was saved

    CalicoctlRun r = run("delete", "-f", old.toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).startsWith("Failed to delete 'Node' resource: ").contains("Node(dn-v)");
    assertThat(ETCD.store().getKey(Keys.RESOURCES + "nodes/dn-v")).isPresent();
    assertThat(ipam.allocation(Cidr.parseAddress(ip).address())).isPresent();
    assertThat(keys(IpamKeys.hostPrefix("dn-v"))).hasSize(1);

    Files.writeString(old, run("get", "node", "dn-v", "-o", "yaml").out());
    CalicoctlRun ok = run("delete", "-f", old.toString());
    assertThat(ok.code()).as(ok.err()).isZero();
    assertThat(ipam.allocation(Cidr.parseAddress(ip).address())).isEmpty();
    assertThat(keys(IpamKeys.hostPrefix("dn-v"))).isEmpty();
  }

  @Test
  void lostRaceIsPlannedAgainAndLargeNodesTakeSeveralTransactions() throws Exception {
    apply("""
        apiVersion: projectcalico.org/v3
        kind: IPPool
        metadata: {name: dn-pool-2}
        spec: {cidr: 10.161.0.0/24, blockSize: 26, vxlanMode: Never, ipipMode: Never}
        """);
    Ipam ipam = Ipam.builder(ETCD.store()).build();
    apply(node("dn-big", "10.10.1.9", null));
    for (int i = 0; i < 70; i++) { // 70 endpoints + 70 handles + 2 blocks + 2 affinities + node: over 100 keys
      pod(ipam, "dn-big", "g" + i);
    }
    // the first removal transaction loses to a CNI ADD on the node that lands between the read and the write
    AtomicBoolean raced = new AtomicBoolean();
    Store real = ETCD.store();
    Store racing = (Store) Proxy.newProxyInstance(Store.class.getClassLoader(), new Class<?>[] {Store.class},
        (p, m, args) -> {
          if (m.getName().equals("txn") && raced.compareAndSet(false, true)) {
            Ipam.builder(real).build().autoAssign(AssignRequest.of("k8s-pod-network.c-late", "dn-big")
                .withAttributes(Map.of("node", "dn-big", "pod", "late", "namespace", "default")));
          }
          try {
            return m.invoke(real, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
    NodeRemoval.Result r = NodeRemoval.remove(racing, "dn-big", Audit.of("test"));
    assertThat(raced).isTrue();
    assertThat(r.transactions()).isGreaterThanOrEqualTo(2);
    assertThat(r.workloadEndpoints()).isEqualTo(70);
    assertThat(r.releasedAddresses()).isEqualTo(71); // the late address too: its allocation names the node
    assertThat(keys(IpamKeys.hostPrefix("dn-big"))).isEmpty();
    assertThat(keys(IpamKeys.BLOCKS)).noneMatch(k -> k.contains("10.161."));
    assertThat(keys(IpamKeys.HANDLES)).noneMatch(k -> k.contains("c-g") || k.contains("c-late"));
    assertThat(keys(Keys.RESOURCES + "workloadendpoints/")).noneMatch(k -> k.contains("dn-big"));
    assertThat(run("ipam", "check").out()).contains("Check complete; found 0 problems.\n");
  }
}
