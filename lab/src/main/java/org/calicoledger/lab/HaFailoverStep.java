package org.calicoledger.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Step 7 ({@code bin/demo --ha} only, on an {@link HaInfra}): while a pod on node-1 keeps pinging a pod on the last
 * node, SIGKILL etcd member 1, then Kafka node 2, then the leading journal, writing a change through
 * {@code calicoctl} (a Profile, as the walk's actor with a reason) after each. Checks: every write is acknowledged,
 * the pings go on being answered, and {@code calicoctl history} afterwards holds every change the walk made, each once.
 */
final class HaFailoverStep implements Step {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Override
  public int number() {
    return 7;
  }

  @Override
  public String title() {
    return "HA: kill an etcd member, a Kafka broker and the leading journal while pods ping; history is complete";
  }

  @Override
  public void run(Walk w, Walk.Recorder r) throws Exception {
    if (!(w.cluster.infra() instanceof HaInfra ha)) {
      r.check("the cluster runs the HA infra", false, "started without --ha: " + w.cluster.infra().getClass()
          .getSimpleName());
      return;
    }
    Node from = w.cluster.node(1);
    Node to = w.cluster.nodes().get(w.cluster.nodes().size() - 1);
    String dst = to.podIp("pod-1");
    Instant since = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger sent = new AtomicInteger();
    AtomicInteger answered = new AtomicInteger();
    Thread pinger = new Thread(() -> {
      while (!stop.get()) {
        sent.incrementAndGet();
        if (from.ping("pod-1", dst)) {
          answered.incrementAndGet();
        }
      }
    }, "ha-pinger");
    w.say("  " + Walk.label(from, "pod-1") + " keeps pinging " + Walk.label(to, "pod-1"));
    pinger.start();
    List<String> written = new ArrayList<>();
    try {
      write(w, r, written, "before any failure");
      w.say("  SIGKILL etcd member 1 (" + HaInfra.address(1) + ")");
      ha.killEtcdMember(1);
      write(w, r, written, "after etcd member 1 was killed");
      w.say("  SIGKILL Kafka node 2 (" + HaInfra.address(2) + ")");
      ha.killBroker(2);
      write(w, r, written, "after Kafka node 2 was killed");
      String journal = ha.killLeadingJournal();
      w.say("  SIGKILL the leading journal " + journal);
      write(w, r, written, "after the leading journal " + journal + " was killed");
      Host.poll(Duration.ofSeconds(30), () -> ha.leader() != null && !journal.equals(ha.leader()));
      r.check("another journal leads after " + journal + " was killed", ha.leader() != null
          && !journal.equals(ha.leader()), "leader now " + ha.leader());
      int before = answered.get();
      boolean still = Host.poll(Duration.ofSeconds(20), () -> answered.get() >= before + 3);
      r.check("pods still ping after the failures", still, "answered " + (answered.get() - before)
          + " more after the last kill");
    } finally {
      stop.set(true);
      pinger.join(15_000);
    }
    r.check("pings during the failures", answered.get() > 0, answered.get() + " of " + sent.get() + " answered");

    String[] seen = {""};
    Set<String> missing = new TreeSet<>(written);
    boolean all = Host.poll(Duration.ofSeconds(30), () -> {
      Host.Result h = w.cluster.calicoctl(null, "history", "profile", "--since", since.toString(), "-o", "json");
      if (!h.ok()) {
        seen[0] = h.text();
        return false;
      }
      try {
        JsonNode entries = JSON.readTree(h.out());
        missing.clear();
        missing.addAll(written);
        Map<String, Integer> count = new java.util.HashMap<>();
        for (JsonNode e : entries) {
          if (w.actor.equals(e.path("actor").asText())) {
            for (String name : written) {
              if (e.path("key").asText().endsWith("/" + name)) {
                count.merge(name, 1, Integer::sum);
                missing.remove(name);
              }
            }
          }
        }
        seen[0] = entries.size() + " profile events; per change " + count;
        return missing.isEmpty() && count.values().stream().allMatch(c -> c == 1);
      } catch (IOException e) {
        seen[0] = e.toString();
        return false;
      }
    });
    w.show("calicoctl history profile --since " + since, w.cluster.calicoctl(null, "history", "profile", "--since",
        since.toString()).text());
    r.check("calicoctl history holds every change written during the failures, once, with actor and reason", all,
        (written.size() - missing.size()) + " of " + written.size() + " found; " + seen[0]
            + (missing.isEmpty() ? "" : "; missing " + missing));
  }

  /** Creates Profile {@code demo-ha-<n>} through calicoctl (retrying while the cluster fails over). */
  private static void write(Walk w, Walk.Recorder r, List<String> written, String when) {
    String name = "demo-ha-" + (written.size() + 1);
    String yaml = "apiVersion: projectcalico.org/v3\nkind: Profile\nmetadata:\n  name: " + name
        + "\nspec:\n  labelsToApply:\n    demo: ha\n";
    String reason = "demo step 7: written " + when;
    Host.Result[] last = {null};
    boolean ok = Host.poll(Duration.ofSeconds(60), () -> {
      last[0] = w.cluster.calicoctlWith(Map.of("CALICO_ACTOR", w.actor), yaml, "apply", "-f", "-", "--reason",
          reason);
      return last[0].ok();
    });
    if (ok) {
      written.add(name);
      w.record(new Walk.Change("profile", name, reason));
    }
    r.check("write " + name + " (" + when + ")", ok, last[0].text());
  }
}
