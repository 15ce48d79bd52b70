package org.calicoledger.felix.calc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.calicoledger.events.image.ClusterImage;

/**
 * The calc graph's output depends only on the final values, not on the order the events came in (within a key's own
 * history), nor on how they were split into batches, nor on the intermediate images one long-lived graph saw; and a
 * consumer that applies only the route destinations the graph reports as changed ends at the same routes.
 */
class CalcGraphPropertiesTest {

  /** The cluster's final state plus stale versions and deletions that later events undo, per key in order. */
  static List<List<CalcEvents.Event>> histories(String ipip, String vxlan) {
    List<List<CalcEvents.Event>> h = new ArrayList<>();
    for (CalcEvents.Event e : CalcGraphTest.cluster(ipip, vxlan)) {
      h.add(new ArrayList<>(List.of(e)));
    }
    // stale first versions: a node without its MAC, a block of another host, a pool in another mode
    h.get(3).add(0, CalcEvents.node("c", "10.10.2.2/24", "10.20.3.0", null, null));
    h.get(5).add(0, CalcEvents.block("10.20.2.0/26", "c"));
    h.get(0).add(0, CalcEvents.pool("p", "10.20.0.0/16", "Never", "Never"));
    // a key that appears and goes away again, and one deleted then re-created
    h.add(new ArrayList<>(List.of(CalcEvents.endpoint("gone", "a", "cali9", "10.20.1.9"),
        CalcEvents.delete(CalcEvents.RES + "workloadendpoints/default/gone"))));
    h.add(new ArrayList<>(List.of(CalcEvents.block("10.20.4.0/26", "b"),
        CalcEvents.delete("/calico/ipam/v2/assignment/ipv4/block/10.20.4.0-26"), CalcEvents.block("10.20.4.0/26", "b"))));
    return h;
  }

  /** A random interleaving of the histories that keeps each key's own order. */
  static List<CalcEvents.Event> interleave(List<List<CalcEvents.Event>> histories, Random r) {
    List<Integer> slots = new ArrayList<>();
    for (int i = 0; i < histories.size(); i++) {
      for (int j = 0; j < histories.get(i).size(); j++) {
        slots.add(i);
      }
    }
    Collections.shuffle(slots, r);
    int[] next = new int[histories.size()];
    List<CalcEvents.Event> out = new ArrayList<>();
    for (int i : slots) {
      out.add(histories.get(i).get(next[i]++));
    }
    return out;
  }

  @Property(tries = 300)
  void anyOrderAndBatchSplitGivesTheSameDesiredDataplane(@ForAll long seed, @ForAll @IntRange(min = 1, max = 6) int
      maxBatch, @ForAll("modes") String modes, @ForAll("backends") String backend) {
    String[] m = modes.split("/");
    List<List<CalcEvents.Event>> h = histories(m[0], m[1]);
    LearnedRoutes learned = new LearnedRoutes();
    learned.announce("10.20.2.0/26", "10.10.1.3");
    learned.announce("10.20.3.0/26", "10.10.2.2");
    List<CalcEvents.Event> canonical = new ArrayList<>();
    h.forEach(canonical::addAll);
    DesiredDataplane expected = new CalcGraph(CalcEvents.ctx("a", backend, learned))
        .update(CalcEvents.image(canonical));

    Random r = new Random(seed);
    List<CalcEvents.Event> order = interleave(h, r);
    CalcGraph live = new CalcGraph(CalcEvents.ctx("a", backend, learned));
    ClusterImage img = ClusterImage.EMPTY;
    java.util.Map<String, Route> programmed = new java.util.HashMap<>(); // what a routes part following the changes has
    for (int i = 0; i < order.size(); ) {
      int n = Math.min(order.size() - i, 1 + r.nextInt(maxBatch));
      img = CalcEvents.apply(img, order.subList(i, i + n));
      DesiredDataplane d = live.update(img);
      if (r.nextInt(3) > 0) { // the part does not run after every image: changes accumulate
        java.util.Set<String> changed = live.takeRouteChanges();
        if (changed == null) {
          programmed = new java.util.HashMap<>(d.routes());
        } else {
          for (String dst : changed) {
            Route want = d.routes().get(dst);
            if (want == null) {
              programmed.remove(dst);
            } else {
              programmed.put(dst, want);
            }
          }
        }
      }
      i += n;
    }
    java.util.Set<String> last = live.takeRouteChanges();
    if (last == null) {
      programmed = new java.util.HashMap<>(live.desired().routes());
    } else {
      for (String dst : last) {
        Route want = live.desired().routes().get(dst);
        if (want == null) {
          programmed.remove(dst);
        } else {
          programmed.put(dst, want);
        }
      }
    }
    assertThat(live.desired()).isEqualTo(expected);
    assertThat(programmed).as("following only the reported changes ends at the desired routes")
        .isEqualTo(expected.routes());
    assertThat(expected.routes()).containsKeys("10.20.1.5/32", "10.20.1.0/26", "10.20.2.0/26");
  }

  @net.jqwik.api.Provide
  net.jqwik.api.Arbitrary<String> modes() {
    return net.jqwik.api.Arbitraries.of("Never/Always", "Never/CrossSubnet", "Always/Never", "CrossSubnet/Never",
        "Never/Never");
  }

  @net.jqwik.api.Provide
  net.jqwik.api.Arbitrary<String> backends() {
    return net.jqwik.api.Arbitraries.of("vxlan", "builtin");
  }
}
