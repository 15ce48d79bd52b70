package org.calicoledger.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.statistics.Statistics;
import org.calicoledger.model.net.Cidr;
import org.calicoledger.model.net.ReferenceNetwork;

/**
 * The codec loses nothing: every generated resource of every kind comes back equal from YAML, from JSON, from its
 * stored etcd value (with the revision as {@code resourceVersion}), and from a multi-document YAML stream; IPPool
 * defaults are idempotent and a valid pool stays valid once defaulted.
 *
 * <p>The one normalisation the generators respect is Calico's {@code omitempty}: "" and empty lists and maps are
 * written as absent, so generated strings and collections are absent or non-empty ({@link ValueArbitraries}). The two
 * {@code yamlKeeps...} properties cover strings that YAML reads back as numbers; they fail until the codec quotes them.
 */
class ResourceRoundTripPropertyTest {

  @Provide
  Arbitrary<Resource> resources() {
    return ResourceArbitraries.anyResource();
  }

  @Provide
  Arbitrary<List<Resource>> resourceLists() {
    return ResourceArbitraries.anyResource().list().ofMinSize(1).ofMaxSize(6);
  }

  @Provide
  Arbitrary<IPPool> pools() {
    return ResourceArbitraries.ipPool();
  }

  @Provide
  Arbitrary<String> dnsNumberLookalikes() {
    return ValueArbitraries.dnsNumberLookalikes();
  }

  @Provide
  Arbitrary<String> yamlNumberLookalikes() {
    return ValueArbitraries.yamlNumberLookalikes();
  }

  private static Resource decodeOne(String text) {
    List<ResourceCodec.Document> docs = ResourceCodec.decodeAll(text, "t");
    assertThat(docs).as("documents in%n%s", text).hasSize(1);
    assertThat(docs.get(0).error()).as("error decoding%n%s", text).isNull();
    return docs.get(0).resource();
  }

  private static void collectKind(Resource r) {
    Statistics.label("kind").collect(r.kind());
    Statistics.label("kind").coverage(cov -> {
      for (Kind k : Kind.values()) {
        cov.check(k).percentage(p -> p > 3);
      }
    });
  }

  @Property(tries = 1500)
  void yamlRoundTripIsExact(@ForAll("resources") Resource r) {
    String yaml = ResourceCodec.toYaml(r);
    assertThat(decodeOne(yaml)).as("decoded from%n%s", yaml).isEqualTo(r);
    collectKind(r);
  }

  @Property(tries = 1500)
  void jsonRoundTripIsExact(@ForAll("resources") Resource r) {
    String json = ResourceCodec.toJson(r);
    assertThat(decodeOne(json)).as("decoded from%n%s", json).isEqualTo(r);
    collectKind(r);
  }

  @Property(tries = 1500)
  void storedRoundTripAddsOnlyTheRevision(@ForAll("resources") Resource r,
      @ForAll @LongRange(min = 1, max = Long.MAX_VALUE) long revision) {
    Resource back = ResourceCodec.decodeStored(ResourceCodec.encodeStored(r), revision);
    assertThat(back).isEqualTo(r.withMetadata(r.metadata().withResourceVersion(Long.toString(revision))));
    assertThat(back.metadata().revision()).isEqualTo(revision);
    collectKind(r);
  }

  @Property(tries = 400)
  void multiDocumentYamlDecodesInOrder(@ForAll("resourceLists") List<Resource> rs) {
    String text = rs.stream().map(ResourceCodec::toYaml).collect(Collectors.joining("---\n"));
    List<ResourceCodec.Document> docs = ResourceCodec.decodeAll(text, "t");
    assertThat(docs).allSatisfy(d -> assertThat(d.error()).isNull());
    assertThat(docs).extracting(ResourceCodec.Document::resource).containsExactlyElementsOf(rs);
    Statistics.label("documents").collect(rs.size());
  }

  // ---- IPPool defaults and validation ----

