package org.calicoledger.ipam;

import java.math.BigInteger;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import org.calicoledger.model.net.Cidr;

/**
 * One IPAM allocation block, Calico's {@code AllocationBlock}: pure logic, no I/O. Immutable: every operation returns a
 * new block (a /26 is 64 entries, so copying is cheaper than sharing mutable state between threads).
 *
 * <p>Invariants every operation keeps (and {@link BlockJson} tolerates being broken in input from elsewhere):
 * <ul>
 *   <li>{@code allocations[o]} is {@link #FREE} or the index of the {@link Attribute} that owns ordinal {@code o};
 *       an ordinal has at most one owner.</li>
 *   <li>{@code unallocated} lists each free ordinal once, in the order they will be handed out: first in, first out.
 *       New blocks list 0..n-1; a released ordinal goes to the back, so a just-freed address is reused last (a stale
 *       client holding it is less likely to collide with a new owner).</li>
 *   <li>free + in use = size.</li>
 *   <li>{@code sequenceNumberForAllocation[o]} is the block's {@code sequenceNumber} when {@code o} was assigned; a
 *       release may name it, so that a stale release of an address that was freed and re-assigned is refused.</li>
 *   <li>An attribute is dropped when its last allocation is released, and the indexes above it move down (as
 *       Calico's {@code deleteAttributes}).</li>
 * </ul>
 * The persistence layer bumps {@code sequenceNumber} on every write ({@link #nextSequence()}), as Calico's
 * {@code updateBlock} does; the operations here never change it.
 */
public final class Block {
  /** An unallocated ordinal in {@code allocations} ({@code null} in JSON). */
  public static final int FREE = -1;
  /** Calico's handle for addresses held back on Windows nodes; a block holding only these counts as empty. */
  public static final String WINDOWS_RESERVED_HANDLE = "windows-reserved-ipam-handle";
  /** Calico's block sizes run to /20 (4096 addresses); refuse anything that would make a giant array. */
  static final int MAX_HOST_BITS = 16;

  final Cidr cidr;
  final String affinity;
  final String affinityClaimTime;
  final int[] allocations;
  final int[] unallocated;
  final List<Attribute> attributes;
  final long sequenceNumber;
  final SortedMap<String, Long> sequenceByOrdinal; // null: JSON null, as Go writes a nil map
  final boolean deleted;
  final BlockJson.Source source; // unknown fields and field order as read; null for blocks made here

  Block(Cidr cidr, String affinity, String affinityClaimTime, int[] allocations, int[] unallocated,
      List<Attribute> attributes, long sequenceNumber, SortedMap<String, Long> sequenceByOrdinal, boolean deleted,
      BlockJson.Source source) {
    this.cidr = cidr;
    this.affinity = affinity;
    this.affinityClaimTime = affinityClaimTime;
    this.allocations = allocations;
    this.unallocated = unallocated;
    this.attributes = Collections.unmodifiableList(attributes);
    this.sequenceNumber = sequenceNumber;
    this.sequenceByOrdinal = sequenceByOrdinal == null ? null : Collections.unmodifiableSortedMap(sequenceByOrdinal);
    this.deleted = deleted;
    this.source = source;
  }

  /**
   * A new, empty block of {@code cidr} affine to {@code host} (null: no affinity). Calico seeds the sequence number
   * from the clock, so that a block deleted and created again never repeats an (address, sequence) pair.
   */
  public static Block create(Cidr cidr, String host, long sequenceNumber, String claimTime) {
    if (cidr.hasHostBits()) {
      throw new IllegalArgumentException("block CIDR " + cidr + " has host bits set");
    }
    int n = sizeOf(cidr);
    int[] alloc = new int[n];
    Arrays.fill(alloc, FREE);
    int[] free = new int[n];
    for (int i = 0; i < n; i++) {
      free[i] = i;
    }
    return new Block(cidr, host == null ? null : "host:" + host, host == null ? null : claimTime, alloc, free,
        new ArrayList<>(), sequenceNumber, new TreeMap<>(), false, null);
  }

  static int sizeOf(Cidr cidr) {
    int hostBits = cidr.bits() - cidr.prefixLength();
    if (hostBits > MAX_HOST_BITS) {
      throw new IllegalArgumentException("block " + cidr + " has " + cidr.size() + " addresses; IPAM blocks hold at most "
          + (1 << MAX_HOST_BITS) + " (a pool's blockSize is 20-32 for IPv4, 116-128 for IPv6)");
    }
    return 1 << hostBits;
  }

  // ---- queries ----

