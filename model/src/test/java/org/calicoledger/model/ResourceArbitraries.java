package org.calicoledger.model;

import static org.calicoledger.model.ValueArbitraries.asNumber;
import static org.calicoledger.model.ValueArbitraries.dnsName;
import static org.calicoledger.model.ValueArbitraries.duration;
import static org.calicoledger.model.ValueArbitraries.interfaceName;
import static org.calicoledger.model.ValueArbitraries.ip;
import static org.calicoledger.model.ValueArbitraries.ipv4;
import static org.calicoledger.model.ValueArbitraries.ipv6;
import static org.calicoledger.model.ValueArbitraries.labels;
import static org.calicoledger.model.ValueArbitraries.mac;
import static org.calicoledger.model.ValueArbitraries.oneOf;
import static org.calicoledger.model.ValueArbitraries.optional;
import static org.calicoledger.model.ValueArbitraries.portOrRange;
import static org.calicoledger.model.ValueArbitraries.protocol;
import static org.calicoledger.model.ValueArbitraries.selector;
import static org.calicoledger.model.ValueArbitraries.someOf;
import static org.calicoledger.model.ValueArbitraries.text;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import org.calicoledger.model.net.ReferenceNetwork;

/**
 * Realistic resources of every {@link Kind}, for round-trip properties. Every optional field is sometimes absent;
 * see {@link ValueArbitraries} for what strings and collections may hold and why.
 */
final class ResourceArbitraries {
  private ResourceArbitraries() {}

  static Arbitrary<Resource> anyResource() {
    return Arbitraries.oneOf(List.of(ipPool(), node(), bgpPeer(), bgpConfiguration(), felixConfiguration(),
        workloadEndpoint(), hostEndpoint(), profile(), clusterInformation(), hook(), globalNetworkPolicy(),
        networkPolicy(), globalNetworkSet(), networkSet()));
  }

  /** Metadata as a store returns it: a name, and sometimes identity, revision, labels and annotations. */
  static Arbitrary<ObjectMeta> metadata(Arbitrary<String> name, Arbitrary<String> namespace) {
    return record(ObjectMeta.class, name, optional(dnsName()), namespace, optional(ValueArbitraries.uid()),
        optional(ValueArbitraries.revision()), optional(Arbitraries.longs().between(0, 1000)),
        optional(ValueArbitraries.timestamp()), optional(ValueArbitraries.timestamp()), labels(),
        ValueArbitraries.annotations());
  }

  private static Arbitrary<ObjectMeta> globalMetadata() {
    return metadata(dnsName(), Arbitraries.just(null));
  }

  /** Names Calico gives per-cluster and per-node settings: {@code default} or {@code node.<name>}. */
  private static Arbitrary<ObjectMeta> settingsMetadata() {
    return metadata(Arbitraries.oneOf(Arbitraries.just("default"), dnsName().map(n -> "node." + n)),
        Arbitraries.just(null));
  }

  static Arbitrary<IPPool> ipPool() {
    Arbitrary<String> mode = optional(oneOf("Always", "CrossSubnet", "Never"));
    Arbitrary<IPPool.Spec> spec = record(IPPool.Spec.class, ValueArbitraries.cidr(), mode, mode,
        Arbitraries.of(true, false), Arbitraries.of(true, false), Arbitraries.of(true, false),
        Arbitraries.oneOf(Arbitraries.just(0), Arbitraries.integers().between(20, 32),
            Arbitraries.integers().between(116, 128)),
        optional(selector()), optional(selector()),
        someOf(oneOf("Workload", "Tunnel", "LoadBalancer")), optional(oneOf("Automatic", "Manual")));
    return Combinators.combine(globalMetadata(), spec).as(IPPool::new);
  }