  /** Pools as users write them: blanks for defaults, non-canonical and broken CIDRs, out-of-range block sizes. */
  @Provide
  Arbitrary<IPPool> poolInputs() {
    Arbitrary<String> blankable = Arbitraries.of("", "Always", "CrossSubnet", "Never").injectNull(0.3);
    Arbitrary<String> cidr = Arbitraries.oneOf(
        ReferenceNetwork.any().flatMap(n -> n.masked().spellings()),
        ReferenceNetwork.any().map(ReferenceNetwork::canonical),
        Arbitraries.of("", "10.0.0.0", "bogus", "10.0.0.0/33", "fd00::/129", "10.0.0.0/+8", "010.0.0.0/8"))
        .injectNull(0.05);
    Arbitrary<IPPool.Spec> spec = ResourceArbitraries.record(IPPool.Spec.class, cidr, blankable, blankable,
        Arbitraries.of(true, false), Arbitraries.of(true, false), Arbitraries.of(true, false),
        Arbitraries.oneOf(Arbitraries.just(0), Arbitraries.integers().between(0, 130)),
        Arbitraries.oneOf(Arbitraries.just(""), ValueArbitraries.selector()).injectNull(0.3),
        Arbitraries.oneOf(Arbitraries.just(""), ValueArbitraries.selector()).injectNull(0.3),
        Arbitraries.of("Workload", "Tunnel", "LoadBalancer").list().ofMaxSize(2).injectNull(0.3),
        Arbitraries.of("", "Automatic", "Manual").injectNull(0.3));
    return Combinators.combine(ResourceArbitraries.metadata(ValueArbitraries.dnsName(), Arbitraries.just(null)), spec)
        .as(IPPool::new);
  }

  /**
   * Pools that follow every rule of {@link Validation}, built rule by rule: masked CIDR (in any spelling) off the
   * link-local range and no longer than a block unless disabled, block size in range, at most one encapsulation and
   * none on IPv6 or LoadBalancer pools, a node selector without global(), allowed uses that go together.
   */
  @Provide
  Arbitrary<IPPool> validPools() {
    Arbitrary<PoolShape> shapes = Arbitraries.of(true, false).flatMap(v4 -> {
      int defaultBlock = v4 ? 26 : 122;
      Arbitrary<Integer> block = Arbitraries.oneOf(Arbitraries.just(0),
          v4 ? Arbitraries.integers().between(20, 32) : Arbitraries.integers().between(116, 128));
      return Combinators.combine(block, Arbitraries.of(true, false), v4 ? ReferenceNetwork.ipv4() : ReferenceNetwork.ipv6())
          .as((b, disabled, n) -> {
            int prefix = disabled ? n.prefix() : Math.min(n.prefix(), b == 0 ? defaultBlock : b);
            return new PoolShape(b, disabled, n.withPrefix(prefix).masked());
          });
    });
    Arbitrary<IPPool.Spec> spec = shapes
        .filter(s -> !s.net().overlaps(LINK_LOCAL_V4) && !s.net().overlaps(LINK_LOCAL_V6))
        .flatMap(ResourceRoundTripPropertyTest::validPoolSpec);
    return Combinators.combine(ResourceArbitraries.metadata(ValueArbitraries.dnsName(), Arbitraries.just(null)), spec)
        .as(IPPool::new);
  }

  /** The part of a valid pool that the other fields depend on. */
  private record PoolShape(int blockSize, boolean disabled, ReferenceNetwork net) {}

  /** Encapsulation and uses that go together ({@code null} and "" both mean "default"). */
  private record Encap(String ipip, String vxlan, List<String> uses) {}

  private static final ReferenceNetwork LINK_LOCAL_V4 = new ReferenceNetwork(32, BigInteger.valueOf(0xA9FE_0000L), 16);
  private static final ReferenceNetwork LINK_LOCAL_V6 = new ReferenceNetwork(128, BigInteger.valueOf(0xFE80).shiftLeft(112), 10);
  private static final List<Encap> ENCAP_V4 = encaps(true);
  private static final List<Encap> ENCAP_V6 = encaps(false);

  /** Every combination Validation accepts, listed once rather than filtered per try. */
  private static List<Encap> encaps(boolean v4) {
    List<String> modes = Arrays.asList(null, "", "Never", "Always", "CrossSubnet");
    List<List<String>> uses = Arrays.asList(null, List.of(), List.of("Workload"), List.of("Tunnel"),
        List.of("Workload", "Tunnel"), List.of("Tunnel", "Workload"), List.of("LoadBalancer"));
    List<Encap> out = new ArrayList<>();
    for (String ipip : v4 ? modes : modes.subList(0, 3)) {
      for (String vxlan : modes) {
        boolean encap = IPPool.EncapMode.of(ipip).enabled() || IPPool.EncapMode.of(vxlan).enabled();
        if (IPPool.EncapMode.of(ipip).enabled() && IPPool.EncapMode.of(vxlan).enabled()) {
          continue;
        }
        for (List<String> u : uses) {
          if (!(encap && u != null && u.contains("LoadBalancer"))) {
            out.add(new Encap(ipip, vxlan, u));
          }
        }
      }
    }
    return List.copyOf(out);
  }