  public Cidr cidr() {
    return cidr;
  }

  /** {@code host:<name>}, or null. */
  public String affinity() {
    return affinity;
  }

  /** The host of a {@code host:} affinity, or null. */
  public String host() {
    return affinity != null && affinity.startsWith("host:") ? affinity.substring(5) : null;
  }

  public long sequenceNumber() {
    return sequenceNumber;
  }

  public int size() {
    return allocations.length;
  }

  public int freeCount() {
    return unallocated.length;
  }

  public int inUseCount() {
    int n = 0;
    for (int a : allocations) {
      if (a != FREE) {
        n++;
      }
    }
    return n;
  }

  /** Free ordinals in the order they will be handed out. */
  public int[] unallocated() {
    return unallocated.clone();
  }

  public boolean isAllocated(int ordinal) {
    return allocations[ordinal] != FREE;
  }

  /** No allocations, apart from Windows' reserved addresses (Calico's {@code empty()}). */
  public boolean isEmpty() {
    for (int a : allocations) {
      if (a != FREE) {
        Attribute at = attributeAt(a);
        if (at == null || !WINDOWS_RESERVED_HANDLE.equalsIgnoreCase(at.handle())) {
          return false;
        }
      }
    }
    return true;
  }

  public List<Attribute> attributes() {
    return attributes;
  }

  /** The owner of an allocated ordinal; null when free (or when the stored index points nowhere). */
  public Attribute attributeOf(int ordinal) {
    int a = allocations[ordinal];
    return a == FREE ? null : attributeAt(a);
  }

  private Attribute attributeAt(int index) {
    return index >= 0 && index < attributes.size() ? attributes.get(index) : null;
  }

  public String handleOf(int ordinal) {
    Attribute a = attributeOf(ordinal);
    return a == null ? null : a.handle();
  }

  /** The sequence number recorded when {@code ordinal} was assigned; 0 when none was (Calico reads it so). */
  public long sequenceOf(int ordinal) {
    Long s = sequenceByOrdinal == null ? null : sequenceByOrdinal.get(Integer.toString(ordinal));
    return s == null ? 0 : s;
  }

  public InetAddress addressOf(int ordinal) {
    return cidr.addressAt(BigInteger.valueOf(ordinal));
  }

  /** The ordinal of {@code address} in this block, or -1 when it lies outside. */
  public int ordinalOf(InetAddress address) {
    byte[] a = address.getAddress();
    if (a.length * 8 != cidr.bits()) {
      return -1;
    }
    BigInteger diff = new BigInteger(1, a).subtract(new BigInteger(1, cidr.address().getAddress()));
    return diff.signum() < 0 || diff.compareTo(BigInteger.valueOf(allocations.length)) >= 0 ? -1 : diff.intValue();
  }

  /** Allocated ordinals of {@code handle}, ascending. */
  public List<Integer> ordinalsOf(String handle) {
    List<Integer> out = new ArrayList<>();
    for (int o = 0; o < allocations.length; o++) {
      Attribute a = attributeOf(o);
      if (a != null && handle.equals(a.handle())) {
        out.add(o);
      }
    }
    return out;
  }

  /** How many addresses each handle holds here (allocations without a handle are not counted). */
  public Map<String, Integer> countsByHandle() {
    Map<String, Integer> out = new LinkedHashMap<>();
    for (int o = 0; o < allocations.length; o++) {
      String h = handleOf(o);
      if (h != null) {
        out.merge(h, 1, Integer::sum);
      }
    }
    return out;
  }

  // ---- operations ----

  /** The result of an assignment: the new block and the ordinals handed out, in order. */
  public record Assigned(Block block, List<Integer> ordinals) {}

  /**
   * Hands out up to {@code num} free ordinals from the front of the FIFO to {@code handleId} (fewer when fewer are
   * free). Entries of {@code unallocated} that are in fact allocated (damaged input) are dropped, never handed out.
   */
  public Assigned autoAssign(int num, String handleId, Map<String, String> secondary) {
    if (num < 0) {
      throw new IllegalArgumentException("cannot assign " + num + " addresses");
    }
    int[] alloc = allocations.clone();
    List<Attribute> attrs = new ArrayList<>(attributes);
    SortedMap<String, Long> seq = sequenceCopy();
    List<Integer> got = new ArrayList<>(num);
    int attr = -1;
    int i = 0;
    for (; i < unallocated.length && got.size() < num; i++) {
      int o = unallocated[i];
      if (o < 0 || o >= alloc.length || alloc[o] != FREE) {
        continue; // a duplicate or an allocated ordinal in the list: never a second owner
      }
      if (attr < 0) {
        attr = findOrAdd(attrs, handleId, secondary);
      }
      alloc[o] = attr;
      seq.put(Integer.toString(o), sequenceNumber);
      got.add(o);
    }
    if (got.isEmpty()) {
      return new Assigned(this, List.of());
    }
    int[] rest = Arrays.copyOfRange(unallocated, i, unallocated.length);
    return new Assigned(with(alloc, rest, attrs, seq), List.copyOf(got));
  }

