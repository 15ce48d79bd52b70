package org.calicoledger.model;

import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;
import org.calicoledger.model.net.ReferenceNetwork;

/**
 * Field values as Calico users and components write them: DNS-1123 names, label keys and values, free-text
 * annotations, addresses, CIDRs, MACs, durations, AS numbers, ports, protocols, selectors.
 *
 * <p>What must stay true for the round-trip properties: strings are either absent ({@code null}) or non-empty, and
 * collections are either absent or non-empty, because the codec writes "" and [] as absent (Calico's
 * {@code omitempty}). Strings that YAML 1.1 reads as numbers in any notation (exponents, hex, binary, underscores,
 * .inf, .nan), booleans, nulls and strings with a NEL are generated everywhere, and {@link #yamlNumberLookalikes()}
 * aims at them: the codec must quote them all.
 */
final class ValueArbitraries {
  /** SnakeYAML's YAML 1.1 int and float resolution patterns (the reader behind the codec's YAML). */
  static final Pattern YAML_NUMBER = Pattern.compile(
      "[-+]?0b_*[0-1][0-1_]*|[-+]?0_*[0-7][0-7_]*|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x_*[0-9a-fA-F][0-9a-fA-F_]*"
          + "|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+"
          + "|[-+]?(?:[0-9][0-9_]*)\\.[0-9_]*(?:[eE][-+]?[0-9]+)?|[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)"
          + "|[-+]?\\.[0-9_]+(?:[eE][-+]?[0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\\.[0-9_]*"
          + "|[-+]?\\.(?:inf|Inf|INF)|\\.(?:nan|NaN|NAN)");
  private static final String LOWER_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789";

  private ValueArbitraries() {}

  static <T> Arbitrary<T> optional(Arbitrary<T> a) {
    return a.injectNull(0.35);
  }

  /** Absent, or one to three elements. */
  static <T> Arbitrary<List<T>> someOf(Arbitrary<T> a) {
    return a.list().ofMinSize(1).ofMaxSize(3).injectNull(0.4);
  }

  /** One DNS-1123 label: lower-case alphanumerics and '-', alphanumeric at both ends. */
  static Arbitrary<String> dnsLabel() {
    Arbitrary<String> random = Combinators.combine(
            Arbitraries.strings().withChars(LOWER_ALNUM).ofLength(1),
            Arbitraries.strings().withChars(LOWER_ALNUM + "-").ofMaxLength(10),
            Arbitraries.strings().withChars(LOWER_ALNUM).ofLength(1))
        .as((a, mid, z) -> mid.isEmpty() && a.equals(z) ? a : a + mid + z);
    return Arbitraries.frequencyOf(
        Tuple.of(2, random),
        Tuple.of(1, Arbitraries.of("default", "node-1", "worker-a", "ipv4-pool", "rack1", "zone-b", "calico",
            "true", "null", "yes", "on", "no", "y", "0777", "2024-01-02", "a--b")));
  }

  /** A DNS-1123 subdomain of one to three labels, as Calico names most resources. */
  static Arbitrary<String> dnsName() {
    return dnsLabel().list().ofMinSize(1).ofMaxSize(3).map(l -> String.join(".", l));
  }

  static Arbitrary<String> labelKey() {
    Arbitrary<String> name = Arbitraries.strings().withChars("abcXYZ019-_.").ofMaxLength(12)
        .map(s -> "k" + s + "0");
    return Arbitraries.oneOf(name, Arbitraries.of("app", "projectcalico.org/namespace", "kubernetes.io/os",
        "app.kubernetes.io/version", "topology.kubernetes.io/zone", "rr"),
        Combinators.combine(dnsName(), name).as((p, n) -> p + "/" + n));
  }

  static Arbitrary<String> labelValue() {
    Arbitrary<String> random = Arbitraries.strings().withChars("abcXYZ019-_.").ofMaxLength(20)
        .map(s -> "v" + s + "9");
    return Arbitraries.oneOf(Arbitraries.of("", "linux", "east", "v3.29.1", "True", "NULL", "Off", "0777", "1.5", "42"), random);
  }

  static Arbitrary<Map<String, String>> labels() {
    return Arbitraries.maps(labelKey(), labelValue()).ofMinSize(1).ofMaxSize(4).injectNull(0.4);
  }

  /** Free text, including what YAML must quote or escape: indicators, newlines, tabs, non-ASCII, emoji. */
  static Arbitrary<String> text() {
    Arbitrary<String> ascii = Arbitraries.strings().withCharRange(' ', '~').withChars('\n', '\t').ofMaxLength(40);
    Arbitrary<String> odd = Arbitraries.of("", " ", "a: b", "# not a comment", "- item", "? key", "'single'",
        "\"double\"", "{\"apiVersion\":\"v1\",\"kind\":\"Pod\"}\n", "line one\nline two\n", " leading", "trailing ",
        "caf\u00e9", "\u6570\u636e", "\uD83D\uDE00 party", "tab\there", "true", "null", "~", "yes", "@at", "`tick",
        "%pct", "!tag", "&anchor", "*alias", "|", ">", "2026-11-26T10:00:00Z", "word ".repeat(30), "\u2028");
    return Arbitraries.oneOf(ascii, odd, Combinators.combine(odd, ascii).as(String::concat));
  }

