package org.calicoledger.ipam;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.calicoledger.model.net.Cidr;

/**
 * Invariants of the pure block logic under random sequences of assignments and releases, checked against a plain
 * model (ordinal to handle): never two owners for one ordinal, free + used = size, release after assign restores the
 * block, and the JSON round trip.
 */
class BlockPropertyTest {
  static final List<String> CIDRS = List.of("10.0.0.0/26", "10.1.2.0/28", "10.9.9.8/30", "10.9.9.9/32", "192.168.0.0/24",
      "fd00::/122", "fd00:1::40/126", "2001:db8::/120");
  static final List<String> HANDLES = List.of("net.a", "net.b", "net.c", "net.d");

  sealed interface Op permits AutoAssign, AssignOne, ReleaseSome, ReleaseHandle {}

  record AutoAssign(int n, int handle) implements Op {}

  record AssignOne(int ordinalSeed, int handle) implements Op {}

  record ReleaseSome(List<Integer> ordinalSeeds) implements Op {}

  record ReleaseHandle(int handle) implements Op {}

  @Provide
  Arbitrary<Block> fresh() {
    return Combinators.combine(Arbitraries.of(CIDRS), Arbitraries.longs(), Arbitraries.of("node-1", "node-2"))
        .as((c, seq, host) -> Block.create(Cidr.parse(c), host, seq, "2024-01-01T00:00:00Z"));
  }

  @Provide
  Arbitrary<List<Op>> ops() {
    Arbitrary<Op> auto = Combinators.combine(Arbitraries.integers().between(0, 70), Arbitraries.integers().between(0, 3))
        .as(AutoAssign::new);
    Arbitrary<Op> one = Combinators.combine(Arbitraries.integers().between(0, 10_000), Arbitraries.integers().between(0, 3))
        .as(AssignOne::new);
    Arbitrary<Op> rel = Arbitraries.integers().between(0, 10_000).list().ofMaxSize(20).map(ReleaseSome::new);
    Arbitrary<Op> relH = Arbitraries.integers().between(0, 3).map(ReleaseHandle::new);
    return Arbitraries.oneOf(auto, one, rel, relH).list().ofMaxSize(40);
  }

  /** Applies one op to the block and to the model (ordinal to handle); returns the new block. */
  static Block apply(Block b, Op op, Map<Integer, String> model) {
    int size = b.size();
    if (op instanceof AutoAssign a) {
        String h = HANDLES.get(a.handle());
        Block.Assigned r = b.autoAssign(a.n(), h, Map.of("node", "node-1"));
        assertThat(r.ordinals()).hasSize(Math.min(a.n(), b.freeCount())).doesNotHaveDuplicates();
        for (int o : r.ordinals()) {
          assertThat(model).as("ordinal %d handed out while owned", o).doesNotContainKey(o);
          model.put(o, h);
        }
        // FIFO: the ordinals come from the front of the free list, in order
        assertThat(r.ordinals()).containsExactlyElementsOf(
            Arrays.stream(b.unallocated()).limit(r.ordinals().size()).boxed().toList());
        return r.block();
    }
    if (op instanceof AssignOne a) {
        int o = a.ordinalSeed() % size;
        String h = HANDLES.get(a.handle());
        if (model.containsKey(o)) {
          try {
            b.assign(o, h, Map.of());
            throw new AssertionError("assigned a taken ordinal " + o);
          } catch (IpamException.AlreadyAssigned expected) {
            assertThat(expected.getMessage()).contains("already assigned").contains(model.get(o));
            return b;
          }
        }
        model.put(o, h);
        return b.assign(o, h, Map.of());
    }
    if (op instanceof ReleaseSome r) {
        Set<Integer> ords = r.ordinalSeeds().stream().map(s -> s % size).collect(Collectors.toSet());
        Block.Released res = b.release(ords.stream().map(o -> new Block.Release(o, null, null)).toList());
        Set<Integer> wasOwned = ords.stream().filter(model::containsKey).collect(Collectors.toSet());
        assertThat(new HashSet<>(res.released())).isEqualTo(wasOwned);
        assertThat(new HashSet<>(res.notAllocated())).isEqualTo(ords.stream().filter(o -> !wasOwned.contains(o))
            .collect(Collectors.toSet()));
        // released ordinals queue at the back of the FIFO
        int[] free = res.block().unallocated();
        assertThat(Arrays.stream(free).skip(free.length - res.released().size()).boxed().toList())
            .containsExactlyElementsOf(res.released());
        wasOwned.forEach(model::remove);
        return res.block();
    }
    ReleaseHandle r = (ReleaseHandle) op;
    {
        String h = HANDLES.get(r.handle());
        Block.Released res = b.releaseByHandle(h, null);
        Set<Integer> owned = model.entrySet().stream().filter(e -> e.getValue().equals(h)).map(Map.Entry::getKey)
            .collect(Collectors.toSet());
        assertThat(new HashSet<>(res.released())).isEqualTo(owned);
        assertThat(res.byHandle()).isEqualTo(owned.isEmpty() ? Map.of() : Map.of(h, owned.size()));
        owned.forEach(model::remove);
        return res.block();
    }
  }

