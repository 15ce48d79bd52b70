package org.calicoledger.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.calicoledger.model.ClusterInformation;
import org.calicoledger.model.IPPool;
import org.calicoledger.model.InvalidResourceException;
import org.calicoledger.model.Kind;
import org.calicoledger.model.Node;
import org.calicoledger.model.ObjectMeta;
import org.calicoledger.model.Profile;
import org.calicoledger.model.Resource;
import org.calicoledger.model.ResourceCodec;
import org.calicoledger.model.WorkloadEndpoint;
import org.calicoledger.store.testing.EtcdExtension;
import org.calicoledger.store.testing.EtcdProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The store against a real etcd: CRUD semantics, compare-and-swap, audit, pool overlap, key layout. */
class EtcdStoreIT {
  @RegisterExtension
  static final EtcdExtension ETCD = new EtcdExtension();
  private static final Audit AUDIT = new Audit("tester@it", "integration test");



  private static IPPool pool(String name, String cidr) {
    return IPPool.of(name, IPPool.Spec.of(cidr));
  }

  @Test
  void createSetsIdentityDefaultsAndRevisionAndStoresCalicoLayout() {
    IPPool created = ETCD.store().create(pool("crud-a", "10.10.0.0/16"), AUDIT);
    assertThat(created.metadata().uid()).hasSize(36);
    assertThat(created.metadata().creationTimestamp()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
    assertThat(created.spec().blockSize()).isEqualTo(26);
    assertThat(created.spec().nodeSelector()).isEqualTo("all()");

    KeyValue raw = ETCD.store().getKey("/calico/resources/v3/projectcalico.org/ippools/crud-a").orElseThrow();
    assertThat(raw.modRevision()).isEqualTo(created.metadata().revision());
    assertThat(raw.text()).startsWith("{\"kind\":\"IPPool\",\"apiVersion\":\"projectcalico.org/v3\",\"metadata\":{\"name\":\"crud-a\"")
        .doesNotContain("resourceVersion")
        .contains("\"cidr\":\"10.10.0.0/16\",\"vxlanMode\":\"Never\",\"ipipMode\":\"Never\",\"blockSize\":26");
    assertThat(ETCD.store().get(ResourceKey.of(Kind.IP_POOL, "crud-a"))).contains(created);
  }

  @Test
  void everyWriteRecordsItsAuditInTheSameRevision() {
    IPPool created = ETCD.store().create(pool("audited", "10.11.0.0/16"), AUDIT);
    KeyValue audit = ETCD.store().getKey(Keys.audit("tester@it")).orElseThrow();
    assertThat(audit.modRevision()).isEqualTo(created.metadata().revision());
    assertThat(audit.text()).contains("\"actor\":\"tester@it\"", "\"reason\":\"integration test\"",
        "/calico/resources/v3/projectcalico.org/ippools/audited");
  }

  @Test
  void updateKeepsIdentityAndRefusesStaleVersions() {
    IPPool created = ETCD.store().create(pool("cas", "10.12.0.0/16"), AUDIT);
    IPPool nat = ETCD.store().update(created.withSpec(created.spec().withNatOutgoing(true)), AUDIT);
    assertThat(nat.metadata().uid()).isEqualTo(created.metadata().uid());
    assertThat(nat.metadata().creationTimestamp()).isEqualTo(created.metadata().creationTimestamp());
    assertThat(nat.metadata().revision()).isGreaterThan(created.metadata().revision());

    // a writer still holding the first version loses, and nothing changes
    assertThatThrownBy(() -> ETCD.store().update(created.withSpec(created.spec().withDisabled(true)), AUDIT))
        .isInstanceOf(StoreException.Conflict.class)
        .hasMessageContaining("update conflict: IPPool(cas)")
        .hasMessageContaining("resourceVersion " + created.metadata().revision() + " is out of date");
    assertThat(((IPPool) ETCD.store().get(ResourceKey.of(Kind.IP_POOL, "cas")).orElseThrow()).spec().disabled()).isFalse();

    assertThatThrownBy(() -> ETCD.store().delete(ResourceKey.of(Kind.IP_POOL, "cas"), created.metadata().revision(), AUDIT))
        .isInstanceOf(StoreException.Conflict.class);
    assertThatThrownBy(() -> ETCD.store().create(pool("cas", "10.12.0.0/16"), AUDIT))
        .isInstanceOf(StoreException.AlreadyExists.class).hasMessage("resource already exists: IPPool(cas)");
    Resource deleted = ETCD.store().delete(ResourceKey.of(Kind.IP_POOL, "cas"), nat.metadata().revision(), AUDIT);
    assertThat(deleted.name()).isEqualTo("cas");
    assertThatThrownBy(() -> ETCD.store().delete(ResourceKey.of(Kind.IP_POOL, "cas"), 0, AUDIT))
        .isInstanceOf(StoreException.NotFound.class).hasMessage("resource does not exist: IPPool(cas)");
    assertThatThrownBy(() -> ETCD.store().update(nat, AUDIT)).isInstanceOf(StoreException.NotFound.class);
  }

  @Test
  void concurrentCasUpdatesFromTheSameVersionHaveExactlyOneWinner() throws Exception {
    Node node = ETCD.store().create(new Node(ObjectMeta.named("race-node"), null, null), AUDIT);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<Boolean>> results = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        String addr = "10.0.0." + (i + 1) + "/24";
        results.add(pool.submit(() -> {
          try {
            ETCD.store().update(new Node(node.metadata(), new Node.Spec(new Node.BGP(null, addr, null, null, null),
                null, null, null, null, null, null, null, null), null), AUDIT);
            return true;
          } catch (StoreException.Conflict lost) {
            return false;
          }
        }));
      }
      int wins = 0;
      for (Future<Boolean> f : results) {
        wins += f.get() ? 1 : 0;
      }
      assertThat(wins).isEqualTo(1);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void versionedUpdatesKeepTheStoredIdentityEvenIfTheInputEditedIt() {
    Node created = ETCD.store().create(new Node(ObjectMeta.named("identity-node"), null, null), AUDIT);
    // the input claims another uid and creation time; the stored ones win, with or without a prior read
    ObjectMeta forged = created.metadata().withIdentity("00000000-0000-0000-0000-000000000000", "1999-01-01T00:00:00Z");
    Node first = ETCD.store().update(new Node(forged, null, null), AUDIT);
    assertThat(first.metadata().uid()).isEqualTo(created.metadata().uid());
    assertThat(first.metadata().creationTimestamp()).isEqualTo(created.metadata().creationTimestamp());
    try (EtcdStore other = EtcdStore.connect(ETCD.etcd().config())) { // a process that never saw the node
      Node second = other.update(new Node(first.metadata().withIdentity("x", "y"), null, null), AUDIT);
      assertThat(second.metadata().uid()).isEqualTo(created.metadata().uid());
      assertThat(other.get(ResourceKey.of(Kind.NODE, "identity-node")).orElseThrow().metadata().uid())
          .isEqualTo(created.metadata().uid());
    }
    assertThatThrownBy(() -> ETCD.store().update(first, AUDIT)).isInstanceOf(StoreException.Conflict.class);
  }

  @Test
  void unversionedUpdateReplacesLatestAndApplyCreatesOrUpdates() {
    Node applied = ETCD.store().apply(new Node(ObjectMeta.named("apply-node"), null, null), AUDIT);
    Node again = ETCD.store().apply(new Node(ObjectMeta.named("apply-node"), new Node.Spec(new Node.BGP(null, "10.1.0.1/24",
        null, null, null), null, null, null, null, null, null, null, null), null), AUDIT);
    assertThat(again.metadata().uid()).isEqualTo(applied.metadata().uid());
    assertThat(again.spec().bgp().ipv4Address()).isEqualTo("10.1.0.1/24");
    assertThatThrownBy(() -> ETCD.store().apply(applied, AUDIT)).isInstanceOf(StoreException.Conflict.class);
  }

  @Test
  void overlappingPoolsAreRefusedEvenWhenCreatedConcurrently() throws Exception {
    ETCD.store().create(pool("base", "10.20.0.0/16"), AUDIT);
    assertThatThrownBy(() -> ETCD.store().create(pool("inside", "10.20.64.0/18"), AUDIT))
        .isInstanceOf(InvalidResourceException.class)
        .hasMessageContaining("spec.cidr")
        .hasMessageContaining("overlaps IPPool(base) 10.20.0.0/16");

    ExecutorService threads = Executors.newFixedThreadPool(8);
    try {
      List<Callable<Boolean>> racers = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        String name = "racer-" + i;
        // racer-0 takes the whole /16; the others take /21s inside it, which overlap it but not each other
        String cidr = i == 0 ? "10.21.0.0/16" : "10.21." + (i * 8) + ".0/21";
        racers.add(() -> {
          try {
            ETCD.store().create(pool(name, cidr), AUDIT);
            return true;
          } catch (InvalidResourceException overlap) {
            return false;
          }
        });
      }
      long created = threads.invokeAll(racers).stream().filter(f -> {
        try {
          return f.get();
        } catch (Exception e) {
          throw new AssertionError(e);
        }
      }).count();
      List<IPPool> pools = ETCD.store().list(IPPool.class).items().stream().filter(p -> p.name().startsWith("racer-")).toList();
      assertThat(pools).hasSize((int) created);
      for (IPPool p : pools) {
        assertThat(org.calicoledger.model.Validation.overlapping(p, pools)).as("%s overlaps", p.name()).isEmpty();
      }
    } finally {
      threads.shutdownNow();
    }
  }

