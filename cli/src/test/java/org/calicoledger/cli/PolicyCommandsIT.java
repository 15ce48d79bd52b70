package org.calicoledger.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.calicoledger.model.Kind;
import org.calicoledger.model.Resource;
import org.calicoledger.store.Audit;
import org.calicoledger.store.Keys;
import org.calicoledger.store.ResourceKey;
import org.calicoledger.store.Store;
import org.calicoledger.store.testing.EtcdExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code calicoctl label} and {@code get} of the policy kinds, in-process against a real etcd: Calico's messages and
 * exit codes, what reaches etcd, and that a refused label writes nothing.
 */
class PolicyCommandsIT {
  @RegisterExtension
  static final EtcdExtension ETCD = new EtcdExtension();

  @TempDir
  Path dir;

  static CalicoctlRun run(String... args) {
    return CalicoctlRun.of(Map.of("ETCD_ENDPOINTS", ETCD.etcd().endpoint(), "CALICO_ACTOR", "bob@ops"), args);
  }

  private void apply(String yaml) throws IOException {
    Path p = Files.createTempFile(dir, "r", ".yaml");
    Files.writeString(p, yaml);
    CalicoctlRun r = run("apply", "-f", p.toString());
    assertThat(r.code()).as(r.err()).isZero();
  }

  private static String doc(String kind, String name, String namespace, String spec) {
    return "---\napiVersion: projectcalico.org/v3\nkind: " + kind + "\nmetadata:\n  name: " + name + "\n"
        + (namespace == null ? "" : "  namespace: " + namespace + "\n") + "spec:\n" + spec;
  }

  private static final String WEP = "n1-k8s-cart--0-eth0";

  private static String wep(String ns) {
    return doc("WorkloadEndpoint", WEP, ns, "  node: n1\n  orchestrator: k8s\n  pod: cart-0\n  endpoint: eth0\n"
        + "  interfaceName: cali0123456789a\n  ipNetworks: [10.120.0.1/32]\n");
  }

  private static Map<String, String> labels(Kind kind, String namespace, String name) {
    return ETCD.store().get(new ResourceKey(kind, namespace, name)).orElseThrow().metadata().labels();
  }

  @Test
  void labelSetsUpdatesAndRemovesWithCalicosMessages() throws IOException {
    apply(wep("shop"));
    CalicoctlRun set = run("label", "workloadendpoints", WEP, "app=web", "-n", "shop", "--reason", "ticket 7");
    assertThat(set.code()).as(set.err()).isZero();
    assertThat(set.out()).isEqualTo("Successfully set label app on workloadendpoints " + WEP + "\n");
    assertThat(labels(Kind.WORKLOAD_ENDPOINT, "shop", WEP)).containsEntry("app", "web");
    String audit = ETCD.store().getKey(Keys.audit("bob@ops")).orElseThrow().text();
    assertThat(audit).contains("\"actor\":\"bob@ops\"", "\"reason\":\"ticket 7\"", WEP);

    long before = ETCD.store().revision();
    CalicoctlRun clash = run("label", "wep", WEP, "app=db", "--namespace", "shop");
    assertThat(clash.code()).isEqualTo(1);
    assertThat(clash.out()).isEmpty();
    assertThat(clash.err()).isEqualTo("failed to update label of wep " + WEP + ", key app is already present."
        + " please use '--overwrite' to set a new value. (its value is 'web')\n");
    assertThat(ETCD.store().revision()).as("a refused label writes nothing").isEqualTo(before);

    CalicoctlRun same = run("label", "wep", WEP, "app=web", "-n", "shop");
    assertThat(same.out()).isEqualTo("Successfully updated label app on wep " + WEP + "\n");
    assertThat(ETCD.store().revision()).as("setting the value a key has writes it again, as Calico's calicoctl does")
        .isGreaterThan(before);

    CalicoctlRun over = run("label", "wep", WEP, "app=db", "-n", "shop", "--overwrite");
    assertThat(over.out()).isEqualTo("Successfully updated label app on wep " + WEP + "\n");
    assertThat(labels(Kind.WORKLOAD_ENDPOINT, "shop", WEP)).containsEntry("app", "db");

    CalicoctlRun removed = run("label", "wep", WEP, "app", "--remove", "-n", "shop");
    assertThat(removed.out()).isEqualTo("Successfully removed label app from wep " + WEP + "\n");
    assertThat(labels(Kind.WORKLOAD_ENDPOINT, "shop", WEP)).doesNotContainKey("app");

    long afterRemove = ETCD.store().revision();
    CalicoctlRun missingKey = run("label", "wep", WEP, "app", "--remove", "-n", "shop");
    assertThat(missingKey.code()).isEqualTo(1);
    assertThat(missingKey.err()).isEqualTo("cannot remove label of wep " + WEP + ", key app does not exist\n");
    assertThat(ETCD.store().revision()).isEqualTo(afterRemove);

    // without -n the default namespace is meant, where this endpoint is not
    CalicoctlRun elsewhere = run("label", "wep", WEP, "app=web");
    assertThat(elsewhere.code()).isEqualTo(1);
    assertThat(elsewhere.err()).startsWith("failed to get wep " + WEP + ", error resource does not exist: ")
        .contains("default/" + WEP);
    assertThat(ETCD.store().revision()).isEqualTo(afterRemove);
  }

