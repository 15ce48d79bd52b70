package org.calicoledger.bench;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.calicoledger.events.image.ClusterImage;
import org.calicoledger.store.Keys;

/**
 * The cluster of the {@code felix-policy} benchmark, as resource JSON on top of {@link FelixFixture#base}.
 *
 * <ul>
 *   <li>{@value #LOCAL} WorkloadEndpoints on node {@link FelixFixture#NODE} (endpoints {@code 0..LOCAL-1}, interface
 *       {@link FelixFixture#hashedIface}) and {@value #REMOTE} on {@value #PEERS} other nodes (endpoints
 *       {@code LOCAL..LOCAL+REMOTE-1}), all in namespace {@code default} at {@link FelixFixture#ip}; endpoint
 *       {@code i} has labels {@code app=a<i % 500>}, {@code tier=t<i % 5>} and Calico's Kubernetes profiles
 *       {@code kns.default} (allow all, {@code labelsToApply} {@code pcns.projectcalico.org/name}) and
 *       {@code ksa.default.default} (no rules, {@code labelsToApply} {@code pcsa.projectcalico.org/name}).</li>
 *   <li>{@value #POLICIES} policies, even ones GlobalNetworkPolicies, odd ones NetworkPolicies in {@code default}:
 *       policy {@code p} selects {@code app == 'a<p % 500>'}, or for every 50th {@code tier == 't<p/50 % 5>'} (so
 *       an endpoint is selected by about 6); order {@code 100 + 10 * (p % 10)}, none for every 13th; ingress allows
 *       TCP 808x and 9000:9010 from {@code app == 'a<(7p+1) % 500>'} and TCP 443 from {@code tier == 't<p % 5>'};
 *       every 5th first denies one /24, every 4th allows UDP 53 from two CIDRs (a {@code cali40n:} set); every 3rd
 *       also has egress: TCP 5432 to {@code app == 'a<(11p+3) % 500>'} and UDP 53 to one /32.</li>
 * </ul>
 * {@link #relabel} is the change-log event that gives one endpoint another {@code app}, so its address leaves the
 * selector sets of its old app and joins those of the new one; {@link #editPolicy} changes one policy's port.
 */
final class PolicyCluster {
  static final int LOCAL = 2_000;
  static final int REMOTE = 2_000;
  static final int PEERS = 20;
  static final int POLICIES = 1_000;
  static final int APPS = 500;
  static final int TIERS = 5;

  private PolicyCluster() {}

  /** The whole cluster as one snapshot (a fresh image each call: nothing decoded yet, as a journal delivers it). */
  static ClusterImage image() {
    Map<String, String> r = FelixFixture.base();
    r.put(Keys.RESOURCES + "profiles/kns.default", profile("kns.default", "pcns.projectcalico.org/name",
        "\"ingress\":[{\"action\":\"Allow\"}],\"egress\":[{\"action\":\"Allow\"}],"));
    r.put(Keys.RESOURCES + "profiles/ksa.default.default", profile("ksa.default.default",
        "pcsa.projectcalico.org/name", ""));
    for (int i = 0; i < LOCAL + REMOTE; i++) {
      r.put(endpointKey(i), endpointJson(i, i % APPS));
    }
    for (int p = 0; p < POLICIES; p++) {
      String name = "bench-p" + p;
      if (p % 2 == 0) {
        r.put(Keys.RESOURCES + "globalnetworkpolicies/" + name, "{\"kind\":\"GlobalNetworkPolicy\","
            + "\"apiVersion\":\"projectcalico.org/v3\",\"metadata\":{\"name\":\"" + name + "\"},\"spec\":{"
            + policySpec(p, 8080 + p % 3) + "}}");
      } else {
        r.put(Keys.RESOURCES + "networkpolicies/default/" + name, "{\"kind\":\"NetworkPolicy\","
            + "\"apiVersion\":\"projectcalico.org/v3\",\"metadata\":{\"name\":\"" + name + "\",\"namespace\":"
            + "\"default\"},\"spec\":{" + policySpec(p, 8080 + p % 3) + "}}");
      }
    }
    return FelixFixture.snapshot(r);
  }

  /** {@code image} after the next revision gives endpoint {@code i} label {@code app=a<app>}. */
  static ClusterImage relabel(ClusterImage image, int i, int app) {
    return FelixFixture.plus(image, endpointKey(i), endpointJson(i, app));
  }

