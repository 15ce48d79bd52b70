package org.calicoledger.bird.testing;

import java.util.Locale;

/**
 * Entry point for the bench's BGP rows: {@code BgpMeasure bulk ROUTES} or {@code BgpMeasure mesh N ROUNDS}, run in a
 * JVM inside a network namespace of its own (the bench starts it with {@code ip netns exec NS env BGP_IT_NETNS=NS
 * java ...}). Prints one line starting {@code RESULT } with space-separated numbers the bench parses, after the
 * human-readable line; exits 1 when the run did not complete (session lost, routes missing, mesh not up).
 *
 * <p>bulk: {@code RESULT oursMs birdMs bytesPerRoute sessionsDown} where sessionsDown counts ours and BIRD's session
 * not Established after the hold-time wait. mesh: {@code RESULT p50Ms p99Ms rounds}.
 */
public final class BgpMeasure {
  private BgpMeasure() {}

  public static void main(String[] args) throws Exception {
    org.calicoledger.store.Logging.configure("off");
    switch (args[0]) {
      case "bulk" -> {
        int routes = Integer.parseInt(args[1]);
        BulkTransfer.Result r = BulkTransfer.run(routes);
        System.out.println(r.line());
        if (r.received() != routes || r.locRib() != routes || !r.birdReceived().contains(routes + " of " + routes)) {
          System.out.println("FAILED: ours received " + r.received() + " (Loc-RIB " + r.locRib() + "), BIRD: "
              + r.birdReceived().strip());
          System.exit(1);
        }
        int down = (r.ours().up() ? 0 : 1) + (r.birdSession().contains("Established") ? 0 : 1);
        System.out.printf(Locale.ROOT, "RESULT %.3f %.3f %.1f %d%n", r.oursMs(), r.birdMs(), r.bytesPerRoute(), down);
      }
      case "mesh" -> {
        MeshConvergence.Result r = MeshConvergence.run(Integer.parseInt(args[1]), Integer.parseInt(args[2]));
        if (!r.allUp() || r.missing() > 0) {
          System.out.println("FAILED: all sessions up " + r.allUp() + ", speakers missing a route " + r.missing());
          System.exit(1);
        }
        System.out.println(r.line());
        System.out.printf(Locale.ROOT, "RESULT %.3f %.3f %d%n", r.p50Ms(), r.p99Ms(), r.micros().length);
      }
      default -> throw new IllegalArgumentException("BgpMeasure: first argument '" + args[0]
          + "' is not one of: bulk, mesh");
    }
    System.exit(0);
  }
}