  @Test
  void labelWorksOnEveryKindWithLabels() throws IOException {
    apply(doc("GlobalNetworkPolicy", "lbl-gnp", null, "  selector: all()\n")
        + doc("NetworkPolicy", "lbl-np", "shop", "  selector: all()\n")
        + doc("GlobalNetworkSet", "lbl-gns", null, "  nets: [198.51.100.0/24]\n")
        + doc("NetworkSet", "lbl-ns", "shop", "  nets: [203.0.113.0/24]\n")
        + doc("Node", "lbl-node", null, "  bgp:\n    ipv4Address: 10.121.0.1/24\n")
        + doc("HostEndpoint", "lbl-hep", null, "  node: lbl-node\n  interfaceName: eth0\n")
        + doc("Profile", "lbl-profile", null, "  ingress:\n  - action: Allow\n")
        + doc("IPPool", "lbl-pool", null, "  cidr: 10.122.0.0/16\n"));
    record Case(Kind kind, String typed, String namespace, String name) {}
    for (Case c : new Case[] {
        new Case(Kind.GLOBAL_NETWORK_POLICY, "globalnetworkpolicy", null, "lbl-gnp"),
        new Case(Kind.NETWORK_POLICY, "networkpolicies", "shop", "lbl-np"),
        new Case(Kind.GLOBAL_NETWORK_SET, "gns", null, "lbl-gns"),
        new Case(Kind.NETWORK_SET, "NetworkSet", "shop", "lbl-ns"),
        new Case(Kind.NODE, "nodes", null, "lbl-node"),
        new Case(Kind.HOST_ENDPOINT, "hep", null, "lbl-hep"),
        new Case(Kind.PROFILE, "profile", null, "lbl-profile"),
        new Case(Kind.IP_POOL, "ippools", null, "lbl-pool")}) {
      CalicoctlRun r = c.namespace() == null ? run("label", c.typed(), c.name(), "team=blue")
          : run("label", c.typed(), c.name(), "team=blue", "-n", c.namespace());
      assertThat(r.code()).as("%s: %s", c, r.err()).isZero();
      assertThat(r.out()).isEqualTo("Successfully set label team on " + c.typed() + " " + c.name() + "\n");
      assertThat(labels(c.kind(), c.namespace(), c.name())).as("%s", c).containsEntry("team", "blue");
    }
    assertThat(run("label", "gnp", "lbl-gnp", "team=x", "-n", "shop").err())
        .contains("GlobalNetworkPolicy is not namespaced");
  }

  @Test
  void badLabelsAndOptionsAreRefusedAndWriteNothing() throws IOException {
    apply(doc("GlobalNetworkSet", "bad-gns", null, "  nets: [198.51.100.0/24]\n"));
    long before = ETCD.store().revision();
    CalicoctlRun badKey = run("label", "gns", "bad-gns", "no spaces=allowed");
    assertThat(badKey.code()).isEqualTo(1);
    assertThat(badKey.err()).startsWith("failed to update gns bad-gns, label not changed: ")
        .contains("metadata.labels.no spaces", "qualified name");
    CalicoctlRun badValue = run("label", "gns", "bad-gns", "k=-starts-with-dash");
    assertThat(badValue.err()).contains("metadata.labels.k", "'-starts-with-dash'", "label value");
    assertThat(run("label", "gns", "bad-gns", "novalue").err()).startsWith("invalid label novalue");
    assertThat(run("label", "gns", "bad-gns", "a=b=c").err()).startsWith("invalid label a=b=c");
    assertThat(run("label", "gns", "bad-gns", "k=v", "--overwrite", "--remove").err())
        .contains("--overwrite and --remove cannot be used together");
    assertThat(run("label", "clusterinformation", "default", "k=v").err()).contains("managed by calico-node");
    assertThat(run("label", "widgets", "w", "k=v").err()).contains("resource type 'widgets' is not supported");
    assertThat(run("label", "gns", "bad-gns").code()).as("a label is required").isEqualTo(1);
    assertThat(ETCD.store().revision()).isEqualTo(before);
  }

