package org.calicoledger.ipam;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.UnaryOperator;
import org.calicoledger.ipam.BlockStore.Outcome;
import org.calicoledger.model.IPPool;
import org.calicoledger.model.net.Cidr;
import org.calicoledger.store.Audit;
import org.calicoledger.store.Store;
import org.calicoledger.store.StoreException;

/**
 * Calico's IP address management over etcd: block-affinity allocation with Calico's keys and JSON, so Calico's own
 * IPAM and this one can share a datastore.
 *
 * <h2>Model</h2>
 * Pools are cut into blocks (a /26 by default); a node claims blocks ({@link Claimer}) and hands out their addresses
 * to handles ({@code <network>.<containerID>} for a pod). A block records, per address, which attribute (handle and
 * owner details) holds it; a handle records how many addresses it holds in each block. The block is the truth, the
 * handle an index; Calico writes the block first and so does this.
 *
 * <h2>Concurrency</h2>
 * Any number of allocators, in any number of processes (Calico's included), may work on one etcd. Every write is a
 * compare-and-swap on the mod revision of the block it changes and of the pool and node its decision relied on; a
 * lost write is redone from the values etcd returns with the failure, within a {@link RetryPolicy}. No address can be
 * handed out twice: two writers of one block cannot both land a write based on the same revision.
 *
 * <h2>Failures</h2>
 * A call that fails releases what it assigned before failing. A process that dies between two writes leaves one of
 * the states {@link FaultHook.Point} names; claims are finished or undone by the next allocator for that host, and
 * an allocation whose handle was never written is found by {@code calicoctl ipam check} and freed by a CNI DEL for
 * that container or by {@code calicoctl ipam release --from-report}.
 *
 * <p>Thread-safe; one instance per process is enough. It remembers, per host, the blocks it last wrote (see
 * {@link HostView}) so that a warm allocator makes two writes per address and no reads.
 */
public final class Ipam {
  private final BlockStore store;
  private final Claimer claimer;
  private final Assigner assigner;
  private final Releaser releaser;
  private final Handles handles;
  private final RetryPolicy retry;
  private final ConcurrentMap<String, HostView> hosts = new ConcurrentHashMap<>();

  private Ipam(Store store, String actor, RetryPolicy retry, FaultHook faults) {
    this.store = new BlockStore(store, actor, faults);
    this.retry = retry;
    this.claimer = new Claimer(this.store);
    this.handles = new Handles(this.store);
    this.assigner = new Assigner(this.store, claimer);
    this.releaser = new Releaser(this.store, handles, this::seen);
  }

  public static Builder builder(Store store) {
    return new Builder(store);
  }

  /** Options: who is recorded as the writer, the retry budget, and (for tests) a fault hook. */
  public static final class Builder {
    private final Store store;
    private String actor;
    private RetryPolicy retry = RetryPolicy.DEFAULT;
    private FaultHook faults = FaultHook.NONE;

    private Builder(Store store) {
      this.store = store;
    }

    /** Recorded in every write's audit entry (default {@code user@host}). */
    public Builder actor(String a) {
      this.actor = a;
      return this;
    }

    public Builder retry(RetryPolicy r) {
      this.retry = r;
      return this;
    }

    /** Tests only: called after each write a crash could interrupt ({@link FaultHook.Point}). */
    public Builder faultHook(FaultHook f) {
      this.faults = f;
      return this;
    }

    public Ipam build() {
      return new Ipam(store, actor == null || actor.isBlank() ? Audit.defaultActor() : actor, retry, faults);
    }
  }

  private HostView view(String host) {
    return hosts.computeIfAbsent(IpamKeys.checkName("host", host), HostView::new);
  }

  private void seen(Cidr cidr, Versioned<Block> now) {
    for (HostView v : hosts.values()) {
      if (now == null) {
        v.forget(cidr);
      } else {
        v.remember(now);
      }
    }
  }

  /**
   * Assigns addresses to a handle (Calico's {@code AutoAssign}). All or nothing: if any requested address cannot be
   * had, those already assigned by this call are released and the error says why (pool exhausted, no pool selects the
   * node, ...).
   */
  public Assignment autoAssign(AssignRequest req) {
    HostView view = view(req.host());
    RetryPolicy.Budget budget = retry.start(() -> "assigning " + req.ipv4() + " IPv4 and " + req.ipv6()
        + " IPv6 address(es) to handle " + req.handle() + " on node " + req.host());
    Handles.Counter counter = handles.counter(req.handle());
    List<Assignment.Address> got = new ArrayList<>();
    try {
      if (req.ipv4() > 0) {
        assigner.assign(view, req, 4, counter, budget, got);
      }
      if (req.ipv6() > 0) {
        assigner.assign(view, req, 6, counter, budget, got);
      }
    } catch (IpamException | StoreException | IllegalArgumentException e) {
      undo(req.handle(), got, counter, e);
      throw e;
    }
    return new Assignment(got.stream().filter(a -> a.block().isIpv4()).toList(),
        got.stream().filter(a -> !a.block().isIpv4()).toList());
  }

  private void undo(String handle, List<Assignment.Address> got, Handles.Counter counter, RuntimeException cause) {
    if (got.isEmpty()) {
      return;
    }
    try {
      RetryPolicy.Budget b = retry.start(() -> "releasing what a failed assignment to " + handle + " had taken");
      releaser.release(got.stream().map(a -> a.release(handle)).toList(), List.of(), false, b);
      counter.undo("ipam: undo a failed assignment to handle " + handle, b);
    } catch (RuntimeException e) {
      cause.addSuppressed(e); // left for a CNI DEL of the handle or calicoctl ipam check to clean up
    }
  }

