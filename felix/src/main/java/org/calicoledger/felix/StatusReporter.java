package org.calicoledger.felix;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import org.calicoledger.store.Store;
import org.calicoledger.store.Txn;

/**
 * Felix's status in etcd, as Calico's Felix reports it: {@code /calico/felix/v2/no-region/host/<node>/status} and
 * {@code .../last_reported_status}, both {@code {"time":"<RFC 3339 UTC>","uptime":<seconds>,"first_update":<bool>}}
 * where {@code first_update} is true on the first report after Felix started. Writes are plain puts (one etcd
 * transaction per report); failures are returned to the caller to log, and the next report simply tries again.
 */
final class StatusReporter {
  private final Store store;
  private final String nodename;
  private final Instant started;
  private boolean reported;

  StatusReporter(Store store, String nodename, Instant started) {
    this.store = store;
    this.nodename = nodename;
    this.started = started;
  }

  static String statusKey(String nodename) {
    return "/calico/felix/v2/no-region/host/" + nodename + "/status";
  }

  static String lastReportedKey(String nodename) {
    return "/calico/felix/v2/no-region/host/" + nodename + "/last_reported_status";
  }

  /** The JSON of one report at {@code now}. */
  static String json(Instant now, Duration uptime, boolean first) {
    String time = DateTimeFormatter.ISO_INSTANT.format(now.truncatedTo(ChronoUnit.SECONDS));
    return String.format(Locale.ROOT, "{\"time\":\"%s\",\"uptime\":%.3f,\"first_update\":%b}", time,
        uptime.toMillis() / 1000.0, first);
  }

  /** Writes one report (from a thread that may block on etcd). */
  void report(Instant now) {
    if (store == null) {
      return;
    }
    String v = json(now, Duration.between(started, now), !reported);
    store.txn(Txn.builder().put(statusKey(nodename), v).put(lastReportedKey(nodename), v).build(), null);
    reported = true;
  }
}
