package org.calicoledger.ipam.cni;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.calicoledger.ipam.Block;
import org.calicoledger.ipam.IpamKeys;
import org.calicoledger.model.IPPool;
import org.calicoledger.model.net.Cidr;
import org.calicoledger.store.Audit;
import org.calicoledger.store.EtcdStore;
import org.calicoledger.store.KeyValue;
import org.calicoledger.store.testing.EtcdProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** bin/calico-ipam as a runtime runs it: a process per command, CNI_* in the environment, the config on stdin. */
class CalicoIpamPluginIT {
  static final Path ROOT = Path.of(System.getProperty("calico.repo.root", "..")).toAbsolutePath().normalize();
  static final ObjectMapper JSON = new ObjectMapper();
  static EtcdProcess etcd;
  static EtcdStore store;
  static Path dir;

  record Run(int code, JsonNode json, String out, String err) {}

  @BeforeAll
  static void start() throws IOException {
    assertThat(ROOT.resolve("ipam/target/calico-ipam.jar")).exists();
    etcd = EtcdProcess.start();
    store = EtcdStore.connect(etcd.config());
    dir = Files.createTempDirectory("calico-ipam-it");
    store.create(IPPool.of("pool4", IPPool.Spec.of("10.88.0.0/24").withBlockSize(26)), Audit.of("test"));
    store.create(IPPool.of("pool6", IPPool.Spec.of("fd00:88::/120").withBlockSize(122)), Audit.of("test"));
    store.create(IPPool.of("tiny", IPPool.Spec.of("10.89.0.0/30").withBlockSize(30).withNodeSelector("!all()")),
        Audit.of("test"));
  }