  /**
   * Another writer changes the resource between label's read and its write: the compare-and-swap fails, label reads
   * again and writes its change on top, so neither change is lost.
   */
  @Test
  void labelRetriesWhenSomeoneWritesInBetween() throws IOException {
    apply(doc("GlobalNetworkPolicy", "race-gnp", null, "  selector: all()\n"));
    ResourceKey key = ResourceKey.of(Kind.GLOBAL_NETWORK_POLICY, "race-gnp");
    Store real = ETCD.store();
    AtomicInteger reads = new AtomicInteger();
    Store racing = (Store) Proxy.newProxyInstance(Store.class.getClassLoader(), new Class<?>[] {Store.class},
        (proxy, method, args) -> {
          if (method.getName().equals("close")) {
            return null; // the extension's store outlives this run
          }
          Object result;
          try {
            result = method.invoke(real, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
          if (method.getName().equals("get") && reads.incrementAndGet() == 1) {
            Resource r = real.get(key).orElseThrow();
            real.update(r.withMetadata(r.metadata().withLabels(Map.of("other", "writer"))),
                new Audit("someone-else", "racing"));
          }
          return result;
        });
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Calicoctl.run(new String[] {"label", "gnp", "race-gnp", "mine=yes"},
        Map.of("ETCD_ENDPOINTS", ETCD.etcd().endpoint()), new PrintWriter(out), new PrintWriter(err), () -> racing);
    assertThat(code).as(err.toString()).isZero();
    assertThat(out.toString()).isEqualTo("Successfully set label mine on gnp race-gnp\n");
    assertThat(reads.get()).as("read again after the conflict").isEqualTo(2);
    assertThat(labels(Kind.GLOBAL_NETWORK_POLICY, null, "race-gnp"))
        .containsExactlyInAnyOrderEntriesOf(Map.of("other", "writer", "mine", "yes"));
  }

  @Test
  void getPrintsPolicyKindsAndHonoursNamespaces() throws IOException {
    apply(doc("GlobalNetworkPolicy", "get-gnp", null, "  order: 100\n  selector: app == 'web'\n  ingress:\n"
            + "  - action: Allow\n    protocol: TCP\n    source:\n      selector: role == 'frontend'\n"
            + "    destination:\n      ports: [80, '8080:8090']\n")
        + doc("NetworkPolicy", "get-np", "default", "  order: 100.5\n  selector: all()\n")
        + doc("NetworkPolicy", "get-np-shop", "shop", "  selector: has(app)\n")
        + doc("GlobalNetworkSet", "get-gns", null, "  nets: [198.51.100.0/24, '2001:db8::/32']\n")
        + doc("NetworkSet", "get-ns-shop", "shop", "  nets: [203.0.113.0/24]\n"));

    assertThat(run("get", "gnp", "get-gnp").out()).isEqualTo("NAME      \nget-gnp   \n\n");
    assertThat(run("get", "globalnetworkpolicies", "get-gnp", "-o", "wide").out())
        .contains("ORDER", "SELECTOR", "100 ", "app == 'web'").doesNotContain("100.0");
    String yaml = run("get", "gnp", "get-gnp", "-o", "yaml").out();
    assertThat(yaml).startsWith("apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\n")
        .contains("  order: 100\n", "  types:\n  - Ingress\n", "    - 8080:8090\n");
    assertThat(run("get", "gnp", "-o", "json").out()).contains("\"kind\": \"GlobalNetworkPolicyList\"",
        "\"order\": 100,");
    assertThat(run("get", "gns", "get-gns", "-o", "wide").out()).contains("198.51.100.0/24,2001:db8::/32");

    // NetworkPolicy and NetworkSet: the default namespace, -n, and -A with the NAMESPACE column, as for endpoints
    String defaults = run("get", "networkpolicies").out();
    assertThat(defaults).startsWith("NAME").contains("get-np ").doesNotContain("get-np-shop");
    assertThat(run("get", "np", "-n", "shop").out()).startsWith("NAMESPACE   NAME")
        .contains("shop        get-np-shop").doesNotContain("get-np ");
    assertThat(run("get", "np", "-A").out()).contains("default     get-np ", "shop        get-np-shop");
    assertThat(run("get", "np", "get-np", "-o", "yaml").out()).contains("  namespace: default\n",
        "  order: 100.5\n");
    assertThat(run("get", "netsets").out()).doesNotContain("get-ns-shop");
    assertThat(run("get", "netsets", "-n", "shop", "-o", "wide").out()).contains("get-ns-shop", "203.0.113.0/24");
    assertThat(run("get", "networksets", "-A", "-o", "yaml").out()).contains("kind: NetworkSetList",
        "namespace: shop");
    assertThat(run("get", "gnp", "-A").err()).contains("GlobalNetworkPolicy is not namespaced");
  }

  @Test
  void applyRefusesPoliciesThisProjectWouldNotEnforce() throws IOException {
    long before = ETCD.store().revision();
    Path p = dir.resolve("untracked.yaml");
    Files.writeString(p, doc("GlobalNetworkPolicy", "untracked", null, "  selector: all()\n  doNotTrack: true\n"
        + "  applyOnForward: true\n  ingress:\n  - action: Allow\n    protocol: TCP\n    destination:\n"
        + "      ports: [http]\n"));
    CalicoctlRun r = run("apply", "-f", p.toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("spec.doNotTrack", "not enforced by this project",
        "spec.ingress[0].destination.ports[0]", "named ports are not supported yet", "Nothing was written");
    assertThat(ETCD.store().revision()).isEqualTo(before);
  }
}