  private static Arbitrary<IPPool.Spec> validPoolSpec(PoolShape shape) {
    Arbitrary<String> nodeSelector = Arbitraries.oneOf(Arbitraries.just(""),
        ValueArbitraries.selector().filter(s -> !s.contains("global(")));
    return Combinators.combine(shape.net().spellings(), Arbitraries.of(shape.net().isIpv4() ? ENCAP_V4 : ENCAP_V6),
            nodeSelector.injectNull(0.3), ValueArbitraries.selector().injectNull(0.5),
            Arbitraries.of("", "Automatic", "Manual").injectNull(0.3), Arbitraries.of(true, false))
        .as((cidr, e, ns, nss, assign, nat) -> new IPPool.Spec(cidr, e.vxlan(), e.ipip(), nat, shape.disabled(), false,
            shape.blockSize(), ns, nss, e.uses(), assign));
  }

  @Property(tries = 1500)
  void ipPoolDefaultsAreIdempotent(@ForAll("poolInputs") IPPool p) {
    IPPool once = p.withDefaults();
    assertThat(once.withDefaults()).isEqualTo(once);
    assertThat(once.metadata()).isEqualTo(p.metadata());
  }

  @Property(tries = 1500)
  void validPoolHasNoProblemsOnceDefaulted(@ForAll("validPools") IPPool p) {
    IPPool d = p.withDefaults();
    assertThat(Validation.problems(d)).as("problems of %s", d).isEmpty();
    Cidr cidr = Cidr.parse(p.spec().cidr());
    assertThat(d.spec().cidr()).isEqualTo(cidr.toString());
    assertThat(d.spec().blockSize()).isEqualTo(p.spec().blockSize() != 0 ? p.spec().blockSize() : cidr.isIpv4() ? 26 : 122);
    assertThat(d.spec().ipipMode()).isNotEmpty();
    assertThat(d.spec().vxlanMode()).isNotEmpty();
    assertThat(d.spec().nodeSelector()).isNotEmpty();
    assertThat(d.spec().allowedUses()).isNotEmpty();
    assertThat(d.spec().assignmentMode()).isNotEmpty();
    assertThat(decodeOne(ResourceCodec.toYaml(d))).isEqualTo(d);
    Statistics.label("family").collect(cidr.isIpv4() ? "IPv4" : "IPv6");
    Statistics.label("spelled canonically").collect(p.spec().cidr().equals(cidr.toString()));
  }

  // ---- known failing: strings YAML reads as numbers ----

  /**
   * A DNS-1123 name or label value such as {@code 7e10293} (a short git hash), {@code 0x1f} or {@code 0b101} is
   * written unquoted by {@code toYaml} and read back as a number: {@code 7e10293} becomes {@code Infinity},
   * {@code 0x1f} becomes {@code 31}. JSON keeps them. Known failing until the codec quotes every string that YAML 1.1
   * would resolve as a number (see the report).
   */
  @Property(tries = 300)
  void yamlKeepsNamesAndLabelsThatLookLikeNumbers(@ForAll("pools") IPPool pool,
      @ForAll("dnsNumberLookalikes") String text) {
    Map<String, String> labels = new TreeMap<>(pool.metadata().labels());
    labels.put("app.kubernetes.io/version", text);
    IPPool r = pool.withMetadata(pool.metadata().withName(text).withLabels(labels));
    assertThat(decodeOne(ResourceCodec.toJson(r))).isEqualTo(r);
    assertThat(decodeOne(ResourceCodec.toYaml(r))).as("from%n%s", ResourceCodec.toYaml(r)).isEqualTo(r);
  }

  /**
   * Annotations may hold any text. {@code .inf}, {@code .nan} make {@code decodeAll} refuse the codec's own output as
   * malformed YAML; {@code 1_000}, {@code 6.02E23} come back as other text; a NEL ({@code U+0085}) comes back as a
   * space. Known failing, as above.
   */
  @Property(tries = 300)
  void yamlKeepsAnnotationsThatLookLikeNumbers(@ForAll("resources") Resource resource,
      @ForAll("yamlNumberLookalikes") String text) {
    Map<String, String> annotations = new TreeMap<>(resource.metadata().annotations());
    annotations.put("note", text);
    ObjectMeta m = resource.metadata();
    Resource r = resource.withMetadata(new ObjectMeta(m.name(), m.generateName(), m.namespace(), m.uid(),
        m.resourceVersion(), m.generation(), m.creationTimestamp(), m.deletionTimestamp(), m.labels(), annotations));
    assertThat(decodeOne(ResourceCodec.toJson(r))).isEqualTo(r);
    assertThat(decodeOne(ResourceCodec.toYaml(r))).as("from%n%s", ResourceCodec.toYaml(r)).isEqualTo(r);
  }

  /** The generators cover FelixField's whole table, so every field type meets the codec. */
  @Example
  void felixGeneratorCoversTheWholeTable() {
    List<FelixField> fields = new ArrayList<>(ResourceArbitraries.felixFields());
    assertThat(fields).hasSize(FelixField.count());
    assertThat(fields).extracting(FelixField::type).contains(FelixField.Type.values());
  }
}