  @Test
  void poolCidrAndBlockSizeCannotChange() {
    IPPool p = ETCD.store().create(pool("fixed", "10.30.0.0/16"), AUDIT);
    IPPool moved = p.withSpec(new IPPool.Spec("10.31.0.0/16", null, null, false, false, false, 26, null, null, null, null));
    assertThatThrownBy(() -> ETCD.store().update(moved, AUDIT))
        .isInstanceOf(InvalidResourceException.class).hasMessageContaining("IPPool CIDR cannot be modified");
    assertThatThrownBy(() -> ETCD.store().update(p.withSpec(p.spec().withBlockSize(24)), AUDIT))
        .hasMessageContaining("blockSize cannot be modified");
  }

  @Test
  void invalidResourcesWriteNothing() {
    long before = ETCD.store().revision();
    assertThatThrownBy(() -> ETCD.store().create(pool("bad", "10.40.0.1/16"), AUDIT))
        .isInstanceOf(InvalidResourceException.class).hasMessageContaining("not strictly masked");
    assertThat(ETCD.store().revision()).isEqualTo(before);
    assertThat(ETCD.store().getKey("/calico/resources/v3/projectcalico.org/ippools/bad")).isEmpty();
  }

  @Test
  void namespacedKeysAndListsByNamespace() {
    WorkloadEndpoint.Spec s = new WorkloadEndpoint.Spec("k8s", null, "n1", null, "web", "eth0", null,
        List.of("10.50.0.1/32"), null, null, null, null, "cali0123456789a", null, null, null, null);
    ETCD.store().create(new WorkloadEndpoint(ObjectMeta.named("prod", "n1-k8s-web-eth0"), s), AUDIT);
    ETCD.store().create(new WorkloadEndpoint(ObjectMeta.named("n1-k8s-web-eth0"), s), AUDIT);
    assertThat(ETCD.store().getKey("/calico/resources/v3/projectcalico.org/workloadendpoints/prod/n1-k8s-web-eth0")).isPresent();
    assertThat(ETCD.store().getKey("/calico/resources/v3/projectcalico.org/workloadendpoints/default/n1-k8s-web-eth0")).isPresent();
    assertThat(ETCD.store().list(Kind.WORKLOAD_ENDPOINT, "prod").items()).extracting(Resource::namespace).containsExactly("prod");
    assertThat(ETCD.store().list(Kind.WORKLOAD_ENDPOINT, null).items()).hasSize(2);
  }

