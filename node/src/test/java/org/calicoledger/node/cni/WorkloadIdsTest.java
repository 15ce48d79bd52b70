package org.calicoledger.node.cni;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.calicoledger.cni.CniException;
import org.junit.jupiter.api.Test;

class WorkloadIdsTest {
  static Map<String, String> env(String container, String ifName, String args) {
    Map<String, String> env = new HashMap<>();
    env.put("CNI_CONTAINERID", container);
    env.put("CNI_IFNAME", ifName);
    if (args != null) {
      env.put("CNI_ARGS", args);
    }
    return env;
  }

  @Test
  void kubernetesPodsAreNamedAfterNamespaceAndPod() {
    WorkloadIds ids = WorkloadIds.of(env("3f2a9c", "eth0",
        "IgnoreUnknown=1;K8S_POD_NAMESPACE=shop;K8S_POD_NAME=cart-0;K8S_POD_INFRA_CONTAINER_ID=3f2a9c"), "node-1",
        "k8s-pod-network");
    assertThat(ids.kubernetes()).isTrue();
    assertThat(ids.endpointName()).isEqualTo("node--1-k8s-cart--0-eth0");
    assertThat(ids.hostInterface("cali")).isEqualTo("cali18582a65b10"); // echo -n shop.cart-0 | sha1sum
    assertThat(ids.handle()).isEqualTo("k8s-pod-network.3f2a9c");
    assertThat(ids.profiles()).isEqualTo(List.of("kns.shop"));
    assertThat(ids.labels()).containsOnly(Map.entry("projectcalico.org/namespace", "shop"),
        Map.entry("projectcalico.org/orchestrator", "k8s"), Map.entry("calicoledger.org/pod", "cart-0"));
  }

  @Test
  void thePodNameIsOurLabelWhenCniArgsHaveOne() {
    // plain CNI with a pod name but no namespace: not Kubernetes, but the pod name still labels the endpoint
    WorkloadIds cni = WorkloadIds.of(env("c1", "eth0", "K8S_POD_NAME=batch-7"), "n", "net");
    assertThat(cni.kubernetes()).isFalse();
    assertThat(cni.labels()).containsEntry(WorkloadIds.LABEL_POD, "batch-7");
    assertThat(WorkloadIds.of(env("c1", "eth0", null), "n", "net").labels()).doesNotContainKey(WorkloadIds.LABEL_POD);
    assertThat(WorkloadIds.of(env("c1", "eth0", "K8S_POD_NAMESPACE=a;K8S_POD_NAME="), "n", "net").labels())
        .doesNotContainKey(WorkloadIds.LABEL_POD);
    // a pod name longer than a label value may be (63) is left out rather than making the endpoint invalid
    String longName = "p".repeat(64);
    assertThat(WorkloadIds.of(env("c1", "eth0", "K8S_POD_NAMESPACE=a;K8S_POD_NAME=" + longName), "n", "net")
        .labels()).doesNotContainKey(WorkloadIds.LABEL_POD).containsKey(WorkloadIds.LABEL_NAMESPACE);
    assertThat(WorkloadIds.of(env("c1", "eth0", "K8S_POD_NAMESPACE=a;K8S_POD_NAME=" + "p".repeat(63)), "n", "net")
        .labels()).containsEntry(WorkloadIds.LABEL_POD, "p".repeat(63));
  }

  @Test
  void aRepeatedAddKeepsLabelsSetSinceAndRestoresItsOwn() {
    WorkloadIds ids = WorkloadIds.of(env("3f2a9c", "eth0", "K8S_POD_NAMESPACE=shop;K8S_POD_NAME=cart-0"), "n", "net");
    // what the stored endpoint carries after `calicoctl label wep ... app=web` and a tampered namespace label
    Map<String, String> existing = Map.of("app", "web", "tier", "front", "projectcalico.org/namespace", "stale");
    assertThat(ids.labelsOver(existing)).containsOnly(Map.entry("app", "web"), Map.entry("tier", "front"),
        Map.entry("projectcalico.org/namespace", "shop"), Map.entry("projectcalico.org/orchestrator", "k8s"),
        Map.entry("calicoledger.org/pod", "cart-0"));
    assertThat(ids.labelsOver(Map.of())).isEqualTo(ids.labels());
  }

  @Test
  void theHostInterfaceIsCalicosSha1Prefix() {
    assertThat(WorkloadIds.sha1Hex("default.web-1")).startsWith("0761ccbeace");
    assertThat(WorkloadIds.sha1Hex("")).isEqualTo("da39a3ee5e6b4b0d3255bfef95601890afd80709");
  }

  @Test
  void plainCniContainersAreNamedAfterTheContainerId() {
    WorkloadIds ids = WorkloadIds.of(env("0123456789abcdef", "net1", null), "node-1", "mynet");
    assertThat(ids.kubernetes()).isFalse();
    assertThat(ids.namespace()).isEqualTo("default");
    assertThat(ids.endpointName()).isEqualTo("node--1-cni-0123456789abcdef-net1");
    assertThat(ids.hostInterface("cali")).isEqualTo("cali0123456789a").hasSize(15);
    assertThat(ids.profiles()).isEqualTo(List.of("mynet"));
    assertThat(ids.labels()).containsEntry("projectcalico.org/orchestrator", "cni");
    // a pod name without a namespace is not Kubernetes (Calico needs both)
    assertThat(WorkloadIds.of(env("c", "eth0", "K8S_POD_NAME=x"), "n", "net").kubernetes()).isFalse();
  }

  @Test
  void aLongerInterfacePrefixStillFitsTheKernelsLimit() {
    WorkloadIds ids = WorkloadIds.of(env("c", "eth0", "K8S_POD_NAMESPACE=a;K8S_POD_NAME=b"), "n", "net");
    assertThat(ids.hostInterface("longprefix")).hasSize(15).startsWith("longprefix");
  }

  @Test
  void missingOrInvalidVariablesAreCode4NamingThem() {
    assertThatThrownBy(() -> WorkloadIds.of(env("", "eth0", null), "n", "net")).isInstanceOf(CniException.class)
        .hasMessage("CNI_CONTAINERID is not set").extracting(e -> ((CniException) e).code()).isEqualTo(4);
    assertThatThrownBy(() -> WorkloadIds.of(env("bad/id", "eth0", null), "n", "net"))
        .hasMessage("CNI_CONTAINERID 'bad/id' is not a valid ID");
    assertThatThrownBy(() -> WorkloadIds.of(env("c", "", null), "n", "net")).hasMessage("CNI_IFNAME is not set");
    assertThatThrownBy(() -> WorkloadIds.of(env("c", "a-very-long-ifname0", null), "n", "net"))
        .hasMessage("CNI_IFNAME 'a-very-long-ifname0' is not an interface name");
    assertThatThrownBy(() -> WorkloadIds.of(env("c", "eth 0", null), "n", "net"))
        .extracting(e -> ((CniException) e).code()).isEqualTo(4);
  }
}
