package org.calicoledger.lab;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A continuous ping from one pod to an address (5 a second, {@code ping -O}, one second to answer), started through
 * the cluster's {@link Host} so the cluster's cleanup kills it. {@link #stop} ends it and counts from its output the
 * echo requests sent and those never answered.
 */
final class Pinger {
  private static final Pattern REPLY = Pattern.compile("icmp_seq=(\\d+) ttl=");
  private static final Pattern NO_ANSWER = Pattern.compile("no answer yet for icmp_seq=(\\d+)");
  private final Host.Proc proc;

  /** What a ping run saw: requests sent (highest sequence number), those never answered, and their numbers. */
  record Count(int sent, int lost, Set<Integer> lostSeqs) {}

  Pinger(Cluster c, Node from, String pod, String dst, Path log) {
    this.proc = c.host.spawn("ping-" + from.name + "-" + pod, Host.nsCommand(from.podNs(pod), Map.of(),
        List.of("ping", "-O", "-n", "-i", "0.2", "-W", "1", dst)), Map.of(), log);
  }

  /** Stops the ping (after letting the last request's answer arrive) and counts. */
  Count stop() {
    try {
      Thread.sleep(1_200);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    proc.stop(java.time.Duration.ofSeconds(2));
    return count(proc.logText());
  }

  static Count count(String out) {
    Set<Integer> answered = new TreeSet<>();
    Set<Integer> unanswered = new TreeSet<>();
    int max = 0;
    Matcher m = REPLY.matcher(out);
    while (m.find()) {
      int s = Integer.parseInt(m.group(1));
      answered.add(s);
      max = Math.max(max, s);
    }
    Matcher n = NO_ANSWER.matcher(out);
    while (n.find()) {
      int s = Integer.parseInt(n.group(1));
      unanswered.add(s);
      max = Math.max(max, s);
    }
    unanswered.removeAll(answered); // a late answer still arrived
    Set<Integer> lost = new TreeSet<>();
    for (int s = 1; s <= max; s++) {
      if (!answered.contains(s)) {
        lost.add(s);
      }
    }
    return new Count(max, lost.size(), lost);
  }
}