  static Arbitrary<Map<String, String>> annotations() {
    return Arbitraries.maps(labelKey(), text()).ofMinSize(1).ofMaxSize(3).injectNull(0.5);
  }

  /** Strings YAML 1.1 reads as numbers in a non-decimal notation, that are also DNS-1123 names and label values: git hashes, hex, binary. */
  static Arbitrary<String> dnsNumberLookalikes() {
    Arbitrary<String> digits = Arbitraries.strings().numeric().ofMinLength(1).ofMaxLength(6);
    return Arbitraries.oneOf(
        Combinators.combine(digits, digits).as((a, b) -> a + "e" + b),
        Arbitraries.strings().withChars("0123456789abcdef").ofMinLength(1).ofMaxLength(8).map(h -> "0x" + h),
        Arbitraries.strings().withChars("01").ofMinLength(1).ofMaxLength(8).map(b -> "0b" + b),
        Combinators.combine(digits, digits).as((a, b) -> a + "." + b + "e" + a));
  }

  /** Anything YAML 1.1 reads as a non-decimal number (or whose NEL it folds), valid as an annotation value. */
  static Arbitrary<String> yamlNumberLookalikes() {
    return Arbitraries.oneOf(dnsNumberLookalikes(),
        Arbitraries.of(".inf", "-.inf", ".NaN", "1_000", "+0x1F", "6.02E23", "1e-3", "line\u0085next"));
  }

  static Arbitrary<String> ipv4() {
    return ReferenceNetwork.ipv4().map(ReferenceNetwork::canonicalAddress);
  }

  static Arbitrary<String> ipv6() {
    return ReferenceNetwork.ipv6().map(ReferenceNetwork::canonicalAddress);
  }

  static Arbitrary<String> ip() {
    return Arbitraries.oneOf(ipv4(), ipv6());
  }

  /** A strictly masked CIDR in canonical text. */
  static Arbitrary<String> cidr() {
    return ReferenceNetwork.any().map(n -> n.masked().canonical());
  }

  static Arbitrary<String> mac() {
    return Arbitraries.bytes().array(byte[].class).ofSize(6).map(b -> {
      StringBuilder sb = new StringBuilder();
      for (byte x : b) {
        sb.append(sb.length() == 0 ? "" : ":").append(String.format("%02x", x & 0xff));
      }
      return sb.toString();
    });
  }

  static Arbitrary<String> duration() {
    return Arbitraries.oneOf(Arbitraries.of("90s", "1m30s", "500ms", "0", "1.5h", "250us", "2m0s", "10s"),
        Arbitraries.integers().between(1, 3600).map(n -> n + "s"));
  }

  static Arbitrary<AsNumber> asNumber() {
    return Arbitraries.oneOf(Arbitraries.longs().between(0, AsNumber.MAX), Arbitraries.of(64512L, 65535L, 65536L))
        .map(AsNumber::new);
  }

  static Arbitrary<IntOrString> protocol() {
    return Arbitraries.oneOf(Arbitraries.of("TCP", "UDP", "SCTP", "ICMP", "ICMPv6", "UDPLite", "tcp").map(IntOrString::of),
        Arbitraries.longs().between(1, 255).map(IntOrString::of));
  }

  /** A port, a range {@code a:b}, or a named port, as rule ports are written. */
  static Arbitrary<IntOrString> portOrRange() {
    Arbitrary<Integer> port = Arbitraries.integers().between(1, 65535);
    return Arbitraries.oneOf(port.map(p -> IntOrString.of(p)),
        Combinators.combine(port, port).as((a, b) -> IntOrString.of(Math.min(a, b) + ":" + Math.max(a, b))),
        Arbitraries.of("http", "metrics", "dns-tcp").map(IntOrString::of));
  }

  static Arbitrary<String> selector() {
    return Arbitraries.of("all()", "has(zone)", "zone == 'east'", "!has(edge)", "rack in {'r1', 'r2'}",
        "kubernetes.io/os == 'linux' && has(bgp)", "projectcalico.org/name == 'prod' || global()", "role != \"db\"");
  }

  static Arbitrary<String> interfaceName() {
    return Arbitraries.oneOf(Arbitraries.of("eth0", "ens3", "bond0.100", "*", "vxlan.calico", "wireguard.cali"),
        Arbitraries.strings().withChars("0123456789abcdef").ofLength(11).map(s -> "cali" + s));
  }

  static Arbitrary<String> uid() {
    return Combinators.combine(Arbitraries.longs(), Arbitraries.longs()).as((a, b) -> new UUID(a, b).toString());
  }

  static Arbitrary<String> timestamp() {
    return Arbitraries.longs().between(946_684_800L, 4_102_444_800L).map(s -> Instant.ofEpochSecond(s).toString());
  }

  static Arbitrary<String> revision() {
    return Arbitraries.longs().between(1, 999_999_999_999_999_999L).map(String::valueOf);
  }

  /** Base64 of 32 bytes, as a WireGuard public key. */
  static Arbitrary<String> wireguardKey() {
    return Arbitraries.bytes().array(byte[].class).ofSize(32).map(b -> Base64.getEncoder().encodeToString(b));
  }

  static Arbitrary<String> oneOf(String... values) {
    return Arbitraries.of(values);
  }
}
