package org.calicoledger.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Step 6: {@code calicoctl history} (read from the change log on Kafka) holds every change this walk made, each with
 * the walk's actor ({@code CALICO_ACTOR}) and the reason it gave ({@code --reason}). The history since the walk began
 * is shown for the kinds the walk changed.
 */
final class HistoryStep implements Step {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Override
  public int number() {
    return 6;
  }

  @Override
  public String title() {
    return "calicoctl history of what the demo changed, with actors and reasons";
  }

  @Override
  public void run(Walk w, Walk.Recorder r) throws IOException {
    List<Walk.Change> changes = w.changes();
    String since = w.started.truncatedTo(ChronoUnit.SECONDS).toString();
    if (!r.check("the walk made changes to look up", !changes.isEmpty(), changes.size() + " changes")) {
      return;
    }
    List<String> missing = new ArrayList<>();
    JsonNode[] entries = {null};
    // the journal publishes within moments; give it a little time for the last change
    Host.poll(Duration.ofSeconds(20), () -> {
      Host.Result h = w.cluster.calicoctl(null, "history", "--since", since, "-o", "json");
      if (!h.ok()) {
        return false;
      }
      try {
        entries[0] = JSON.readTree(h.out());
      } catch (IOException e) {
        return false;
      }
      missing.clear();
      List<JsonNode> pool = new ArrayList<>();
      entries[0].forEach(pool::add);
      for (Walk.Change ch : changes) {
        // each change must match its own entry: the same reason can be used twice (e.g. a retry)
        int at = -1;
        for (int i = 0; i < pool.size(); i++) {
          JsonNode e = pool.get(i);
          if (w.actor.equals(e.path("actor").asText()) && ch.reason().equals(e.path("reason").asText())
              && e.path("key").asText().toLowerCase().contains(ch.name().toLowerCase())) {
            at = i;
            break;
          }
        }
        if (at < 0) {
          missing.add(ch.kind() + " " + ch.name() + " (" + ch.reason() + ")");
        } else {
          pool.remove(at);
        }
      }
      return missing.isEmpty();
    });
    for (String kind : changes.stream().map(Walk.Change::kind).distinct().toList()) {
      Host.Result t = w.cluster.calicoctl(null, "history", kind, "--since", since);
      w.show("calicoctl history " + kind + " --since " + since, t.text());
    }
    int n = entries[0] == null ? 0 : entries[0].size();
    r.check("every change the demo made is in calicoctl history with actor '" + w.actor + "' and its reason",
        entries[0] != null && missing.isEmpty(), entries[0] == null ? "calicoctl history failed"
            : (changes.size() - missing.size()) + " of " + changes.size() + " found among " + n + " events since "
            + since + (missing.isEmpty() ? "" : "; missing: " + missing));
    Map<String, Long> actors = new java.util.TreeMap<>();
    if (entries[0] != null) {
      entries[0].forEach(e -> actors.merge(e.path("actor").asText(), 1L, Long::sum));
    }
    w.say("  actors since " + since + ": " + actors);
  }
}