  @Test
  void builtInProfileIsListedButCannotBeChanged() {
    assertThat(ETCD.store().list(Kind.PROFILE, null).items()).extracting(Resource::name).contains(Profile.DEFAULT_ALLOW);
    assertThatThrownBy(() -> ETCD.store().delete(ResourceKey.of(Kind.PROFILE, Profile.DEFAULT_ALLOW), 0, AUDIT))
        .hasMessageContaining("cannot be deleted");
  }

  @Test
  void ensureInitializedWritesClusterInformationOnce() {
    ETCD.store().ensureInitialized("v0.1.0", "ledger");
    ClusterInformation ci = (ClusterInformation) ETCD.store().get(ResourceKey.of(Kind.CLUSTER_INFORMATION, "default")).orElseThrow();
    assertThat(ci.spec().clusterGUID()).matches("[0-9a-f]{32}");
    assertThat(ci.spec().datastoreReady()).isTrue();
    long rev = ci.metadata().revision();
    ETCD.store().ensureInitialized("v0.1.0", "ledger");
    assertThat(ETCD.store().get(ResourceKey.of(Kind.CLUSTER_INFORMATION, "default")).orElseThrow().metadata().revision()).isEqualTo(rev);
  }

  @Test
  void undecodableValuesAreSkippedInLists() {
    ETCD.store().txn(Txn.builder().put("/calico/resources/v3/projectcalico.org/hostendpoints/garbage", "not json").build(), AUDIT);
    assertThat(ETCD.store().list(Kind.HOST_ENDPOINT, null).items()).extracting(Resource::name).doesNotContain("garbage");
  }

