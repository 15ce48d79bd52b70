package org.calicoledger.felix.dataplane.routes;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.calicoledger.events.image.ClusterImage;
import org.calicoledger.felix.SequencedPart;
import org.calicoledger.felix.calc.CalcGraph;
import org.calicoledger.felix.calc.DesiredDataplane;
import org.calicoledger.felix.calc.Route;
import org.calicoledger.felix.calc.VxlanDevice;
import org.calicoledger.felix.kernel.IpTool;

/**
 * The {@code routes} part: Felix's routes in the main table, and the neighbour and FDB entries of
 * {@code vxlan.calico}, reconciled against {@link DesiredDataplane}.
 *
 * <p>Ownership: a route is Felix's when it carries protocol {@link #PROTO} (80, as Calico's Felix tags its routes);
 * routes of any other protocol are never read, changed or removed (the CNI agent's own {@code /32} route to a new
 * workload is replaced by Felix's of the same destination, which is the same route with Felix's tag). Neighbours and
 * FDB entries are owned on {@code vxlan.calico} only (permanent ones).
 *
 * <p>Passes: {@link #applyRemovals} deletes routes, then neighbours and FDB entries, that are programmed but not
 * desired; {@link #apply} adds FDB entries and neighbours, then routes. Without {@code full} both trust the record of
 * what this part last programmed, and look only at the destinations the {@link CalcGraph} reports as changed since
 * the last pass (plus those that failed or waited); with it they look at every route and read the kernel first
 * (routes of protocol 80 and neighbours in one {@code ip -json -batch}, the FDB in a second process only when
 * {@code vxlan.calico} exists), which repairs anything changed by hand. Each pass is at most one {@code ip -batch}
 * and one {@code bridge -batch} per direction: an endpoint added among 10,000 costs one {@code ip} process with one
 * command.
 *
 * <p>A route whose device does not exist yet (a workload interface not created yet, {@code tunl0} on a kernel without
 * ipip) is held back, logged once per device, and {@link #pending()} asks for another pass; a programmed route of
 * another shape to the same destination is removed meanwhile. Any other failed command
 * is thrown after the rest was programmed; it stays unprogrammed, so the next pass retries it.
 */
public final class RouteTable implements SequencedPart {
  public static final int PROTO = 80;
  private static final System.Logger LOG = System.getLogger("felix.routes");
  private final CalcGraph graph;
  private final IpTool ip;
  private DesiredDataplane desired = DesiredDataplane.EMPTY;
  private Map<String, Route> routes = new HashMap<>();
  private Map<String, String> neighbours = new HashMap<>();
  private Map<String, String> fdb = new HashMap<>();
  private final Set<String> waitingDevices = new HashSet<>();
  private boolean readThisPass;
  private boolean pending;
  /** Destinations to look at in this pass (null: all); taken from the graph once per pass. */
  private Set<String> focus;
  private boolean focusTaken;
  /** Destinations that failed or waited: looked at again on every pass until they are done. */
  private final Set<String> retry = new HashSet<>();

  public RouteTable(CalcGraph graph, IpTool ip) {
    this.graph = graph;
    this.ip = ip;
  }

  @Override
  public String name() {
    return "routes";
  }

  @Override
  public void onImage(ClusterImage image) {
    desired = graph.update(image);
  }

  @Override
  public boolean pending() {
    return pending;
  }

  /** What this part believes is programmed (routes by destination), for tests and metrics. */
  public Map<String, Route> programmed() {
    return Map.copyOf(routes);
  }

  @Override
  public boolean applyRemovals(boolean full) {
    if (full) {
      readKernel();
      readThisPass = true;
    }
    takeFocus(full);
    List<String> cmds = new ArrayList<>();
    List<Runnable> onSuccess = new ArrayList<>();
    for (String dst : candidates(routes.keySet())) {
      Route r = routes.get(dst);
      if (r != null && !desired.routes().containsKey(dst)) {
        retry.add(dst);
        cmds.add(r.deleteCommand(PROTO));
        onSuccess.add(() -> {
          routes.remove(r.dst());
          retry.remove(r.dst());
        });
      } else if (r == null && !desired.routes().containsKey(dst)) {
        retry.remove(dst);
      }
    }
    for (Map.Entry<String, String> n : Map.copyOf(neighbours).entrySet()) {
      if (!desired.neighbours().containsKey(n.getKey())) {
        cmds.add("neigh del " + n.getKey() + " dev " + VxlanDevice.NAME);
        onSuccess.add(() -> neighbours.remove(n.getKey()));
      }
    }
    boolean changed = run(cmds, onSuccess, true, false);
    cmds = new ArrayList<>();
    onSuccess = new ArrayList<>();
    for (Map.Entry<String, String> f : Map.copyOf(fdb).entrySet()) {
      if (!f.getValue().equals(desired.fdb().get(f.getKey()))) {
        cmds.add("fdb del " + f.getKey() + " dev " + VxlanDevice.NAME + " dst " + f.getValue() + " self");
        onSuccess.add(() -> fdb.remove(f.getKey()));
      }
    }
    return run(cmds, onSuccess, true, true) | changed;
  }

