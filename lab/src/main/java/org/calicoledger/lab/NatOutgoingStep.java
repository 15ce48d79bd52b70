package org.calicoledger.lab;

import java.time.Duration;

/**
 * Step 3: a pod reaches the "internet" namespace (203.0.113.1), which has no route back to pod addresses, only
 * because node-1 masquerades it: the MASQUERADE rule's packet counter in {@code cali-nat-outgoing} rises. Then the
 * seed's pipeline {@code calicoctl get ippool -o yaml | sed | calicoctl apply -f -} sets {@code natOutgoing: false},
 * the rule goes and the same ping fails; {@code calicoctl patch} sets it back and the ping is answered again.
 */
final class NatOutgoingStep implements Step {
  @Override
  public int number() {
    return 3;
  }

  @Override
  public String title() {
    return "a pod reaches the internet namespace through MASQUERADE; natOutgoing off and on";
  }

  @Override
  public void run(Walk w, Walk.Recorder r) {
    Node n = w.cluster.node(1);
    String inet = Cluster.INET_ADDRESS;
    long before = masqueraded(n);
    w.say("  " + Walk.label(n, "pod-1") + " pings the internet namespace " + inet);
    boolean ok = n.pingWithin("pod-1", inet, Duration.ofSeconds(20));
    long after = masqueraded(n);
    w.show("node-1: iptables -t nat -L cali-nat-outgoing -v -x -n", natChain(n));
    r.check("node-1/pod-1 -> " + inet + " ping (natOutgoing true)", ok, ok ? "answered" : "no answer in 20 s");
    r.check("MASQUERADE counter in cali-nat-outgoing rises", after > before,
        "packets " + before + " before, " + after + " after");

    Host.Result off = w.poolPipeline("s/natOutgoing: true/natOutgoing: false/",
        "demo step 3: natOutgoing off, pods lose the internet");
    boolean poolOff = off.ok() && !w.pool().path("spec").path("natOutgoing").asBoolean(false);
    r.check("get -o yaml | sed | apply -f - sets natOutgoing: false", poolOff, off.text());
    boolean ruleGone = Host.poll(Duration.ofSeconds(20), () -> masqueraded(n) < 0);
    w.show("node-1: iptables -t nat -L cali-nat-outgoing -v -x -n", natChain(n));
    r.check("node-1's MASQUERADE rule is gone", ruleGone, ruleGone ? "no MASQUERADE in cali-nat-outgoing"
        : natChain(n));
    boolean fails = Walk.allPingsFail(n, "pod-1", inet, 3);
    r.check("the same ping fails (natOutgoing false)", fails, fails ? "3 pings, no answer" : "answered");

    Host.Result on = w.patch("ippool", Walk.POOL, "{\"spec\":{\"natOutgoing\":true}}",
        "demo step 3: natOutgoing back on");
    r.check("calicoctl patch sets natOutgoing: true", on.ok() && w.pool().path("spec").path("natOutgoing")
        .asBoolean(false), on.text());
    boolean back = n.pingWithin("pod-1", inet, Duration.ofSeconds(20));
    r.check("the ping is answered again", back, back ? "answered; MASQUERADE packets " + masqueraded(n)
        : "no answer in 20 s");
  }

  private static String natChain(Node n) {
    Host.Result r = n.exec("iptables", "-t", "nat", "-L", "cali-nat-outgoing", "-v", "-x", "-n");
    return r.ok() ? r.out() : r.text();
  }

  /** Packets counted by MASQUERADE rules in node {@code n}'s cali-nat-outgoing chain; -1 when there is none. */
  static long masqueraded(Node n) {
    Host.Result r = n.exec("iptables", "-t", "nat", "-L", "cali-nat-outgoing", "-v", "-x", "-n");
    long sum = -1;
    for (String l : r.out().lines().toList()) {
      String[] f = l.strip().split("\\s+");
      if (f.length > 2 && f[2].equals("MASQUERADE")) {
        sum = Math.max(sum, 0) + Long.parseLong(f[0]);
      }
    }
    return sum;
  }
}