  static Arbitrary<Node> node() {
    Arbitrary<Node.BGP> bgp = record(Node.BGP.class, optional(asNumber()),
        optional(ReferenceNetwork.ipv4().map(ReferenceNetwork::canonical)),
        optional(ReferenceNetwork.ipv6().map(ReferenceNetwork::canonical)), optional(ipv4()), optional(ipv4()));
    Arbitrary<Node.OrchRef> orchRef = record(Node.OrchRef.class, optional(dnsName()), optional(oneOf("k8s", "openstack")));
    Arbitrary<Node.Address> address = record(Node.Address.class,
        Arbitraries.oneOf(ip(), ReferenceNetwork.any().map(ReferenceNetwork::canonical)),
        optional(oneOf("CalicoNodeIP", "InternalIP", "ExternalIP")));
    Arbitrary<Node.Interface> iface = record(Node.Interface.class, optional(interfaceName()), someOf(ip()));
    Arbitrary<Node.Spec> spec = record(Node.Spec.class, optional(bgp), optional(ipv4()), optional(mac()),
        optional(ipv6()), optional(mac()), someOf(orchRef),
        optional(record(Node.Wireguard.class, optional(ipv4()), optional(ipv6()))), someOf(address), someOf(iface));
    Arbitrary<Node.Status> status = record(Node.Status.class, optional(ValueArbitraries.wireguardKey()),
        optional(ValueArbitraries.wireguardKey()), someOf(ValueArbitraries.cidr()));
    return Combinators.combine(globalMetadata(), spec, optional(status)).as(Node::new);
  }

  private static Arbitrary<SecretKeyRef> password() {
    return record(SecretKeyRef.class, optional(record(SecretKeyRef.Ref.class, optional(dnsName()),
        optional(oneOf("password", "bgp-secret")), optional(Arbitraries.of(true, false)))));
  }

  static Arbitrary<BGPPeer> bgpPeer() {
    Arbitrary<String> peerIp = Arbitraries.oneOf(ip(),
        Combinators.combine(ipv4(), Arbitraries.integers().between(1, 65535)).as((a, p) -> a + ":" + p),
        Combinators.combine(ipv6(), Arbitraries.integers().between(1, 65535)).as((a, p) -> "[" + a + "]:" + p));
    Arbitrary<BGPPeer.Spec> spec = record(BGPPeer.Spec.class, optional(dnsName()), optional(selector()),
        optional(peerIp), optional(asNumber()), optional(asNumber()), optional(selector()),
        Arbitraries.of(true, false), optional(oneOf("Auto", "Self", "Keep")), optional(password()),
        optional(oneOf("UseNodeIP", "None")), optional(duration()), optional(duration()),
        optional(Arbitraries.integers().between(0, 10)), optional(Arbitraries.integers().between(0, 255)),
        optional(ip()), someOf(dnsName()), optional(selector()), optional(oneOf("Auto", "Manual")));
    return Combinators.combine(globalMetadata(), spec).as(BGPPeer::new);
  }

  static Arbitrary<BGPConfiguration> bgpConfiguration() {
    Arbitrary<BGPConfiguration.CidrBlock> block = record(BGPConfiguration.CidrBlock.class,
        optional(ValueArbitraries.cidr()));
    Arbitrary<String> community = Combinators.combine(Arbitraries.integers().between(0, 65535),
        Arbitraries.integers().between(0, 65535)).as((a, b) -> a + ":" + b);
    Arbitrary<BGPConfiguration.Spec> spec = record(BGPConfiguration.Spec.class,
        optional(oneOf("Info", "Debug", "Warning", "Error", "Fatal")), optional(Arbitraries.of(true, false)),
        optional(asNumber()), someOf(block), someOf(block), someOf(block), optional(oneOf("Enabled", "Disabled")),
        someOf(record(BGPConfiguration.Community.class, optional(dnsName()), optional(community))),
        someOf(record(BGPConfiguration.PrefixAdvertisement.class, optional(ValueArbitraries.cidr()),
            someOf(Arbitraries.oneOf(community, dnsName())))),
        Arbitraries.oneOf(Arbitraries.just(0), Arbitraries.integers().between(1, 65535)), optional(password()),
        optional(duration()), optional(oneOf("None", "NodeIP")), someOf(interfaceName()), optional(ipv4()),
        optional(ipv6()), optional(oneOf("Enabled", "Disabled", "EnabledIPIPOnly")),
        optional(Arbitraries.integers().between(1, 2_147_483_647)),
        optional(Arbitraries.integers().between(1, 2_147_483_647)));
    return Combinators.combine(settingsMetadata(), spec).as(BGPConfiguration::new);
  }

  static Arbitrary<FelixConfiguration> felixConfiguration() {
    Arbitrary<Map.Entry<String, Object>> field = Arbitraries.of(felixFields())
        .flatMap(f -> felixValue(f).map(v -> Map.entry(f.name(), v)));
    Arbitrary<FelixConfiguration.Spec> spec = field.list().ofMaxSize(8).uniqueElements(Map.Entry::getKey)
        .map(entries -> {
          Map<String, Object> fields = new LinkedHashMap<>();
          entries.forEach(e -> fields.put(e.getKey(), e.getValue()));
          return new FelixConfiguration.Spec(fields);
        });
    return Combinators.combine(settingsMetadata(), spec).as(FelixConfiguration::new);
  }