  /** Assigns one given address to a handle (Calico's {@code AssignIP}). */
  public Assignment.Address assignIp(InetAddress ip, String handle, String host, Map<String, String> attributes) {
    IpamKeys.checkName("handle", handle);
    HostView view = view(host);
    RetryPolicy.Budget budget = retry.start(() -> "assigning " + Cidr.format(ip) + " to handle " + handle);
    return assigner.assignIp(view, ip, handle, attributes == null ? Map.of() : attributes,
        handles.counter(handle), budget);
  }

  /** Releases addresses; those not assigned are listed as such. */
  public ReleaseResult release(List<IpRelease> requests) {
    RetryPolicy.Budget budget = retry.start(() -> "releasing " + requests.size() + " address(es)");
    return releaser.release(requests, pools(), true, budget);
  }

  public ReleaseResult release(InetAddress ip) {
    return release(List.of(IpRelease.of(ip)));
  }

  /** Releases every address of a handle and deletes the handle; 0 when it had none (idempotent). */
  public int releaseByHandle(String handle) {
    return releaseByHandle(handle, null);
  }

  /**
   * As {@link #releaseByHandle(String)}; when the handle does not exist, the blocks affine to {@code host} are searched
   * for allocations that carry it (an assignment that died before writing its handle).
   */
  public int releaseByHandle(String handle, String host) {
    IpamKeys.checkName("handle", handle);
    RetryPolicy.Budget budget = retry.start(() -> "releasing handle " + handle);
    return releaser.releaseByHandle(handle, host, budget);
  }

  /** The addresses a handle holds (Calico's {@code IPsByHandle}); {@link IpamException.UnknownHandle} if none. */
  public List<Allocation> allocationsOf(String handle) {
    Versioned<Handle> h = store.handle(handle).orElseThrow(() -> new IpamException.UnknownHandle("handle " + handle
        + " does not exist (no address was assigned to it, or it was released)"));
    List<Allocation> out = new ArrayList<>();
    for (String c : h.value().blocks().keySet()) {
      store.block(Cidr.parse(c)).ifPresent(vb -> vb.value().ordinalsOf(handle)
          .forEach(o -> out.add(allocation(vb.value(), o))));
    }
    return out;
  }

  /** Who holds {@code ip}, if anyone (Calico's {@code GetAssignmentAttributes}). */
  public Optional<Allocation> allocation(InetAddress ip) {
    List<PoolView> pools = pools();
    for (PoolView p : pools) {
      if (p.contains(ip)) {
        Optional<Versioned<Block>> b = store.block(p.blockOf(ip));
        if (b.isPresent()) {
          return at(b.get().value(), ip);
        }
      }
    }
    int version = ip.getAddress().length == 4 ? 4 : 6;
    return store.blocks(version).stream().filter(b -> b.value().ordinalOf(ip) >= 0).findFirst()
        .flatMap(b -> at(b.value(), ip));
  }

  private static Optional<Allocation> at(Block b, InetAddress ip) {
    int o = b.ordinalOf(ip);
    return o >= 0 && b.isAllocated(o) ? Optional.of(allocation(b, o)) : Optional.empty();
  }

  static Allocation allocation(Block b, int ordinal) {
    Attribute a = b.attributeOf(ordinal);
    return new Allocation(b.addressOf(ordinal), b.cidr(), b.host(), a == null ? null : a.handle(),
        a == null || a.secondary() == null ? Map.of() : a.secondary(), b.sequenceOf(ordinal));
  }

  public IpamConfig config() {
    return store.config().value();
  }

  /** Changes the IPAM configuration by compare-and-swap (Calico's {@code SetIPAMConfig}); returns what was stored. */
  public IpamConfig updateConfig(UnaryOperator<IpamConfig> change, String reason) {
    RetryPolicy.Budget budget = retry.start(() -> "updating the IPAM configuration");
    while (true) {
      Versioned<IpamConfig> cur = store.config();
      IpamConfig next = change.apply(cur.value());
      Outcome o = store.putConfig(cur.revision(), next, reason);
      if (o.ok()) {
        hosts.values().forEach(HostView::invalidate);
        return next;
      }
      budget.conflict(IpamKeys.CONFIG);
    }
  }

  /** Gives up a host's claim on a block (deleting the block when empty); false when the host had no such claim. */
  public boolean releaseAffinity(String host, Cidr block, boolean requireEmpty) {
    RetryPolicy.Budget budget = retry.start(() -> "releasing block " + block + " of node " + host);
    boolean done = claimer.releaseAffinity(host, block, requireEmpty, budget);
    view(host).forget(block);
    return done;
  }

  /**
   * Releases every block affinity of a host (Calico's {@code ReleaseHostAffinities}); with {@code requireEmpty} only
   * the empty blocks, keeping the others. Returns how many were released.
   */
  public int releaseHostAffinities(String host, boolean requireEmpty) {
    int n = 0;
    for (Versioned<Affinity> a : store.affinities(host)) {
      try {
        if (releaseAffinity(host, a.value().cidr(), requireEmpty)) {
          n++;
        }
      } catch (IpamException.BlockNotEmpty kept) {
        // requireEmpty: the block stays the host's
      }
    }
    return n;
  }

  private List<PoolView> pools() {
    List<PoolView> out = new ArrayList<>();
    for (IPPool p : store.store().list(IPPool.class).items()) {
      try {
        out.add(PoolView.of(p));
      } catch (IllegalArgumentException unusable) {
        // not a pool anything can be allocated from
      }
    }
    return out;
  }
}