  /**
   * {@code image} after the next revision changes GlobalNetworkPolicy {@code p} (even) to allow its first rule's
   * traffic on TCP {@code port} instead of {@code 808x}.
   */
  static ClusterImage editPolicy(ClusterImage image, int p, int port) {
    if (p % 2 != 0) {
      throw new IllegalArgumentException("policy " + p + " is a NetworkPolicy; GlobalNetworkPolicies are even");
    }
    String name = "bench-p" + p;
    return FelixFixture.plus(image, Keys.RESOURCES + "globalnetworkpolicies/" + name, "{\"kind\":"
        + "\"GlobalNetworkPolicy\",\"apiVersion\":\"projectcalico.org/v3\",\"metadata\":{\"name\":\"" + name
        + "\"},\"spec\":{" + policySpec(p, port) + "}}");
  }

  static boolean local(int i) {
    return i < LOCAL;
  }

  private static String node(int i) {
    return local(i) ? FelixFixture.NODE : "bench-peer-" + (i % PEERS);
  }

  private static String endpointName(int i) {
    return node(i).replace("-", "--") + "-k8s-pod" + i + "-eth0";
  }

  private static String endpointKey(int i) {
    return Keys.RESOURCES + "workloadendpoints/default/" + endpointName(i);
  }

  private static String endpointJson(int i, int app) {
    return FelixFixture.endpointJson(endpointName(i), node(i), "pod" + i, FelixFixture.hashedIface(i),
        FelixFixture.ip(i), "\"app\":\"a" + app + "\",\"tier\":\"t" + (i % TIERS) + "\"",
        List.of("kns.default", "ksa.default.default"));
  }

  private static String profile(String name, String labelKey, String rules) {
    return "{\"kind\":\"Profile\",\"apiVersion\":\"projectcalico.org/v3\",\"metadata\":{\"name\":\"" + name
        + "\"},\"spec\":{" + rules + "\"labelsToApply\":{\"" + labelKey + "\":\"default\"}}}";
  }

  private static String policySpec(int p, int port) {
    StringBuilder s = new StringBuilder();
    if (p % 13 != 0) {
      s.append("\"order\":").append(100 + 10 * (p % 10)).append(',');
    }
    s.append("\"selector\":\"").append(p % 50 == 49 ? "tier == 't" + (p / 50 % TIERS) + "'" : "app == 'a" + p % APPS
        + "'").append("\",");
    boolean egress = p % 3 == 0;
    s.append("\"types\":[\"Ingress\"").append(egress ? ",\"Egress\"" : "").append("],\"ingress\":[");
    if (p % 5 == 0) {
      s.append("{\"action\":\"Deny\",\"source\":{\"nets\":[\"10.99.").append(p % 250).append(".0/24\"]}},");
    }
    s.append("{\"action\":\"Allow\",\"protocol\":\"TCP\",\"source\":{\"selector\":\"app == 'a")
        .append((7 * p + 1) % APPS).append("'\"},\"destination\":{\"ports\":[").append(port)
        .append(",\"9000:9010\"]}},");
    s.append("{\"action\":\"Allow\",\"protocol\":\"TCP\",\"source\":{\"selector\":\"tier == 't").append(p % TIERS)
        .append("'\"},\"destination\":{\"ports\":[443]}}");
    if (p % 4 == 0) {
      s.append(String.format(Locale.ROOT, ",{\"action\":\"Allow\",\"protocol\":\"UDP\",\"source\":{\"nets\":"
          + "[\"192.168.%d.0/24\",\"172.16.%d.0/20\"]},\"destination\":{\"ports\":[53]}}", p % 256, p % 16 * 16));
    }
    s.append(']');
    if (egress) {
      s.append(",\"egress\":[{\"action\":\"Allow\",\"protocol\":\"TCP\",\"destination\":{\"selector\":\"app == 'a")
          .append((11 * p + 3) % APPS).append("'\",\"ports\":[5432]}},{\"action\":\"Allow\",\"protocol\":\"UDP\","
          + "\"destination\":{\"nets\":[\"10.96.0.10/32\"],\"ports\":[53]}}]");
    }
    return s.toString();
  }
}
