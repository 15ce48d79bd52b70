package org.calicoledger.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The high-availability step ({@code bin/demo --ha}, {@code HaClusterIT}); needs a cluster on {@link HaInfra} with
 * {@code pod-1} on every node. While the first node's pod-1 pings the last node's pod-1 (5 a second), it SIGKILLs
 * etcd member 1, then Kafka node 2, then the leading journal, and after each adds a pod ({@code pod-ha-1} on the first
 * node, {@code pod-ha-2} on the last, {@code pod-ha-3} on the first) through {@code bin/calico}. Checks: the other
 * journal leads; the new pods reach pods on the other node; {@code natOutgoing} switched off and on again after the
 * failures reaches every node's iptables (so the nodes still get changes through the change log, published by the
 * surviving journal on the surviving brokers); the continuous ping lost nothing; and {@code calicoctl history} holds
 * every key under {@code /calico/resources/} and {@code /calico/ipam/} at its current etcd revision, with no
 * (revision, key) twice and revisions in order.
 */
public final class HaStep implements Step {
  private static final Pattern REPLY = Pattern.compile("icmp_seq=(\\d+) ttl=");
  private static final Pattern SEQ = Pattern.compile("icmp_seq=(\\d+)");
  private static final ObjectMapper JSON = new ObjectMapper();

  @Override
  public int number() {
    return 8;
  }

  @Override
  public String title() {
    return "High availability: an etcd member, a Kafka broker and the leading journal die while pods ping";
  }

  @Override
  public void run(Walk w, Walk.Recorder r) throws Exception {
    Cluster c = w.cluster;
    if (!(c.infra() instanceof HaInfra infra)) {
      r.check("the cluster runs the HA infra (3 etcd, 3 Kafka, 2 journals)", false, "infra is " + c.infra());
      return;
    }
    List<Node> nodes = c.nodes();
    Node first = nodes.get(0);
    Node last = nodes.get(nodes.size() - 1);
    String target = last.podIp("pod-1");
    Path pingLog = c.dir.resolve("ha-ping.log");
    // Count only what the failures cost: the continuous ping starts once the path works (a fresh cluster may still be
    // programming the remote VTEP; CI lost exactly the first 4 pings of a run that started before that).
    boolean path = first.pingWithin("pod-1", target, Duration.ofSeconds(60));
    r.check(Walk.label(first, "pod-1") + " reaches " + Walk.label(last, "pod-1") + " before the failures", path,
        path ? "answered" : "no answer in 60 s");
    w.say("continuous ping " + Walk.label(first, "pod-1") + " -> " + Walk.label(last, "pod-1") + " (" + target
        + "), 5 a second; journal leading: " + infra.leader());
    Host.Proc ping = c.host.spawn("ha-ping", Host.nsCommand(first.podNs("pod-1"), Map.of(),
        List.of("ping", "-D", "-O", "-n", "-i", "0.2", "-W", "1", target)), Map.of(), pingLog);
    String dead;
    String p1;
    String p2;
    String p3;
    try {
      infra.killEtcdMember(1);
      w.say(java.time.LocalTime.now() + " killed etcd member 1 (" + HaInfra.address(1) + ", SIGKILL)");
      p1 = first.addPod("pod-ha-1");
      w.say(java.time.LocalTime.now() + " added " + Walk.label(first, "pod-ha-1") + " " + p1);
      infra.killBroker(2);
      w.say(java.time.LocalTime.now() + " killed Kafka node 2 (" + HaInfra.address(2) + ", broker and controller, SIGKILL)");
      p2 = last.addPod("pod-ha-2");
      w.say(java.time.LocalTime.now() + " added " + Walk.label(last, "pod-ha-2") + " " + p2);
      // After losing a broker the journal may give up its lead while its producer recovers; wait for a leader.
      boolean leads = Host.poll(Duration.ofSeconds(60), () -> infra.leader() != null);
      r.check("a journal leads after etcd member 1 and Kafka node 2 died", leads, "leading: " + infra.leader());
      dead = infra.killLeadingJournal();
      w.say(java.time.LocalTime.now() + " killed the leading journal " + dead + " (SIGKILL)");
      boolean other = Host.poll(Duration.ofSeconds(60), () -> infra.leader() != null && !infra.leader().equals(dead));
      r.check("the other journal leads after " + dead + " died", other, "leading now: " + infra.leader());
      p3 = first.addPod("pod-ha-3");
      w.say(java.time.LocalTime.now() + " added " + Walk.label(first, "pod-ha-3") + " " + p3);
      r.check(Walk.label(first, "pod-ha-1") + " reaches " + Walk.label(last, "pod-ha-2"),
          first.pingWithin("pod-ha-1", p2, Duration.ofSeconds(90)), Walk.routeGet(first, p2));
      r.check(Walk.label(last, "pod-ha-2") + " reaches " + Walk.label(first, "pod-ha-3"),
          last.pingWithin("pod-ha-2", p3, Duration.ofSeconds(90)), Walk.routeGet(last, p3));
      // a change every node must get through the change log, now published by the surviving journal through the
      // surviving brokers: natOutgoing off removes each node's MASQUERADE rule, on brings it back
      natOutgoing(w, r, false);
      natOutgoing(w, r, true);
    } finally {
      sleep(1_200); // the last request's answer
      ping.stop(Duration.ofSeconds(2));
    }
    int[] count = count(Host.read(pingLog));
    r.check("the continuous ping lost nothing", count[0] > 0 && count[1] == 0,
        count[0] + " sent, " + count[1] + " unanswered");
    historyHoldsEtcd(w, r, infra);
  }

