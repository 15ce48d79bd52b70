package org.calicoledger.bird.io;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.calicoledger.bird.rib.RouteListener;
import org.calicoledger.bird.wire.Prefix;

/** Keeps what a speaker announced to its RouteListener: prefix to next hop. */
final class RecordingListener implements RouteListener {
  final Map<String, String> routes = new ConcurrentHashMap<>();

  @Override
  public void announce(Prefix prefix, Prefix nextHop) {
    routes.put(prefix.toString(), nextHop == null ? "none" : nextHop.toString().replaceAll("/\\d+$", ""));
  }

  @Override
  public void withdraw(Prefix prefix) {
    routes.remove(prefix.toString());
  }
}
