package org.calicoledger.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.calicoledger.model.IPPool;
import org.calicoledger.model.Kind;
import org.calicoledger.store.Keys;
import org.calicoledger.store.ResourceKey;
import org.calicoledger.store.testing.EtcdExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** calicoctl commands in-process against a real etcd: messages, exit codes, and what reaches ETCD.etcd(). */
class CalicoctlIT {
  @RegisterExtension
  static final EtcdExtension ETCD = new EtcdExtension();

  @TempDir
  Path dir;




  static CalicoctlRun run(String... args) {
    return CalicoctlRun.of(Map.of("ETCD_ENDPOINTS", ETCD.etcd().endpoint(), "CALICO_ACTOR", "alice@laptop"), args);
  }

  Path file(String name, String text) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, text);
    return p;
  }

  static String pool(String name, String cidr, String extra) {
    return "apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata:\n  name: " + name + "\nspec:\n  cidr: " + cidr + "\n" + extra;
  }

  @Test
  void applyCreateReplaceDeleteSpeakLikeCalicoctl() throws IOException {
    Path two = file("two.yaml", pool("cli-a", "10.100.0.0/16", "") + "---\n" + pool("cli-b", "10.101.0.0/16", ""));
    CalicoctlRun applied = run("apply", "-f", two.toString(), "--reason", "initial pools");
    assertThat(applied.code()).isZero();
    assertThat(applied.out()).isEqualTo("Successfully applied 2 'IPPool' resource(s)\n");

    CalicoctlRun again = run("create", "-f", two.toString());
    assertThat(again.code()).isEqualTo(1);
    assertThat(again.err()).contains("Failed to create 'IPPool' resource: resource already exists: IPPool(cli-a)",
        "resource already exists: IPPool(cli-b)");
    assertThat(run("create", "-f", two.toString(), "--skip-exists").code()).isZero();

    CalicoctlRun replaced = run("replace", "-f", file("nat.yaml", pool("cli-a", "10.100.0.0/16", "  natOutgoing: true\n")).toString());
    assertThat(replaced.out()).isEqualTo("Successfully replaced 1 'IPPool' resource(s)\n");
    assertThat(((IPPool) ETCD.store().get(ResourceKey.of(Kind.IP_POOL, "cli-a")).orElseThrow()).spec().natOutgoing()).isTrue();
    assertThat(run("replace", "-f", file("ghost.yaml", pool("ghost", "10.102.0.0/16", "")).toString()).err())
        .contains("resource does not exist: IPPool(ghost)");

    CalicoctlRun deleted = run("delete", "ippool", "cli-a", "blah", "cli-b");
    assertThat(deleted.code()).isEqualTo(1);
    assertThat(deleted.out()).isEqualTo("Successfully deleted 2 'IPPool' resource(s)\n");
    assertThat(deleted.err()).isEqualTo("Failed to delete 'IPPool' resource: resource does not exist: IPPool(blah)\n");
    assertThat(run("delete", "ippools", "blah", "--skip-not-exists").code()).isZero();
  }

  @Test
  void writesRecordActorAndReason() throws IOException {
    run("apply", "-f", file("r.yaml", pool("cli-audit", "10.103.0.0/16", "")).toString(), "--reason", "ticket 42");
    String audit = ETCD.store().getKey(Keys.audit("alice@laptop")).orElseThrow().text();
    assertThat(audit).contains("\"actor\":\"alice@laptop\"", "\"reason\":\"ticket 42\"", "ippools/cli-audit");
  }

  @Test
  void getPrintsTablesYamlJsonAndLists() throws IOException {
    run("apply", "-f", file("g.yaml", pool("cli-get", "10.104.0.0/16", "  ipipMode: CrossSubnet\n  natOutgoing: true\n")).toString());
    CalicoctlRun ps = run("get", "ippool", "cli-get");
    assertThat(ps.out()).isEqualTo("NAME      CIDR            SELECTOR   \ncli-get   10.104.0.0/16   all()      \n\n");
    assertThat(run("get", "ipp", "cli-get", "-o", "wide").out()).contains("NAT", "IPIPMODE", "CrossSubnet", "true");
    CalicoctlRun yaml = run("get", "pools", "cli-get", "-o", "yaml");
    assertThat(yaml.out()).startsWith("apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata:\n  creationTimestamp: ")
        .contains("  natOutgoing: true\n", "  resourceVersion: \"");
    assertThat(run("get", "IPPool", "cli-get", "-o", "json").out()).startsWith("{\n  \"kind\": \"IPPool\",");
    CalicoctlRun list = run("get", "ippools", "-o", "yaml");
    assertThat(list.out()).contains("kind: IPPoolList\n", "items:\n- apiVersion: projectcalico.org/v3\n");
    CalicoctlRun missing = run("get", "ippool", "cli-get", "nope");
    assertThat(missing.code()).isEqualTo(1);
    assertThat(missing.out()).contains("cli-get");
    assertThat(missing.err()).isEqualTo("resource does not exist: IPPool(nope)\n");
    assertThat(run("get", "ippool", "-o", "custom-columns=NAME,NAT").out()).contains("NAME", "NAT").doesNotContain("CIDR");
    assertThat(run("get", "widget").err()).contains("resource type 'widget' is not supported");
  }

  @Test
  void badInputExitsOneNamesTheProblemAndWritesNothing() throws IOException {
    long before = ETCD.store().revision();
    CalicoctlRun malformed = run("apply", "-f", file("m.yaml", pool("m", "10.105.0.0/16", "  bad: [unclosed\n")).toString());
    assertThat(malformed.code()).isEqualTo(1);
    assertThat(malformed.err()).contains("Failed to execute command:", "m.yaml", "malformed YAML", "line");

    CalicoctlRun kind = run("apply", "-f", file("k.yaml", pool("k", "10.105.0.0/16", "").replace("kind: IPPool", "kind: IPPol")).toString());
    assertThat(kind.err()).contains("unknown kind 'IPPol'");

    CalicoctlRun field = run("apply", "-f", file("f.yaml", pool("f", "10.105.0.0/16", "  natOutgoin: true\n")).toString());
    assertThat(field.err()).contains("spec.natOutgoin", "unknown field", "natOutgoing");

    CalicoctlRun cidr = run("apply", "-f", file("c.yaml", pool("c", "10.105.0.0/33", "")).toString());
    assertThat(cidr.err()).contains("spec.cidr", "10.105.0.0/33");

    // one good document next to a bad one: nothing at all is written
    CalicoctlRun mixed = run("apply", "-f", file("mixed.yaml", pool("good", "10.106.0.0/16", "") + "---\n" + pool("bad", "300.0.0.0/8", "")).toString());
    assertThat(mixed.code()).isEqualTo(1);
    assertThat(mixed.err()).contains("Nothing was written");
    assertThat(ETCD.store().revision()).isEqualTo(before);
    assertThat(ETCD.store().get(ResourceKey.of(Kind.IP_POOL, "good"))).isEmpty();
  }

  @Test
  void staleResourceVersionIsAConflictAndChangesNothing() throws IOException {
    run("apply", "-f", file("s.yaml", pool("cli-stale", "10.107.0.0/16", "")).toString());
    String yaml = run("get", "ippool", "cli-stale", "-o", "yaml").out();
    run("patch", "ippool", "cli-stale", "-p", "{\"spec\":{\"natOutgoing\":true}}");
    long before = ETCD.store().revision();
    CalicoctlRun stale = run("apply", "-f", file("old.yaml", yaml.replace("vxlanMode: Never", "vxlanMode: Always")).toString());
    assertThat(stale.code()).isEqualTo(1);
    assertThat(stale.err()).contains("Failed to apply 'IPPool' resource: update conflict: IPPool(cli-stale)", "out of date");
    assertThat(ETCD.store().revision()).isEqualTo(before);
  }

  @Test
  void patchMergesAndReports() throws IOException {
    run("apply", "-f", file("p.yaml", pool("cli-patch", "10.108.0.0/16", "  natOutgoing: true\n")).toString());
    CalicoctlRun ok = run("patch", "ippool", "cli-patch", "-p", "{\"spec\":{\"natOutgoing\":false}}", "--reason", "no NAT");
    assertThat(ok.out()).isEqualTo("Successfully patched 1 'IPPool' resource\n");
    IPPool p = (IPPool) ETCD.store().get(ResourceKey.of(Kind.IP_POOL, "cli-patch")).orElseThrow();
    assertThat(p.spec().natOutgoing()).isFalse();
    assertThat(p.spec().cidr()).isEqualTo("10.108.0.0/16");
    CalicoctlRun bad = run("patch", "ippool", "cli-patch", "-p", "{\"spec\":{\"cidr\":\"10.108.0.1/16\"}}");
    assertThat(bad.code()).isEqualTo(1);
    assertThat(bad.err()).startsWith("Hit error: ").contains("spec.cidr");
    assertThat(run("patch", "ippool", "cli-patch", "-p", "{not json").err()).contains("not valid JSON");
  }

  @Test
  void namespacedKindsUseDefaultNamespaceAndFlags() throws IOException {
    String wep = "apiVersion: projectcalico.org/v3\nkind: WorkloadEndpoint\nmetadata:\n  name: n1-k8s-web-eth0\nspec:\n"
        + "  node: n1\n  orchestrator: k8s\n  pod: web\n  endpoint: eth0\n  interfaceName: cali0123456789a\n"
        + "  ipNetworks: [10.109.0.1/32]\n";
    assertThat(run("apply", "-f", file("w.yaml", wep).toString(), "-n", "prod").code()).isZero();
    // calicoctl adds the NAMESPACE column only when -n or -A is given explicitly
    assertThat(run("get", "wep", "-n", "prod").out())
        .startsWith("NAMESPACE   WORKLOAD   NODE   NETWORKS        INTERFACE         \nprod        web  ");
    assertThat(run("get", "weps", "-A").out()).startsWith("NAMESPACE");
    assertThat(run("get", "wep").out()).isEqualTo("WORKLOAD   NODE   NETWORKS   INTERFACE   \n\n");
    assertThat(run("get", "ippool", "-n", "x").err()).contains("IPPool is not namespaced");
  }

  @Test
  void versionPrintsClientAndCluster() throws IOException {
    run("apply", "-f", file("v.yaml", pool("cli-version", "10.110.0.0/16", "")).toString());
    CalicoctlRun v = run("version");
    assertThat(v.out()).matches("(?s)Client Version:    v\\S+\nGit commit:        \\S+\nCluster Version:   \\S+\nCluster Type:      \\S+\n");
    assertThat(run("version", "--client").out().lines()).hasSize(2);
  }

  @Test
  void clusterInformationIsReadOnlyFromTheCli() throws IOException {
    CalicoctlRun r = run("apply", "-f", file("ci.yaml", "apiVersion: projectcalico.org/v3\nkind: ClusterInformation\nmetadata:\n  name: default\n").toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("not supported on ClusterInformation");
  }
}
