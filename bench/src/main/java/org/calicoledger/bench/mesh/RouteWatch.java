package org.calicoledger.bench.mesh;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code ip -n NS -ts monitor route} in one namespace, started before the changes it times: records, per destination
 * prefix, the kernel's timestamp (microseconds since the epoch, from the line {@code ip} prints as the netlink
 * message arrives) of the first route added via a gateway. Reading timestamps that {@code ip} took avoids the bias of
 * polling. Deletions and routes without {@code via} (our own blackholes) are ignored.
 */
final class RouteWatch implements AutoCloseable {
  private final Process process;
  private final Map<String, Long> firstSeen = new ConcurrentHashMap<>();
  private final Thread reader;

  RouteWatch(String namespace) throws IOException {
    process = new ProcessBuilder("ip", "-n", namespace, "-ts", "monitor", "route").redirectErrorStream(true).start();
    reader = new Thread(this::read, "route-watch-" + namespace);
    reader.setDaemon(true);
    reader.start();
  }

  private void read() {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
        StandardCharsets.UTF_8))) {
      for (String line; (line = in.readLine()) != null; ) {
        accept(line);
      }
    } catch (IOException e) {
      // the process was stopped
    }
  }

  /** {@code [2026-11-26T21:31:49.441792] 10.30.1.0/26 via 10.40.0.3 dev eth0 proto 80 ...} */
  void accept(String line) {
    int close = line.indexOf("] ");
    if (!line.startsWith("[") || close < 0) {
      return;
    }
    String[] words = line.substring(close + 2).split(" ");
    if (words.length < 3 || !words[1].equals("via")) {
      return;
    }
    long micros = epochMicros(LocalDateTime.parse(line.substring(1, close)));
    firstSeen.putIfAbsent(words[0] + " via " + words[2], micros);
  }

  static long epochMicros(LocalDateTime t) {
    return ChronoUnit.MICROS.between(LocalDateTime.of(1970, 1, 1, 0, 0).atZone(ZoneId.of("UTC")).toInstant(),
        t.atZone(ZoneId.systemDefault()).toInstant());
  }

  /** When {@code dst} (as {@code ip} prints it, e.g. {@code 10.30.1.0/26}) via {@code gateway} first appeared. */
  Long seen(String dst, String gateway) {
    return firstSeen.get(dst + " via " + gateway);
  }

  static boolean allSeen(List<RouteWatch> watches, String dst, String gateway) {
    return watches.stream().allMatch(w -> w.seen(dst, gateway) != null);
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }
}