  @Override
  public boolean apply(boolean full) {
    boolean changed = false;
    if (full && !readThisPass) {
      changed = applyRemovals(true);
    }
    readThisPass = false;
    takeFocus(full);
    focusTaken = false;
    pending = false;
    Map<String, Boolean> exists = new HashMap<>();
    boolean vxlanUp = desired.fdb().isEmpty() && desired.neighbours().isEmpty() || linkExists(VxlanDevice.NAME, exists);
    List<String> cmds = new ArrayList<>();
    List<Runnable> onSuccess = new ArrayList<>();
    if (vxlanUp) {
      for (Map.Entry<String, String> f : desired.fdb().entrySet()) {
        if (!f.getValue().equals(fdb.get(f.getKey()))) {
          cmds.add("fdb replace " + f.getKey() + " dev " + VxlanDevice.NAME + " dst " + f.getValue()
              + " self permanent");
          onSuccess.add(() -> fdb.put(f.getKey(), f.getValue()));
        }
      }
    }
    changed |= run(cmds, onSuccess, false, true);
    onSuccess = new ArrayList<>();
    IpTool.Batch batch = ip.ipBatch(); // routes stream into ip while the rest is computed
    try {
      if (vxlanUp) {
        for (Map.Entry<String, String> n : desired.neighbours().entrySet()) {
          if (!n.getValue().equals(neighbours.get(n.getKey()))) {
            batch.add("neigh replace " + n.getKey() + " lladdr " + n.getValue() + " dev " + VxlanDevice.NAME
                + " nud permanent");
            onSuccess.add(() -> neighbours.put(n.getKey(), n.getValue()));
          }
        }
      }
      for (Map.Entry<String, Route> e : look()) {
        String dst = e.getKey();
        Route r = e.getValue();
        if (r == null) {
          continue; // a removal: applyRemovals' concern (it keeps it in retry while it fails)
        }
        if (r.matches(routes.get(dst))) {
          retry.remove(dst);
          continue;
        }
        retry.add(dst); // until it succeeds
        if (r.dev() != null && !linkExists(r.dev(), exists)) {
          waitFor(r.dev());
          Route old = routes.get(r.dst());
          if (old != null) { // a route of another shape would carry the traffic the wrong way meanwhile
            batch.add(old.deleteCommand(PROTO));
            onSuccess.add(() -> routes.remove(old.dst()));
          }
          continue;
        }
        batch.add(r.replaceCommand(PROTO));
        onSuccess.add(() -> {
          routes.put(r.dst(), r);
          retry.remove(r.dst());
        });
      }
    } catch (RuntimeException e) {
      batch.abort();
      throw e;
    }
    changed |= finish(batch, onSuccess);
    for (String dev : List.copyOf(waitingDevices)) {
      if (exists.getOrDefault(dev, false)) {
        waitingDevices.remove(dev);
      }
    }
    return changed;
  }

  /** Takes this pass's changed destinations from the graph, once per pass; a full pass looks at everything. */
  private void takeFocus(boolean full) {
    if (!focusTaken) {
      Set<String> changes = graph.takeRouteChanges();
      focus = full ? null : changes;
      focusTaken = true;
    } else if (full) {
      focus = null;
    }
  }

  /**
   * The desired routes to look at, by destination (null: not desired): without a focus every desired route (walked
   * in order, no look-ups) and the retries not among them; with one, the focus and the retries.
   */
  private Iterable<Map.Entry<String, Route>> look() {
    Map<String, Route> want = desired.routes();
    List<Map.Entry<String, Route>> extra = new ArrayList<>();
    Set<String> names = focus == null ? retry : candidates(null);
    for (String dst : names) {
      if (focus != null || !want.containsKey(dst)) {
        extra.add(new java.util.AbstractMap.SimpleEntry<>(dst, want.get(dst)));
      }
    }
    if (focus != null) {
      return extra;
    }
    return () -> java.util.stream.Stream.concat(want.entrySet().stream(), extra.stream()).iterator();
  }