  /** Assigns one given ordinal; {@link IpamException.AlreadyAssigned} names the current owner when taken. */
  public Block assign(int ordinal, String handleId, Map<String, String> secondary) {
    if (ordinal < 0 || ordinal >= allocations.length) {
      throw new IpamException.InvalidRequest("ordinal " + ordinal + " is outside block " + cidr);
    }
    if (allocations[ordinal] != FREE) {
      String owner = handleOf(ordinal);
      throw new IpamException.AlreadyAssigned("IP " + Cidr.format(addressOf(ordinal)) + " is already assigned in block "
          + cidr + (owner == null ? "" : " to handle " + owner) + "; release it first (calicoctl ipam release --ip "
          + Cidr.format(addressOf(ordinal)) + ")");
    }
    int[] alloc = allocations.clone();
    List<Attribute> attrs = new ArrayList<>(attributes);
    SortedMap<String, Long> seq = sequenceCopy();
    alloc[ordinal] = findOrAdd(attrs, handleId, secondary);
    seq.put(Integer.toString(ordinal), sequenceNumber);
    int[] rest = Arrays.stream(unallocated).filter(o -> o != ordinal).toArray();
    return with(alloc, rest, attrs, seq);
  }

  /** What a release did: the new block, the ordinals freed, those that were not allocated, and counts per handle. */
  public record Released(Block block, List<Integer> released, List<Integer> notAllocated, Map<String, Integer> byHandle) {
    public boolean changed() {
      return !released.isEmpty();
    }
  }

  /** One address to release; {@code handle} and {@code sequence} (each optional) must match the allocation. */
  public record Release(int ordinal, String handle, Long sequence) {}

  /**
   * Releases the given ordinals. If any names a handle or sequence number that does not match the allocation, nothing
   * is released and {@link IpamException.ReleaseConflict} says which address and why (as Calico fails the request).
   */
  public Released release(Collection<Release> requests) {
    Map<Integer, Release> unique = new LinkedHashMap<>();
    requests.forEach(r -> unique.put(r.ordinal(), r));
    List<Integer> ords = new ArrayList<>();
    List<Integer> notAllocated = new ArrayList<>();
    for (Release r : unique.values()) {
      int o = r.ordinal();
      if (o < 0 || o >= allocations.length) {
        throw new IpamException.InvalidRequest("ordinal " + o + " is outside block " + cidr);
      }
      String ip = Cidr.format(addressOf(o));
      if (allocations[o] == FREE) {
        notAllocated.add(o); // free already: nothing a stale request could take from a new owner
        continue;
      }
      if (r.sequence() != null && r.sequence() != sequenceOf(o)) {
        throw new IpamException.ReleaseConflict("not releasing " + ip + ": its allocation has sequence number "
            + Long.toUnsignedString(sequenceOf(o)) + ", the request names " + Long.toUnsignedString(r.sequence())
            + " (the address was released and assigned again since the request was made)");
      }
      String h = handleOf(o);
      if (r.handle() != null && !r.handle().isEmpty() && !r.handle().equals(h)) {
        throw new IpamException.ReleaseConflict("not releasing " + ip + ": it belongs to handle " + h
            + ", the request names handle " + r.handle());
      }
      ords.add(o);
    }
    return releaseOrdinals(ords, notAllocated);
  }

  /** Releases every address of {@code handle}; with {@code sequence}, only those assigned at that sequence number. */
  public Released releaseByHandle(String handle, Long sequence) {
    List<Integer> ords = new ArrayList<>();
    for (int o : ordinalsOf(handle)) {
      if (sequence == null || sequence == sequenceOf(o)) {
        ords.add(o);
      }
    }
    return releaseOrdinals(ords, List.of());
  }