  @AfterAll
  static void stop() throws IOException {
    store.close();
    etcd.close();
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  static String conf(String version, String ipam) {
    return "{\"cniVersion\":\"" + version + "\",\"name\":\"k8s-pod-network\",\"type\":\"calico\",\"nodename\":\"node-1\","
        + "\"etcd_endpoints\":\"" + etcd.endpoint() + "\",\"datastore_type\":\"etcdv3\",\"ipam\":{\"type\":\"calico-ipam\"" + ipam + "}}";
  }

  static Run cni(String command, String container, String stdin, Map<String, String> extra) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(ROOT.resolve("bin/calico-ipam").toString()).directory(dir.toFile());
    Map<String, String> env = pb.environment();
    env.remove("ETCD_ENDPOINTS");
    env.put("CALICO_NO_SETUP", "1");
    env.put("CALICO_IPAM_LOCK_FILE", dir.resolve("ipam.lock").toString());
    env.put("CNI_COMMAND", command);
    env.put("CNI_IFNAME", "eth0");
    env.put("CNI_NETNS", "/var/run/netns/test");
    env.put("CNI_PATH", "/opt/cni/bin");
    if (container != null) {
      env.put("CNI_CONTAINERID", container);
    }
    env.putAll(extra);
    Process p = pb.start();
    p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
    p.getOutputStream().close();
    CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> {
      try {
        return p.getErrorStream().readAllBytes();
      } catch (IOException e) {
        return new byte[0];
      }
    });
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("calico-ipam " + command + " did not finish");
    }
    return new Run(p.exitValue(), out.isBlank() ? null : JSON.readTree(out), out,
        new String(err.get(), StandardCharsets.UTF_8));
  }

  static Run cni(String command, String container, String stdin) throws Exception {
    return cni(command, container, stdin, Map.of());
  }

  static String value(String key) {
    return store.getKey(key).map(KeyValue::text).orElse(null);
  }

  @Test
  void versionListsTheSupportedSpecs() throws Exception {
    Run r = cni("VERSION", null, "{\"cniVersion\":\"1.0.0\"}");
    assertThat(r.code()).isZero();
    assertThat(r.json().path("cniVersion").asText()).isEqualTo("1.0.0");
    assertThat(r.json().path("supportedVersions").toString()).isEqualTo("[\"0.3.0\",\"0.3.1\",\"0.4.0\",\"1.0.0\"]");
  }

  @Test
  void addCheckDelForOneContainer() throws Exception {
    String conf = conf("1.0.0", "");
    Run add = cni("ADD", "c-one", conf, Map.of("CNI_ARGS", "IgnoreUnknown=1;K8S_POD_NAMESPACE=shop;K8S_POD_NAME=cart-0"));
    assertThat(add.code()).as(add.out() + add.err()).isZero();
    assertThat(add.json().path("cniVersion").asText()).isEqualTo("1.0.0");
    assertThat(add.json().path("ips")).hasSize(1);
    String address = add.json().path("ips").get(0).path("address").asText();
    assertThat(address).startsWith("10.88.0.").endsWith("/32");
    assertThat(add.json().path("ips").get(0).has("version")).isFalse();
    assertThat(add.json().path("dns").isObject()).isTrue();

    Cidr ip = Cidr.parse(address);
    Cidr block = Cidr.of(ip.address(), 26).network();
    assertThat(value(IpamKeys.handle("k8s-pod-network.c-one"))).isEqualTo("{\"block\":{\"" + block + "\":1},\"deleted\":false}");
    Block b = Block.parse(value(IpamKeys.block(block)).getBytes(StandardCharsets.UTF_8), "k");
    assertThat(b.host()).isEqualTo("node-1");
    var attr = b.attributeOf(b.ordinalOf(ip.address()));
    assertThat(attr.handleId()).isEqualTo("k8s-pod-network.c-one");
    assertThat(attr.secondary()).containsEntry("pod", "cart-0").containsEntry("namespace", "shop")
        .containsEntry("node", "node-1").containsKey("timestamp");
    assertThat(attr.secondary().get("timestamp")).matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d(\\.\\d+)? \\+0000 UTC");

    Run again = cni("ADD", "c-one", conf);
    assertThat(again.json().path("ips").get(0).path("address").asText()).isEqualTo(address);

    String withPrev = conf.substring(0, conf.length() - 1) + ",\"prevResult\":" + add.out().strip() + "}";
    assertThat(cni("CHECK", "c-one", withPrev).code()).isZero();

    Run del = cni("DEL", "c-one", conf);
    assertThat(del.code()).isZero();
    assertThat(del.out()).isEmpty();
    assertThat(value(IpamKeys.handle("k8s-pod-network.c-one"))).isNull();
    Block after = Block.parse(value(IpamKeys.block(block)).getBytes(StandardCharsets.UTF_8), "k");
    assertThat(after.isAllocated(after.ordinalOf(ip.address()))).isFalse();

    Run delAgain = cni("DEL", "c-one", conf);
    assertThat(delAgain.code()).isZero();
    assertThat(cni("DEL", "never-added", conf).code()).isZero();
    Run check = cni("CHECK", "c-one", withPrev);
    assertThat(check.code()).isEqualTo(1);
    assertThat(check.json().path("code").asInt()).isEqualTo(3);
    assertThat(check.json().path("msg").asText()).contains("container c-one has no addresses");
  }

  @Test
  void olderSpecsTagEachAddressWithItsVersionAndDualStackGivesTwo() throws Exception {
    for (String v : List.of("0.3.1", "0.4.0")) {
      Run r = cni("ADD", "c-dual-" + v, conf(v, ",\"assign_ipv4\":\"true\",\"assign_ipv6\":\"true\""));
      assertThat(r.code()).as(r.out()).isZero();
      assertThat(r.json().path("cniVersion").asText()).isEqualTo(v);
      JsonNode ips = r.json().path("ips");
      assertThat(ips).hasSize(2);
      assertThat(ips.get(0).path("version").asText()).isEqualTo("4");
      assertThat(ips.get(0).path("address").asText()).startsWith("10.88.0.").endsWith("/32");
      assertThat(ips.get(1).path("version").asText()).isEqualTo("6");
      assertThat(ips.get(1).path("address").asText()).startsWith("fd00:88::").endsWith("/128");
      assertThat(cni("DEL", "c-dual-" + v, conf(v, "")).code()).isZero();
    }
  }

  @Test
  void aSpecificAddressFromCniArgs() throws Exception {
    String conf = conf("1.0.0", "");
    Run r = cni("ADD", "c-fixed", conf, Map.of("CNI_ARGS", "IP=10.88.0.200"));
    assertThat(r.code()).as(r.out()).isZero();
    assertThat(r.json().path("ips").get(0).path("address").asText()).isEqualTo("10.88.0.200/32");
    Run taken = cni("ADD", "c-other", conf, Map.of("CNI_ARGS", "IP=10.88.0.200"));
    assertThat(taken.code()).isEqualTo(1);
    assertThat(taken.json().path("code").asInt()).isEqualTo(100);
    assertThat(taken.json().path("msg").asText()).contains("IP 10.88.0.200 is already assigned").contains("k8s-pod-network.c-fixed");
    assertThat(value(IpamKeys.handle("k8s-pod-network.c-other"))).isNull();
    assertThat(cni("DEL", "c-fixed", conf).code()).isZero();
  }

  @Test
  void errorsAreCniErrorJson() throws Exception {
    Run badVersion = cni("ADD", "c-x", conf("0.2.0", ""));
    assertThat(badVersion.code()).isEqualTo(1);
    assertThat(badVersion.json().path("code").asInt()).isEqualTo(1);
    assertThat(badVersion.json().path("msg").asText()).isEqualTo("incompatible CNI version 0.2.0");
    assertThat(badVersion.json().path("details").asText()).contains("0.3.1", "0.4.0", "1.0.0");

    Run noContainer = cni("ADD", null, conf("1.0.0", ""));
    assertThat(noContainer.json().path("code").asInt()).isEqualTo(4);
    assertThat(noContainer.json().path("msg").asText()).isEqualTo("CNI_CONTAINERID is not set");

    Run garbage = cni("ADD", "c-x", "{not json");
    assertThat(garbage.json().path("code").asInt()).isEqualTo(6);

    Run k8s = cni("ADD", "c-x", conf("1.0.0", "").replace("etcdv3", "kubernetes"));
    assertThat(k8s.json().path("code").asInt()).isEqualTo(7);
    assertThat(k8s.json().path("msg").asText()).contains("datastore_type \"kubernetes\" is not supported");

    Run disabledPool = cni("ADD", "c-x", conf("1.0.0", ",\"ipv4_pools\":[\"10.77.0.0/16\"]"));
    assertThat(disabledPool.json().path("code").asInt()).isEqualTo(100);
    assertThat(disabledPool.json().path("msg").asText()).contains("pool '10.77.0.0/16' does not exist");

    // the tiny pool selects no node by its selector, but may be requested: then it runs out
    String tiny = conf("1.0.0", ",\"ipv4_pools\":[\"tiny\"]");
    for (int i = 0; i < 4; i++) {
      assertThat(cni("ADD", "c-tiny-" + i, tiny).code()).isZero();
    }
    Run full = cni("ADD", "c-tiny-4", tiny);
    assertThat(full.code()).isEqualTo(1);
    assertThat(full.json().path("code").asInt()).isEqualTo(100);
    assertThat(full.json().path("msg").asText()).contains("no free IPv4 address for node node-1 in IPPool tiny (10.89.0.0/30)");
    for (int i = 0; i < 4; i++) {
      assertThat(cni("DEL", "c-tiny-" + i, tiny).code()).isZero();
    }

    Run down = cni("ADD", "c-x", conf("1.0.0", "").replace(etcd.endpoint(), "http://127.0.0.1:1"),
        Map.of("ETCD_TIMEOUT", "2s"));
    assertThat(down.code()).isEqualTo(1);
    assertThat(down.json().path("code").asInt()).isEqualTo(11);
    assertThat(down.json().path("msg").asText()).contains("etcd at http://127.0.0.1:1 is unreachable");
  }

  @Test
  void parallelAddsOnOneNodeGetDistinctAddresses() throws Exception {
    String conf = conf("1.0.0", "");
    List<CompletableFuture<Run>> runs = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      String id = "c-par-" + i;
      runs.add(CompletableFuture.supplyAsync(() -> {
        try {
          return cni("ADD", id, conf);
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }));
    }
    Set<String> ips = new HashSet<>();
    Map<String, String> byContainer = new HashMap<>();
    for (int i = 0; i < runs.size(); i++) {
      Run r = runs.get(i).get(120, TimeUnit.SECONDS);
      assertThat(r.code()).as(r.out() + r.err()).isZero();
      String a = r.json().path("ips").get(0).path("address").asText();
      assertThat(ips.add(a)).as("%s given twice", a).isTrue();
      byContainer.put("c-par-" + i, a);
    }
    for (String c : byContainer.keySet()) {
      assertThat(cni("DEL", c, conf).code()).isZero();
    }
  }
}
