package org.calicoledger.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Policies and network sets in Calico's shapes: {@code order} written as Calico's Go client writes it, and values in
 * etcd as Calico itself stores them (written by hand here in that shape) read back field for field.
 */
class PolicyCodecTest {
  private static GlobalNetworkPolicy withOrder(Double order) {
    return new GlobalNetworkPolicy(ObjectMeta.named("p"), new GlobalNetworkPolicy.Spec(null, order, "all()", null,
        null, null, null, null, null, null, null, null));
  }

  private static String stored(Resource r) {
    return new String(ResourceCodec.encodeStored(r), StandardCharsets.UTF_8);
  }

  @Test
  void aWholeOrderIsWrittenWithoutAFraction() {
    assertThat(stored(withOrder(100.0))).contains("\"order\":100,").doesNotContain("100.0");
    assertThat(stored(withOrder(100.5))).contains("\"order\":100.5,");
    assertThat(stored(withOrder(-3.0))).contains("\"order\":-3,");
    assertThat(ResourceCodec.toJson(withOrder(100.0))).contains("\"order\": 100,");
    assertThat(ResourceCodec.toYaml(withOrder(100.0))).contains("  order: 100\n");
    assertThat(ResourceCodec.toYaml(withOrder(0.25))).contains("  order: 0.25\n");
    assertThat(stored(withOrder(null))).doesNotContain("order");
  }

  /** A GlobalNetworkPolicy as Calico's etcd datastore stores it under /calico/resources/v3/projectcalico.org/... */
  private static final String CALICO_GNP = "{\"kind\":\"GlobalNetworkPolicy\",\"apiVersion\":\"projectcalico.org/v3\","
      + "\"metadata\":{\"name\":\"allow-frontend\",\"uid\":\"6c7f5d9e-8a0b-4c1d-9e2f-3a4b5c6d7e8f\","
      + "\"creationTimestamp\":\"2026-11-20T09:15:00Z\"},"
      + "\"spec\":{\"tier\":\"default\",\"order\":100,"
      + "\"ingress\":[{\"action\":\"Allow\",\"protocol\":\"TCP\",\"source\":{\"selector\":\"role == 'frontend'\"},"
      + "\"destination\":{\"ports\":[80,\"8080:8090\"]}}],"
      + "\"egress\":[{\"action\":\"Allow\",\"protocol\":\"UDP\",\"source\":{},\"destination\":{\"nets\":[\"10.96.0.10/32\"],"
      + "\"ports\":[53]}}],"
      + "\"selector\":\"app == 'web'\",\"types\":[\"Ingress\",\"Egress\"]}}";

  private static final String CALICO_NP = "{\"kind\":\"NetworkPolicy\",\"apiVersion\":\"projectcalico.org/v3\","
      + "\"metadata\":{\"name\":\"db-from-api\",\"namespace\":\"shop\",\"uid\":\"0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b\","
      + "\"creationTimestamp\":\"2026-11-20T09:16:00Z\",\"labels\":{\"team\":\"payments\"}},"
      + "\"spec\":{\"tier\":\"default\",\"order\":200.5,"
      + "\"ingress\":[{\"action\":\"Allow\",\"protocol\":\"TCP\",\"source\":{\"selector\":\"app == 'api'\","
      + "\"namespaceSelector\":\"kubernetes.io/metadata.name == 'shop'\"},\"destination\":{\"ports\":[5432]}},"
      + "{\"action\":\"Deny\",\"source\":{},\"destination\":{}}],"
      + "\"selector\":\"app == 'db'\",\"types\":[\"Ingress\"]}}";

  @Test
  void calicosStoredGlobalNetworkPolicyDecodes() {
    GlobalNetworkPolicy p = (GlobalNetworkPolicy) ResourceCodec.decodeStored(
        CALICO_GNP.getBytes(StandardCharsets.UTF_8), 4711);
    assertThat(p.name()).isEqualTo("allow-frontend");
    assertThat(p.metadata().resourceVersion()).isEqualTo("4711");
    GlobalNetworkPolicy.Spec s = p.spec();
    assertThat(s.tier()).isEqualTo("default");
    assertThat(s.order()).isEqualTo(100.0);
    assertThat(s.selector()).isEqualTo("app == 'web'");
    assertThat(s.types()).containsExactly("Ingress", "Egress");
    Rule in = s.ingress().get(0);
    assertThat(in.action()).isEqualTo("Allow");
    assertThat(in.protocol()).isEqualTo(IntOrString.of("TCP"));
    assertThat(in.source().selector()).isEqualTo("role == 'frontend'");
    assertThat(in.destination().ports()).containsExactly(IntOrString.of(80), IntOrString.of("8080:8090"));
    assertThat(s.egress().get(0).destination().nets()).containsExactly("10.96.0.10/32");
    assertThat(Validation.problems(p.withDefaults())).isEmpty();
    // written back in the shape Calico wrote
    assertThat(stored(p)).contains("\"order\":100,", "\"ports\":[80,\"8080:8090\"]",
        "\"types\":[\"Ingress\",\"Egress\"]");
    assertThat(ResourceCodec.decodeStored(ResourceCodec.encodeStored(p), 4711)).isEqualTo(p);
  }

  @Test
  void calicosStoredNetworkPolicyDecodes() {
    NetworkPolicy p = (NetworkPolicy) ResourceCodec.decodeStored(CALICO_NP.getBytes(StandardCharsets.UTF_8), 9);
    assertThat(p.namespace()).isEqualTo("shop");
    assertThat(p.describe()).isEqualTo("NetworkPolicy(shop/db-from-api)");
    assertThat(p.metadata().labels()).containsEntry("team", "payments");
    assertThat(p.spec().order()).isEqualTo(200.5);
    assertThat(p.spec().types()).isEqualTo(List.of("Ingress"));
    Rule allow = p.spec().ingress().get(0);
    assertThat(allow.source().namespaceSelector()).isEqualTo("kubernetes.io/metadata.name == 'shop'");
    assertThat(allow.destination().ports()).containsExactly(IntOrString.of(5432));
    assertThat(p.spec().ingress().get(1).action()).isEqualTo("Deny");
    assertThat(Validation.problems(p.withDefaults())).isEmpty();
    assertThat(stored(p)).contains("\"order\":200.5,");
  }

  @Test
  void aTrailingDocumentSeparatorIsNotADocument() {
    String text = "apiVersion: projectcalico.org/v3\nkind: GlobalNetworkSet\nmetadata:\n  name: a\nspec:\n"
        + "  nets: [198.51.100.0/24]\n---\n";
    assertThat(ResourceCodec.decodeAll(text, "t.yaml")).singleElement().satisfies(d -> assertThat(d.ok()).isTrue());
    assertThat(ResourceCodec.decodeAll("---\n" + text + "---\n", "t.yaml")).hasSize(1);
    assertThat(ResourceCodec.decodeAll("\"x\"\n", "t.yaml")).singleElement()
        .satisfies(d -> assertThat(d.ok()).as("a non-empty string is still refused").isFalse());
  }

  @Test
  void typesDefaultAsCalicosDo() {
    NetworkPolicy onlyEgress = new NetworkPolicy(ObjectMeta.named("shop", "e"), new NetworkPolicy.Spec(null, null,
        null, null, null, List.of(Rule.allow()), null, null));
    assertThat(onlyEgress.withDefaults().spec().types()).containsExactly("Egress");
    assertThat(withOrder(1.0).withDefaults().spec().types()).containsExactly("Ingress");
  }
}
