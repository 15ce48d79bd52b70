package org.calicoledger.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;

/**
 * Step 7: network policy. node-1/pod-2 becomes {@code role=db}, node-1/pod-1 {@code role=web} and node-2/pod-1
 * {@code role=other} ({@code calicoctl label}); a GlobalNetworkPolicy selecting {@code role == 'db'} allows ICMP from
 * {@code role == 'web'} only. Checks: web still reaches db, other no longer does (denied by default once a policy
 * selects the pod), the policy's chain counts the allowed pings ({@code iptables -L cali-pi-demo-db -v}) and the
 * {@code cali40s:} set holds web's address; relabelling other to {@code role=web} lets it through within seconds
 * (the time is printed), and deleting the policy opens db to everyone again (its profile decides). The policy is
 * deleted at the end whatever happened, so later steps see an open cluster.
 */
final class PolicyStep implements Step {
  static final String POLICY = "demo-db";
  private static final ObjectMapper JSON = new ObjectMapper();

  @Override
  public int number() {
    return 7;
  }

  @Override
  public String title() {
    return "network policy: deny by default, allow by label, relabel, delete";
  }

  @Override
  public void run(Walk w, Walk.Recorder r) throws Exception {
    Node n1 = w.cluster.node(1);
    Node n2 = w.cluster.node(2);
    String db = n1.podIp("pod-2");
    try {
      label(w, r, n1, "pod-2", "role=db");
      label(w, r, n1, "pod-1", "role=web");
      label(w, r, n2, "pod-1", "role=other");
      String yaml = "apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata:\n  name: " + POLICY
          + "\nspec:\n  order: 10\n  selector: role == 'db'\n  types: [Ingress]\n  ingress:\n  - action: Allow\n"
          + "    protocol: ICMP\n    source:\n      selector: role == 'web'\n";
      w.show("policy (calicoctl apply -f -)", yaml.strip());
      Host.Result applied = w.calicoctl(yaml, "globalnetworkpolicy", POLICY, "demo step 7: only web pods may ping db",
          "apply", "-f", "-");
      r.check("calicoctl apply of GlobalNetworkPolicy " + POLICY, applied.ok(), applied.text());

      boolean denied = Host.poll(Duration.ofSeconds(20), () -> !n2.ping("pod-1", db))
          && Walk.allPingsFail(n2, "pod-1", db, 3);
      r.check("node-2/pod-1 (role=other) -> db is denied once a policy selects db", denied,
          denied ? "3 pings, no answer" : "answered");
      boolean web = n1.pingWithin("pod-1", db, Duration.ofSeconds(20));
      r.check("node-1/pod-1 (role=web) -> db is allowed by the policy", web, web ? "answered" : "no answer in 20 s");
      String chain = n1.exec("iptables", "-t", "filter", "-L", "cali-pi-" + POLICY, "-v", "-x", "-n").text();
      w.show("node-1: iptables -L cali-pi-" + POLICY + " -v -x -n", chain);
      r.check("the policy's chain counts the allowed pings", allowedPackets(chain) > 0, chain);
      String sets = n1.exec("ipset", "list").out();
      boolean inSet = sets.lines().anyMatch(l -> l.strip().equals(n1.podIp("pod-1")));
      w.show("node-1: ipset list (the cali40s: set of role == 'web')", selectorSets(sets));
      r.check("web's address is in a cali40s: selector set on node-1", inSet, selectorSets(sets));

      label(w, r, n2, "pod-1", "role=web");
      long t0 = System.nanoTime();
      boolean through = n2.pingWithin("pod-1", db, Duration.ofSeconds(10));
      long ms = (System.nanoTime() - t0) / 1_000_000;
      r.check("relabelled role=web, node-2/pod-1 reaches db", through, through
          ? "answered " + ms + " ms after calicoctl label returned (pings 1 s apart)" : "no answer in 10 s");
    } finally {
      Host.Result del = w.calicoctl(null, "globalnetworkpolicy", POLICY, "demo step 7: policy removed", "delete",
          "globalnetworkpolicy", POLICY);
      r.check("calicoctl delete globalnetworkpolicy " + POLICY, del.ok(), del.text());
    }
    label(w, r, n2, "pod-1", "role=other");
    boolean open = n2.pingWithin("pod-1", db, Duration.ofSeconds(20));
    r.check("policy deleted: role=other reaches db again (the profile decides)", open,
        open ? "answered" : "no answer in 20 s");
  }

  /** {@code calicoctl label workloadendpoint <pod's endpoint> k=v -n default --overwrite}. */
  private static void label(Walk w, Walk.Recorder r, Node n, String pod, String kv) throws Exception {
    String wep = endpointName(w, n, pod);
    Host.Result res = w.calicoctl(null, "workloadendpoint", wep, "demo step 7: " + n.name + "/" + pod + " " + kv,
        "label", "workloadendpoint", wep, kv, "-n", "default", "--overwrite");
    r.check("label " + n.name + "/" + pod + " " + kv, res.ok(), res.text());
  }

  /** The WorkloadEndpoint of {@code pod} on {@code n} (the CNI plugin names the pod {@code <node>-<pod>}). */
  private static String endpointName(Walk w, Node n, String pod) throws Exception {
    JsonNode list = JSON.readTree(w.cluster.calicoctl(null, "get", "workloadendpoints", "-n", "default", "-o",
        "json").orThrow().out());
    for (JsonNode item : list.path("items")) {
      if ((n.name + "-" + pod).equals(item.path("spec").path("pod").asText())
          && n.name.equals(item.path("spec").path("node").asText())) {
        return item.path("metadata").path("name").asText();
      }
    }
    throw new IllegalStateException("no WorkloadEndpoint for " + n.name + "/" + pod);
  }

  private static long allowedPackets(String chain) {
    long total = 0;
    for (String l : chain.lines().toList()) {
      String[] f = l.strip().split("\\s+");
      if (l.contains("MARK") && f.length > 0 && f[0].matches("\\d+")) {
        total += Long.parseLong(f[0]);
      }
    }
    return total;
  }

  private static String selectorSets(String ipsetList) {
    StringBuilder out = new StringBuilder();
    boolean in = false;
    for (String l : ipsetList.lines().toList()) {
      if (l.startsWith("Name: ")) {
        in = l.startsWith("Name: cali40s:");
      }
      if (in && !l.startsWith("Header") && !l.startsWith("Size") && !l.startsWith("References")
          && !l.startsWith("Revision")) {
        out.append(l).append('\n');
      }
    }
    return out.toString().strip();
  }
}