  @Test
  void etcdRefusalsAreNotReportedAsUnreachable() {
    assertThatThrownBy(() -> ETCD.store().txn(Txn.builder().put("/calico/dup", "1").put("/calico/dup", "2").build(), AUDIT))
        .isInstanceOf(StoreException.class)
        .isNotInstanceOf(StoreException.Unavailable.class)
        .hasMessageContaining("etcd refused the request")
        .hasMessageContaining("duplicate key");
  }

  @Test
  void rangeReadsBigPrefixesInPagesAtOneRevision() {
    int n = EtcdStore.PAGE * 2 + 17;
    for (int i = 0; i < n; i += 100) {
      Txn.Builder t = Txn.builder();
      for (int j = i; j < Math.min(n, i + 100); j++) {
        t.put(String.format("/calico/paging/k%05d", j), "v" + j);
      }
      ETCD.store().txn(t.build(), AUDIT);
    }
    Store.Range r = ETCD.store().range("/calico/paging/");
    assertThat(r.kvs()).hasSize(n);
    assertThat(r.kvs().get(n - 1).key()).isEqualTo(String.format("/calico/paging/k%05d", n - 1));
    assertThat(r.kvs()).extracting(KeyValue::key).isSorted().doesNotHaveDuplicates();
    assertThat(ETCD.store().range("/calico/pagin").kvs()).hasSize(n); // a prefix, not a directory
  }

  @Test
  void unreachableEtcdFailsWithinTheTimeoutNamingTheEndpoint() throws Exception {
    int port = EtcdProcess.freePort();
    StoreConfig dead = StoreConfig.local("http://127.0.0.1:" + port).withTimeout(Duration.ofSeconds(2));
    try (EtcdStore s = EtcdStore.connect(dead)) {
      long t0 = System.nanoTime();
      assertThatThrownBy(() -> s.list(Kind.IP_POOL, null))
          .isInstanceOf(StoreException.Unavailable.class)
          .hasMessageContaining("etcd at http://127.0.0.1:" + port + " is unreachable")
          .hasMessageContaining("ETCD_ENDPOINTS");
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(6));
      assertThatThrownBy(() -> s.create(pool("never", "10.60.0.0/16"), AUDIT))
          .isInstanceOf(StoreException.Unavailable.class);
    }
  }

  @Test
  void storedJsonRoundTripsThroughTheCodec() {
    IPPool created = ETCD.store().create(pool("json-rt", "fd00:70::/64"), AUDIT);
    KeyValue raw = ETCD.store().getKey("/calico/resources/v3/projectcalico.org/ippools/json-rt").orElseThrow();
    Resource decoded = ResourceCodec.decodeStored(raw.value(), raw.modRevision());
    assertThat(decoded).isEqualTo(created);
    assertThat(new String(ResourceCodec.encodeStored(decoded), StandardCharsets.UTF_8)).isEqualTo(raw.text());
    assertThat(created.spec().blockSize()).isEqualTo(122);
  }
}