  /** The destinations to look at: all of {@code all} without a focus, else the focus plus the retries. */
  private Set<String> candidates(Set<String> all) {
    if (focus == null) {
      Set<String> s = new HashSet<>(all);
      s.addAll(retry);
      return s;
    }
    Set<String> s = new HashSet<>(focus);
    s.addAll(retry);
    return s;
  }

  private boolean linkExists(String dev, Map<String, Boolean> cache) {
    if (ip.netns() != null && !dev.equals(VxlanDevice.NAME) && !dev.equals("tunl0")) {
      return true; // from outside the namespace a check costs a process: let the batch say
    }
    return cache.computeIfAbsent(dev, ip::linkExists);
  }

  private void waitFor(String dev) {
    pending = true;
    if (waitingDevices.add(dev)) {
      LOG.log(System.Logger.Level.INFO, "routes through " + dev + " wait for the device"
          + ("tunl0".equals(dev) ? " (none: this kernel may have no ipip support)" : ""));
    }
  }

  /** Runs a batch; records successes; throws for failures other than "already gone" / "no device yet". */
  private boolean run(List<String> cmds, List<Runnable> onSuccess, boolean removal, boolean bridge) {
    if (cmds.isEmpty()) {
      return false;
    }
    List<IpTool.Failure> failures = bridge ? ip.bridgeBatch(cmds) : ip.ipBatch(cmds);
    return record(cmds.size(), failures, onSuccess, removal);
  }

  /** Finishes a streamed batch of additions; records successes as {@link #run} does. */
  private boolean finish(IpTool.Batch batch, List<Runnable> onSuccess) {
    int n = batch.size();
    return n != 0 && record(n, batch.finish(), onSuccess, false);
  }

  /** Records the successes of {@code n} commands; throws for failures other than "already gone" / "no device yet". */
  private boolean record(int n, List<IpTool.Failure> failures, List<Runnable> onSuccess, boolean removal) {
    Set<Integer> failed = new HashSet<>();
    List<String> errors = new ArrayList<>();
    for (IpTool.Failure f : failures) {
      boolean gone = (removal || f.command().startsWith("route del "))
          && (f.message().contains("No such process") || f.message().contains("No such file")
          || f.missingDevice());
      if (gone) {
        continue; // already absent: the removal's goal holds
      }
      failed.add(f.line());
      if (!removal && f.missingDevice()) {
        pending = true;
        String dev = deviceOf(f.command());
        if (dev != null) {
          waitFor(dev);
        }
      } else {
        errors.add(f.command() + ": " + f.message());
      }
    }
    for (int i = 0; i < n; i++) {
      if (!failed.contains(i + 1)) {
        onSuccess.get(i).run();
      }
    }
    if (!errors.isEmpty()) {
      throw new IllegalStateException(errors.size() + " of " + n + " route changes failed; first: "
          + errors.get(0));
    }
    return failed.size() < n;
  }

  private static String deviceOf(String command) {
    String[] w = command.split(" ");
    for (int i = 0; i < w.length - 1; i++) {
      if (w[i].equals("dev")) {
        return w[i + 1];
      }
    }
    return null;
  }

  /** Routes and neighbours in one process; the FDB (another tool) only when {@code vxlan.calico} exists. */
  private void readKernel() {
    List<String> docs = ip.ipJsonBatch(List.of("route show table main proto " + PROTO,
        "neigh show dev " + VxlanDevice.NAME + " nud permanent"));
    if (docs.get(0) == null) {
      throw new IllegalStateException("reading the routes of protocol " + PROTO + " failed");
    }
    routes = KernelRoutes.parseRoutes(docs.get(0));
    if (docs.get(1) != null) {
      neighbours = KernelRoutes.parseNeighbours(docs.get(1));
      fdb = KernelRoutes.parseFdb(ip.bridgeJson("fdb", "show", "dev", VxlanDevice.NAME));
    } else {
      neighbours = new TreeMap<>();
      fdb = new TreeMap<>();
    }
  }
}