  /**
   * A value of the field's type, in the Java types Jackson reads JSON into ({@code Integer} when it fits,
   * {@code Long} otherwise, {@code Boolean}, {@code String}, {@code List}, {@code Map}), since the spec keeps values
   * as read and {@code Integer.valueOf(1)} does not equal {@code Long.valueOf(1)}.
   */
  static Arbitrary<Object> felixValue(FelixField f) {
    Arbitrary<Integer> port = Arbitraries.integers().between(1, 65535);
    return switch (f.type()) {
      case BOOL -> obj(Arbitraries.of(true, false));
      case INT -> Arbitraries.oneOf(obj(Arbitraries.integers().between(0, Integer.MAX_VALUE)),
          obj(Arbitraries.of(0xffff0000L, 0x1_0000_0000L, Long.MAX_VALUE)));
      case STRING -> obj(Arbitraries.oneOf(oneOf("Info", "cali", "eth.*", "/var/log/calico/felix.log", "0.0.0.0",
          "10/second", "ChecksumOffloadBroken=true"), text().filter(s -> !s.isEmpty())));
      case DURATION -> obj(duration());
      case ENUM -> obj(Arbitraries.of(f.allowed()));
      case LIST -> Arbitraries.oneOf(
          obj(oneOf("30000:32767", "10.0.0.0/8", "fd00::/8").list().ofMinSize(1).ofMaxSize(3)),
          obj(Combinators.combine(oneOf("tcp", "udp"), port)
              .as((pr, p) -> Map.<String, Object>of("protocol", pr, "port", p)).list().ofMaxSize(3)),
          obj(Arbitraries.integers().between(1, 250).list().ofMaxSize(3)));
      case OBJECT -> obj(Combinators.combine(Arbitraries.integers().between(1, 250), optional(duration()))
          .as((max, t) -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("min", 1);
            m.put("max", max);
            if (t != null) {
              m.put("tcpEstablished", t);
            }
            return m;
          }));
      case PORT -> Arbitraries.oneOf(obj(port),
          obj(Combinators.combine(port, port).as((a, b) -> Math.min(a, b) + ":" + Math.max(a, b))));
    };
  }

  private static Arbitrary<Object> obj(Arbitrary<?> a) {
    return a.map(Object.class::cast);
  }

  /** Every entry of FelixField's table. Read reflectively: the table has no public listing (see the report). */
  @SuppressWarnings("unchecked")
  static List<FelixField> felixFields() {
    try {
      var byName = FelixField.class.getDeclaredField("BY_NAME");
      byName.setAccessible(true);
      List<FelixField> all = new ArrayList<>(((Map<String, FelixField>) byName.get(null)).values());
      all.sort(Comparator.comparing(FelixField::name));
      return List.copyOf(all);
    } catch (ReflectiveOperationException e) {
      throw new AssertionError("FelixField's table is no longer in BY_NAME; update the generator", e);
    }
  }

  static Arbitrary<WorkloadEndpoint> workloadEndpoint() {
    Arbitrary<WorkloadEndpoint.Port> port = record(WorkloadEndpoint.Port.class, optional(oneOf("http", "metrics")),
        optional(protocol()), Arbitraries.integers().between(0, 65535), Arbitraries.integers().between(0, 65535),
        optional(ip()));
    Arbitrary<Long> rate = optional(Arbitraries.longs().between(0, 10_000_000_000L));
    Arbitrary<WorkloadEndpoint.QoSControls> qos = record(WorkloadEndpoint.QoSControls.class, rate, rate, rate, rate,
        rate, rate, rate, rate, rate, rate, rate, rate, rate, rate,
        optional(Arbitraries.oneOf(Arbitraries.longs().between(0, 63).map(IntOrString::of),
            oneOf("AF11", "EF", "CS1").map(IntOrString::of))));
    Arbitrary<WorkloadEndpoint.Spec> spec = record(WorkloadEndpoint.Spec.class, optional(oneOf("k8s", "cni", "openstack")),
        optional(dnsName()), optional(dnsName()), optional(hex(12)),
        optional(dnsName()), optional(oneOf("eth0", "net1")), optional(dnsName()),
        someOf(Arbitraries.oneOf(ipv4().map(a -> a + "/32"), ipv6().map(a -> a + "/128"))),
        someOf(record(WorkloadEndpoint.IPNAT.class, optional(ip()), optional(ip()))), optional(ipv4()),
        optional(ipv6()), someOf(Arbitraries.oneOf(dnsName().map(n -> "kns." + n), dnsName())),
        optional(interfaceName()), optional(mac()), someOf(port), someOf(ValueArbitraries.cidr()), optional(qos));
    return spec.flatMap(s -> {
      Arbitrary<String> name = s.node() == null ? dnsName() : Arbitraries.just(WorkloadEndpoint.expectedName(s));
      return metadata(name, dnsName()).map(m -> new WorkloadEndpoint(m, s));
    });
  }

  static Arbitrary<HostEndpoint> hostEndpoint() {
    Arbitrary<HostEndpoint.Spec> spec = record(HostEndpoint.Spec.class, optional(dnsName()), optional(interfaceName()),
        someOf(ip()), someOf(dnsName()),
        someOf(record(HostEndpoint.EndpointPort.class, optional(oneOf("ssh", "bgp")), optional(protocol()),
            Arbitraries.integers().between(1, 65535))));
    return Combinators.combine(globalMetadata(), spec).as(HostEndpoint::new);
  }

  static Arbitrary<Rule> rule() {
    Arbitrary<Rule.Icmp> icmp = record(Rule.Icmp.class, optional(Arbitraries.integers().between(0, 255)),
        optional(Arbitraries.integers().between(0, 255)));
    Arbitrary<Rule.EntityRule> entity = record(Rule.EntityRule.class, someOf(ValueArbitraries.cidr()),
        optional(selector()), optional(selector()),
        optional(record(Rule.ServiceMatch.class, optional(dnsName()), optional(dnsName()))),
        someOf(portOrRange()), someOf(ValueArbitraries.cidr()), optional(selector()), someOf(portOrRange()),
        optional(record(Rule.ServiceAccountMatch.class, someOf(dnsName()), optional(selector()))));
    Arbitrary<Rule.HttpMatch> http = record(Rule.HttpMatch.class, someOf(oneOf("GET", "PUT", "POST")),
        someOf(record(Rule.HttpPath.class, optional(oneOf("/healthz", "/api/v1")), optional(oneOf("/", "/static")))));
    return record(Rule.class, oneOf("Allow", "Deny", "Log", "Pass"), optional(Arbitraries.of(4, 6)),
        optional(protocol()), optional(icmp), optional(protocol()), optional(icmp), optional(entity),
        optional(entity), optional(http),
        optional(record(Rule.RuleMetadata.class, ValueArbitraries.annotations())));
  }

  static Arbitrary<Profile> profile() {
    Arbitrary<Profile.Spec> spec = record(Profile.Spec.class, someOf(rule()), someOf(rule()), labels());
    return Combinators.combine(globalMetadata(), spec).as(Profile::new);
  }

  /**
   * Policy orders as users write them: whole numbers (written without a fraction) and decimals; both come back as
   * the same {@code Double}.
   */
  static Arbitrary<Double> order() {
    return Arbitraries.oneOf(Arbitraries.integers().between(-1000, 100_000).map(Integer::doubleValue),
        Arbitraries.bigDecimals().between(java.math.BigDecimal.valueOf(-1000), java.math.BigDecimal.valueOf(100_000))
            .ofScale(3).map(java.math.BigDecimal::doubleValue));
  }

  private static Arbitrary<java.util.List<String>> policyTypes() {
    return Arbitraries.of(List.of("Ingress"), List.of("Egress"), List.of("Ingress", "Egress"),
        List.of("Egress", "Ingress"));
  }

  static Arbitrary<GlobalNetworkPolicy> globalNetworkPolicy() {
    Arbitrary<Boolean> flag = optional(Arbitraries.of(true, false));
    Arbitrary<GlobalNetworkPolicy.Spec> spec = record(GlobalNetworkPolicy.Spec.class, optional(oneOf("default")),
        optional(order()), optional(selector()), optional(policyTypes()), someOf(rule()), someOf(rule()), flag, flag,
        flag, optional(selector()), optional(selector()), someOf(oneOf("AssumeNeededOnEveryNode")));
    return Combinators.combine(globalMetadata(), spec).as(GlobalNetworkPolicy::new);
  }

  static Arbitrary<NetworkPolicy> networkPolicy() {
    Arbitrary<NetworkPolicy.Spec> spec = record(NetworkPolicy.Spec.class, optional(oneOf("default")),
        optional(order()), optional(selector()), optional(policyTypes()), someOf(rule()), someOf(rule()),
        optional(selector()), someOf(oneOf("AssumeNeededOnEveryNode")));
    return Combinators.combine(metadata(dnsName(), dnsName()), spec).as(NetworkPolicy::new);
  }

  static Arbitrary<GlobalNetworkSet> globalNetworkSet() {
    return Combinators.combine(globalMetadata(),
        someOf(ValueArbitraries.cidr()).map(GlobalNetworkSet.Spec::new)).as(GlobalNetworkSet::new);
  }

  static Arbitrary<NetworkSet> networkSet() {
    return Combinators.combine(metadata(dnsName(), dnsName()),
        someOf(ValueArbitraries.cidr()).map(NetworkSet.Spec::new)).as(NetworkSet::new);
  }

  static Arbitrary<ClusterInformation> clusterInformation() {
    Arbitrary<ClusterInformation.Spec> spec = record(ClusterInformation.Spec.class,
        optional(hex(32)),
        optional(oneOf("k8s,bgp,kubeadm", "typha,kdd,k8s,operator,bgp")), optional(oneOf("v3.29.1", "v3.30.0")),
        optional(Arbitraries.of(true, false)), optional(oneOf("Calico", "Enterprise")));
    return metadata(Arbitraries.just(ClusterInformation.NAME), Arbitraries.just(null))
        .flatMap(m -> spec.map(s -> new ClusterInformation(m, s)));
  }

  static Arbitrary<Hook> hook() {
    Arbitrary<Hook.Match> match = record(Hook.Match.class, someOf(oneOf("IPPool", "Node", "WorkloadEndpoint")),
        optional(oneOf("*", "prod-*", "pool-?", "default-ipv4-ippool")), optional(oneOf("*", "kube-*", "default")),
        someOf(oneOf("create", "update", "delete")), optional(oneOf("spec.natOutgoing", "metadata.labels", "spec")));
    Arbitrary<Hook.Exec> exec = record(Hook.Exec.class, optional(oneOf("/usr/local/bin/notify", "logger")),
        someOf(text()), optional(duration()));
    Arbitrary<Hook.Webhook> webhook = record(Hook.Webhook.class,
        optional(oneOf("https://cmdb.example.com/calico", "http://127.0.0.1:8080/hook")),
        optional(oneOf("/etc/calico/hook.secret")), optional(oneOf("/etc/calico/ca.pem")), Arbitraries.of(true, false),
        optional(duration()));
    Arbitrary<Hook.Retry> retry = record(Hook.Retry.class, optional(Arbitraries.integers().between(1, 100)),
        optional(duration()), optional(duration()));
    Arbitrary<Hook.Spec> spec = record(Hook.Spec.class, optional(match), optional(exec), optional(webhook),
        optional(retry), optional(oneOf("now", "beginning", "1234", "0777")));
    return Combinators.combine(globalMetadata(), spec).as(Hook::new);
  }

  /** Hex identifiers (container IDs, GUIDs); see {@link ValueArbitraries} for the filter. */
  private static Arbitrary<String> hex(int length) {
    return Arbitraries.strings().withChars("0123456789abcdef").ofLength(length);
  }

  /**
   * Builds a record through its canonical constructor from one arbitrary per component, in declaration order; the
   * records here have up to 19 components, past what {@code Combinators.combine} takes as separate parameters.
   */
  static <R extends Record> Arbitrary<R> record(Class<R> type, Arbitrary<?>... components) {
    RecordComponent[] rc = type.getRecordComponents();
    if (rc.length != components.length) {
      throw new IllegalArgumentException(type.getName() + " has " + rc.length + " components, got " + components.length);
    }
    Constructor<R> ctor;
    try {
      ctor = type.getDeclaredConstructor(Arrays.stream(rc).map(RecordComponent::getType).toArray(Class<?>[]::new));
    } catch (NoSuchMethodException e) {
      throw new AssertionError(e);
    }
    @SuppressWarnings("unchecked")
    List<Arbitrary<Object>> parts = Arrays.stream(components).map(a -> (Arbitrary<Object>) a).toList();
    return Combinators.combine(parts).as(values -> {
      try {
        return ctor.newInstance(values.toArray());
      } catch (InvocationTargetException e) {
        throw new IllegalArgumentException("cannot build " + type.getSimpleName() + " from " + values, e.getCause());
      } catch (ReflectiveOperationException e) {
        throw new AssertionError(e);
      }
    });
  }
}
