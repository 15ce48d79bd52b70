package org.calicoledger.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResourceCodecTest {
  private static final String POOL = """
      apiVersion: projectcalico.org/v3
      kind: IPPool
      metadata:
        name: default-ipv4-ippool
      spec:
        cidr: 192.168.0.0/16
        ipipMode: Always
        natOutgoing: true
      """;

  private static Resource one(String text) {
    List<ResourceCodec.Document> docs = ResourceCodec.decodeAll(text, "test.yaml");
    assertThat(docs).hasSize(1);
    assertThat(docs.get(0).error()).isNull();
    return docs.get(0).resource();
  }

  @Test
  void decodesYamlAndPrintsItLikeCalicoctl() {
    IPPool pool = (IPPool) one(POOL);
    IPPool stored = pool.withDefaults().withMetadata(pool.metadata()
        .withIdentity("3f0b1f6e-1d33-4f6a-9a43-2f8c5b0e7a11", "2026-11-26T10:00:00Z").withResourceVersion("1234"));
    assertThat(ResourceCodec.toYaml(stored)).isEqualTo("""
        apiVersion: projectcalico.org/v3
        kind: IPPool
        metadata:
          creationTimestamp: 2026-11-26T10:00:00Z
          name: default-ipv4-ippool
          resourceVersion: "1234"
          uid: 3f0b1f6e-1d33-4f6a-9a43-2f8c5b0e7a11
        spec:
          allowedUses:
          - Workload
          - Tunnel
          assignmentMode: Automatic
          blockSize: 26
          cidr: 192.168.0.0/16
          ipipMode: Always
          natOutgoing: true
          nodeSelector: all()
          vxlanMode: Never
        """);
  }

  @Test
  void seedPipelineEditSurvivesRoundTrip() {
    IPPool pool = ((IPPool) one(POOL)).withDefaults();
    String edited = ResourceCodec.toYaml(pool).replace("natOutgoing: true", "natOutgoing: false");
    IPPool back = (IPPool) one(edited);
    assertThat(back.spec().natOutgoing()).isFalse();
    assertThat(back.spec().withNatOutgoing(true)).isEqualTo(pool.spec());
  }

  @Test
  void jsonOutputKeepsCalicoStructOrder() {
    IPPool pool = ((IPPool) one(POOL)).withDefaults();
    String json = ResourceCodec.toJson(pool);
    assertThat(json).startsWith("{\n  \"kind\": \"IPPool\",\n  \"apiVersion\": \"projectcalico.org/v3\",\n  \"metadata\": {");
    assertThat(json.indexOf("\"cidr\"")).isLessThan(json.indexOf("\"vxlanMode\""));
    assertThat(json.indexOf("\"vxlanMode\"")).isLessThan(json.indexOf("\"ipipMode\""));
    assertThat(one(json)).isEqualTo(pool);
  }

  @Test
  void storedValueOmitsResourceVersionAndReadsItFromTheRevision() {
    IPPool pool = ((IPPool) one(POOL)).withDefaults();
    Resource withRv = pool.withMetadata(pool.metadata().withResourceVersion("77"));
    String stored = new String(ResourceCodec.encodeStored(withRv), StandardCharsets.UTF_8);
    assertThat(stored).doesNotContain("resourceVersion").startsWith("{\"kind\":\"IPPool\",\"apiVersion\":\"projectcalico.org/v3\"");
    Resource back = ResourceCodec.decodeStored(stored.getBytes(StandardCharsets.UTF_8), 99);
    assertThat(back.metadata().resourceVersion()).isEqualTo("99");
    assertThat(back.withMetadata(back.metadata().withResourceVersion(null))).isEqualTo(pool);
  }

  /** A value as Calico's libcalico-go writes it (field order, defaults, identity), hand-written from its documented shape. */
  @Test
  void readsCalicoWrittenValueAndWritesItBackByteForByte() {
    String calico = "{\"kind\":\"IPPool\",\"apiVersion\":\"projectcalico.org/v3\",\"metadata\":{\"name\":\"p1\","
        + "\"uid\":\"5a0c0b1e-7f3c-4d2e-9c1a-0b7e6d5c4b3a\",\"creationTimestamp\":\"2024-01-02T03:04:05Z\"},"
        + "\"spec\":{\"cidr\":\"10.0.0.0/16\",\"vxlanMode\":\"Never\",\"ipipMode\":\"Always\",\"natOutgoing\":true,"
        + "\"blockSize\":26,\"nodeSelector\":\"all()\",\"allowedUses\":[\"Workload\",\"Tunnel\"],"
        + "\"assignmentMode\":\"Automatic\"}}";
    Resource r = ResourceCodec.decodeStored(calico.getBytes(StandardCharsets.UTF_8), 5);
    assertThat(new String(ResourceCodec.encodeStored(r), StandardCharsets.UTF_8)).isEqualTo(calico);
  }

  @Test
  void storedValuesWithFieldsFromNewerCalicoStillDecode() {
    String newer = "{\"kind\":\"Node\",\"apiVersion\":\"projectcalico.org/v3\",\"metadata\":{\"name\":\"n1\"},"
        + "\"spec\":{\"bgp\":{\"ipv4Address\":\"10.0.0.1/24\"},\"someFutureField\":{\"x\":1}},\"status\":{}}";
    Node n = (Node) ResourceCodec.decodeStored(newer.getBytes(StandardCharsets.UTF_8), 3);
    assertThat(n.spec().bgp().ipv4Address()).isEqualTo("10.0.0.1/24");
  }

  @Test
  void multiDocumentYamlAndListsExpand() {
    String text = POOL + "---\n" + POOL.replace("default-ipv4-ippool", "second").replace("192.168.0.0/16", "10.1.0.0/16")
        + "---\napiVersion: projectcalico.org/v3\nkind: IPPoolList\nitems:\n"
        + "- apiVersion: projectcalico.org/v3\n  kind: IPPool\n  metadata:\n    name: third\n  spec:\n    cidr: 10.2.0.0/16\n"
        + "---\napiVersion: v1\nkind: List\nitems:\n"
        + "- apiVersion: projectcalico.org/v3\n  kind: Node\n  metadata:\n    name: node-a\n";
    List<ResourceCodec.Document> docs = ResourceCodec.decodeAll(text, "f.yaml");
    assertThat(docs).extracting(d -> d.resource().name()).containsExactly("default-ipv4-ippool", "second", "third", "node-a");
    assertThat(docs.get(3).resource()).isInstanceOf(Node.class);
  }

  @Test
  void jsonArrayAndConcatenatedObjectsDecode() {
    String a = "{\"kind\":\"IPPool\",\"apiVersion\":\"projectcalico.org/v3\",\"metadata\":{\"name\":\"a\"},\"spec\":{\"cidr\":\"10.0.0.0/24\"}}";
    assertThat(ResourceCodec.decodeAll("[" + a + "," + a.replace("\"a\"", "\"b\"") + "]", "x")).hasSize(2);
    assertThat(ResourceCodec.decodeAll(a + "\n" + a, "x")).hasSize(2);
  }

  @Test
  void unknownFieldIsRefusedNamingDocumentFieldAndAllowedFields() {
    String text = POOL + "---\n" + POOL.replace("natOutgoing", "natOutgoin").replace("default-ipv4-ippool", "typo");
    List<ResourceCodec.Document> docs = ResourceCodec.decodeAll(text, "pools.yaml");
    assertThat(docs.get(0).ok()).isTrue();
    InvalidResourceException e = docs.get(1).error();
    assertThat(e.getMessage())
        .contains("pools.yaml document 2 (line 10)", "IPPool \"typo\"", "spec.natOutgoin", "unknown field", "natOutgoing");
  }

  @Test
  void unknownKindAndWrongApiVersionAreNamed() {
    var bad = ResourceCodec.decodeAll("apiVersion: projectcalico.org/v3\nkind: IPPoool\nmetadata:\n  name: x\n", "s").get(0);
    assertThat(bad.error().getMessage()).contains("unknown kind 'IPPoool'", "IPPool, Node");
    var v1 = ResourceCodec.decodeAll("apiVersion: v1\nkind: IPPool\nmetadata:\n  name: x\n", "s").get(0);
    assertThat(v1.error().getMessage()).contains("apiVersion", "'v1' is not supported", "projectcalico.org/v3");
  }

  @Test
  void wrongValueTypesNameTheField() {
    var doc = ResourceCodec.decodeAll(POOL.replace("natOutgoing: true", "natOutgoing: maybe"), "s").get(0);
    assertThat(doc.error().problems()).singleElement().satisfies(p -> {
      assertThat(p.field()).isEqualTo("spec.natOutgoing");
      assertThat(p.message()).contains("maybe");
    });
    var as = ResourceCodec.decodeAll("apiVersion: projectcalico.org/v3\nkind: BGPPeer\nmetadata:\n  name: p\n"
        + "spec:\n  peerIP: 10.0.0.1\n  asNumber: 70000.1\n", "s").get(0);
    assertThat(as.error().getMessage()).contains("spec.asNumber", "70000.1");
  }

  @Test
  void malformedYamlRefusesTheWholeInputWithALine() {
    assertThatThrownBy(() -> ResourceCodec.decodeAll(POOL + "  bad: [unclosed\n", "broken.yaml"))
        .isInstanceOf(InvalidResourceException.class)
        .hasMessageContaining("broken.yaml")
        .hasMessageContaining("malformed YAML")
        .hasMessageContaining("line");
  }

  @Test
  void duplicateKeysAreRefused() {
    assertThatThrownBy(() -> ResourceCodec.decodeAll(POOL + "  natOutgoing: false\n", "d.yaml"))
        .isInstanceOf(InvalidResourceException.class)
        .hasMessageContaining("d.yaml: malformed YAML at line 9")
        .hasMessageContaining("Duplicate field 'natOutgoing'");
  }

  @Test
  void asNumbersReadAsdotAndStrings() {
    assertThat(AsNumber.parse("1.10").value()).isEqualTo(65546);
    assertThat(AsNumber.parse("64512").value()).isEqualTo(64512);
    assertThat(AsNumber.parse(4294967295L).value()).isEqualTo(4294967295L);
    assertThatThrownBy(() -> AsNumber.parse(4294967296L)).hasMessageContaining("0-4294967295");
  }

  @Test
  void felixConfigurationKeepsEveryFieldAndTypedAccessorsWork() {
    FelixConfiguration f = (FelixConfiguration) one("""
        apiVersion: projectcalico.org/v3
        kind: FelixConfiguration
        metadata:
          name: default
        spec:
          wireguardEnabled: true
          routeRefreshInterval: 5s
          logSeverityScreen: Info
        """);
    assertThat(f.spec().bool("wireguardEnabled")).contains(true);
    assertThat(f.spec().duration("routeRefreshInterval")).contains(java.time.Duration.ofSeconds(5));
    assertThat(f.spec().duration("iptablesRefreshInterval")).as("unset: Felix's default applies (FelixSettings)")
        .isEmpty();
    assertThat(ResourceCodec.toYaml(f)).contains("  logSeverityScreen: Info\n  routeRefreshInterval: 5s\n  wireguardEnabled: true\n");
  }

  @Test
  void emptySpecsAreWrittenAsCalicoDoes() {
    Node n = new Node(ObjectMeta.named("n1"), null, null);
    assertThat(new String(ResourceCodec.encodeStored(n), StandardCharsets.UTF_8))
        .isEqualTo("{\"kind\":\"Node\",\"apiVersion\":\"projectcalico.org/v3\",\"metadata\":{\"name\":\"n1\"},\"spec\":{},\"status\":{}}");
  }
}