  private static void natOutgoing(Walk w, Walk.Recorder r, boolean on) {
    Host.Result p = w.patch("ippool", Walk.POOL, "{\"spec\":{\"natOutgoing\":" + on + "}}",
        "HA step: natOutgoing " + on + " after the failures");
    if (!p.ok()) {
      r.check("calicoctl patch natOutgoing " + on, false, p.text());
      return;
    }
    for (Node n : w.cluster.nodes()) {
      boolean ok = Host.poll(Duration.ofSeconds(60), () -> masquerades(n) == on);
      r.check(n.name + (on ? " masquerades again" : " stops masquerading") + " (natOutgoing " + on + " reached it)",
          ok, "MASQUERADE in cali-nat-outgoing: " + masquerades(n));
    }
  }

  private static boolean masquerades(Node n) {
    Host.Result res = n.exec("iptables", "-t", "nat", "-S", "cali-nat-outgoing");
    return res.ok() && res.out().contains("MASQUERADE");
  }

  /** Every resource and IPAM key at its etcd revision in the history, once, in order. */
  private static void historyHoldsEtcd(Walk w, Walk.Recorder r, HaInfra infra) throws IOException {
    Map<String, Long> etcd = etcdRevisions(w.cluster, infra);
    Set<String> want = new TreeSet<>();
    etcd.forEach((k, rev) -> want.add(k + "@" + rev));
    List<JsonNode> history = new ArrayList<>();
    Set<String> have = new TreeSet<>();
    Host.poll(Duration.ofSeconds(90), () -> {
      history.clear();
      history.addAll(history(w.cluster));
      have.clear();
      history.forEach(h -> have.add(h.path("key").asText() + "@" + h.path("revision").asLong()));
      return have.containsAll(want);
    });
    Set<String> missing = new TreeSet<>(want);
    missing.removeAll(have);
    r.check("calicoctl history holds every resource and IPAM key in etcd at its revision", !want.isEmpty()
        && missing.isEmpty(), want.size() + " keys in etcd, " + history.size() + " history entries; missing: "
        + missing);
    List<String> pairs = history.stream().map(h -> h.path("revision").asLong() + " " + h.path("key").asText()).toList();
    long distinct = pairs.stream().distinct().count();
    r.check("no change is in the history twice", distinct == pairs.size(), (pairs.size() - distinct) + " repeated");
    List<Long> revs = history.stream().map(h -> h.path("revision").asLong()).toList();
    boolean sorted = true;
    for (int i = 1; i < revs.size(); i++) {
      sorted &= revs.get(i) >= revs.get(i - 1);
    }
    r.check("the history is in etcd revision order", sorted, revs.isEmpty() ? "empty"
        : "revisions " + revs.get(0) + ".." + revs.get(revs.size() - 1));
  }

  /** Keys under /calico/resources/ and /calico/ipam/ with their mod revisions, read from the living members. */
  static Map<String, Long> etcdRevisions(Cluster c, HaInfra infra) throws IOException {
    Map<String, Long> out = new TreeMap<>();
    for (String prefix : List.of("/calico/resources/", "/calico/ipam/")) {
      Host.Result res = Host.inNs(c.infraNs, Map.of("ETCDCTL_API", "3"), null, Duration.ofSeconds(30), "etcdctl",
          "--endpoints", infra.liveEtcdEndpoints(), "get", "--prefix", prefix, "-w", "json").orThrow();
      for (JsonNode kv : JSON.readTree(res.out()).path("kvs")) {
        out.put(new String(Base64.getDecoder().decode(kv.path("key").asText()), StandardCharsets.UTF_8),
            kv.path("mod_revision").asLong());
      }
    }
    return out;
  }

  private static List<JsonNode> history(Cluster c) {
    Host.Result res = c.calicoctl(null, "history", "-o", "json");
    List<JsonNode> out = new ArrayList<>();
    if (res.ok()) {
      try {
        JSON.readTree(res.out()).forEach(out::add);
      } catch (IOException e) {
        throw new IllegalStateException("calicoctl history -o json printed no JSON: " + res.text(), e);
      }
    }
    return out;
  }

  /** {sent, lost} from {@code ping -O} output: the highest sequence number, and how many up to it got no reply. */
  static int[] count(String out) {
    Set<Integer> answered = new TreeSet<>();
    int max = 0;
    Matcher m = REPLY.matcher(out);
    while (m.find()) {
      answered.add(Integer.parseInt(m.group(1)));
    }
    Matcher s = SEQ.matcher(out);
    while (s.find()) {
      max = Math.max(max, Integer.parseInt(s.group(1)));
    }
    return new int[] {max, max - answered.size()};
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