  /** Every structural invariant, and agreement with the model. */
  static void checkInvariants(Block b, Map<Integer, String> model) {
    int[] free = b.unallocated();
    assertThat(Arrays.stream(free).boxed().toList()).as("free list has no duplicates").doesNotHaveDuplicates();
    Set<Integer> freeSet = Arrays.stream(free).boxed().collect(Collectors.toSet());
    for (int o = 0; o < b.size(); o++) {
      assertThat(b.isAllocated(o)).as("ordinal %d is allocated xor free", o).isNotEqualTo(freeSet.contains(o));
      assertThat(b.handleOf(o)).as("owner of ordinal %d", o).isEqualTo(model.get(o));
    }
    assertThat(b.freeCount() + b.inUseCount()).isEqualTo(b.size());
    Set<Integer> referenced = new HashSet<>();
    for (int a : b.allocations) {
      if (a != Block.FREE) {
        assertThat(a).isBetween(0, b.attributes().size() - 1);
        referenced.add(a);
      }
    }
    assertThat(referenced).as("no attribute outlives its allocations").hasSize(b.attributes().size());
    Set<String> seqKeys = model.keySet().stream().map(String::valueOf).collect(Collectors.toSet());
    assertThat(b.sequenceByOrdinal.keySet()).isEqualTo(seqKeys);
  }

  @Property(tries = 300)
  void neverTwoOwnersAndFreePlusUsedIsSize(@ForAll("fresh") Block start, @ForAll("ops") List<Op> ops) {
    Map<Integer, String> model = new HashMap<>();
    Block b = start;
    checkInvariants(b, model);
    for (Op op : ops) {
      b = apply(b, op, model);
      checkInvariants(b, model);
    }
    assertThat(Block.parse(b.toJson(), "k")).isEqualTo(b);
  }

  @Property(tries = 300)
  void releaseAfterAssignRestoresTheBlock(@ForAll("fresh") Block start, @ForAll("ops") List<Op> history,
      @ForAll @IntRange(min = 1, max = 70) int n, @ForAll boolean byHandle) {
    Map<Integer, String> model = new HashMap<>();
    Block b = start;
    for (Op op : history) {
      b = apply(b, op, model);
    }
    Block.Assigned a = b.autoAssign(n, "net.fresh", Map.of("node", "node-9", "pod", "p"));
    Block back = byHandle ? a.block().releaseByHandle("net.fresh", null).block()
        : a.block().release(a.ordinals().stream().map(o -> new Block.Release(o, "net.fresh", a.block().sequenceOf(o)))
            .toList()).block();
    assertThat(back.allocations).isEqualTo(b.allocations);
    assertThat(back.attributes()).isEqualTo(b.attributes());
    assertThat(back.sequenceByOrdinal).isEqualTo(b.sequenceByOrdinal);
    assertThat(sorted(back.unallocated())).isEqualTo(sorted(b.unallocated()));
    assertThat(back.freeCount()).isEqualTo(b.freeCount());
    assertThat(back.sequenceNumber()).isEqualTo(b.sequenceNumber());
  }

  @Property(tries = 200)
  void staleReleasesAreRefusedAndChangeNothing(@ForAll("fresh") Block start, @ForAll @IntRange(min = 0, max = 10_000) int seed) {
    Block.Assigned first = start.autoAssign(1, "net.a", Map.of());
    int o = first.ordinals().get(0);
    long firstSeq = first.block().sequenceOf(o);
    // released and re-assigned at a later sequence number (the store bumps it on every write)
    Block later = first.block().nextSequence().release(List.of(new Block.Release(o, null, null))).block().nextSequence();
    Block reassigned = later.assign(o, "net.b", Map.of());
    try {
      reassigned.release(List.of(new Block.Release(o, null, firstSeq)));
      throw new AssertionError("stale sequence number accepted");
    } catch (IpamException.ReleaseConflict expected) {
      assertThat(expected.getMessage()).contains("sequence number");
    }
    try {
      reassigned.release(List.of(new Block.Release(o, "net.a", null)));
      throw new AssertionError("wrong handle accepted");
    } catch (IpamException.ReleaseConflict expected) {
      assertThat(expected.getMessage()).contains("belongs to handle net.b");
    }
    assertThat(reassigned.handleOf(o)).isEqualTo("net.b");
  }

  private static List<Integer> sorted(int[] a) {
    return IntStream.of(a).sorted().boxed().collect(Collectors.toCollection(ArrayList::new));
  }
}
