package org.calicoledger.bird.rib;

import java.util.LinkedHashMap;
import java.util.Map;
import org.calicoledger.bird.wire.Prefix;

/** The RIB's output as the tests read it: prefix to next hop of every route announced and not withdrawn since. */
final class RecordingListener implements RouteListener {
  final Map<String, String> learned = new LinkedHashMap<>();

  @Override
  public void announce(Prefix prefix, Prefix nextHop) {
    learned.put(prefix.toString(), nextHop.toString());
  }

  @Override
  public void withdraw(Prefix prefix) {
    learned.remove(prefix.toString());
  }
}