  private Released releaseOrdinals(List<Integer> ords, List<Integer> notAllocated) {
    if (ords.isEmpty()) {
      return new Released(this, List.of(), List.copyOf(notAllocated), Map.of());
    }
    Map<String, Integer> byHandle = new LinkedHashMap<>();
    Map<Integer, Integer> releasedRefs = new HashMap<>();
    for (int o : ords) {
      releasedRefs.merge(allocations[o], 1, Integer::sum);
      String h = handleOf(o);
      if (h != null) {
        byHandle.merge(h, 1, Integer::sum);
      }
    }
    Map<Integer, Integer> refs = new HashMap<>();
    for (int a : allocations) {
      if (a != FREE) {
        refs.merge(a, 1, Integer::sum);
      }
    }
    int[] alloc = allocations.clone();
    SortedMap<String, Long> seq = sequenceCopy();
    for (int o : ords) {
      alloc[o] = FREE;
      seq.remove(Integer.toString(o));
    }
    // Drop the attributes whose last allocation went, and renumber the rest.
    int[] newIndex = new int[attributes.size()];
    List<Attribute> attrs = new ArrayList<>();
    for (int x = 0; x < attributes.size(); x++) {
      boolean lastRefGone = releasedRefs.containsKey(x) && releasedRefs.get(x).equals(refs.get(x));
      newIndex[x] = lastRefGone ? FREE : attrs.size();
      if (!lastRefGone) {
        attrs.add(attributes.get(x));
      }
    }
    for (int o = 0; o < alloc.length; o++) {
      if (alloc[o] != FREE) {
        alloc[o] = alloc[o] < newIndex.length ? newIndex[alloc[o]] : alloc[o];
      }
    }
    int[] rest = Arrays.copyOf(unallocated, unallocated.length + ords.size());
    for (int i = 0; i < ords.size(); i++) {
      rest[unallocated.length + i] = ords.get(i);
    }
    return new Released(with(alloc, rest, attrs, seq), List.copyOf(ords), List.copyOf(notAllocated), byHandle);
  }

  /** The same allocations, affine to {@code host} (null: none; the claim time goes with the affinity). */
  public Block withAffinity(String host, String claimTime) {
    return new Block(cidr, host == null ? null : "host:" + host, host == null ? null : claimTime, allocations,
        unallocated, attributes, sequenceNumber, sequenceByOrdinal, deleted, source);
  }

  /** The block as the next write stores it: sequence number + 1 (unsigned, wrapping as Go's uint64 does). */
  public Block nextSequence() {
    return new Block(cidr, affinity, affinityClaimTime, allocations, unallocated, attributes, sequenceNumber + 1,
        sequenceByOrdinal, deleted, source);
  }

  private static int findOrAdd(List<Attribute> attrs, String handleId, Map<String, String> secondary) {
    for (int i = 0; i < attrs.size(); i++) {
      if (attrs.get(i).sameOwner(handleId, secondary)) {
        return i;
      }
    }
    attrs.add(Attribute.of(handleId, secondary));
    return attrs.size() - 1;
  }

  private SortedMap<String, Long> sequenceCopy() {
    return sequenceByOrdinal == null ? new TreeMap<>() : new TreeMap<>(sequenceByOrdinal);
  }

  private Block with(int[] alloc, int[] free, List<Attribute> attrs, SortedMap<String, Long> seq) {
    return new Block(cidr, affinity, affinityClaimTime, alloc, free, attrs, sequenceNumber, seq, deleted, source);
  }

  // ---- codec ----

  /** Reads a block as stored under {@code key} (Calico's JSON; unknown fields kept for the next write). */
  public static Block parse(byte[] json, String key) {
    return BlockJson.parse(json, key);
  }

  /** Compact JSON in Calico's field order, or in the order the block was read in, unknown fields included. */
  public byte[] toJson() {
    return BlockJson.write(this);
  }

  /** Value equality on everything that is stored (field order and unknown fields aside). */
  @Override
  public boolean equals(Object o) {
    return o instanceof Block b && b.cidr.equals(cidr) && Objects.equals(b.affinity, affinity)
        && Objects.equals(b.affinityClaimTime, affinityClaimTime) && Arrays.equals(b.allocations, allocations)
        && Arrays.equals(b.unallocated, unallocated) && b.attributes.equals(attributes)
        && b.sequenceNumber == sequenceNumber && Objects.equals(b.sequenceByOrdinal, sequenceByOrdinal)
        && b.deleted == deleted;
  }

  @Override
  public int hashCode() {
    return Objects.hash(cidr, affinity, Arrays.hashCode(allocations), sequenceNumber);
  }

  @Override
  public String toString() {
    return "Block(" + cidr + (affinity == null ? "" : ", " + affinity) + ", " + inUseCount() + "/" + size() + " in use)";
  }
}
