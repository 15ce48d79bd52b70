package org.calicoledger.felix.calc.policy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import org.calicoledger.events.image.ClusterImage;
import org.calicoledger.events.image.Concern;
import org.calicoledger.events.image.ImageValue;
import org.calicoledger.events.image.KeyedImage;
import org.calicoledger.felix.dataplane.ipsets.IpSet;
import org.calicoledger.felix.dataplane.iptables.Chain;
import org.calicoledger.felix.dataplane.iptables.Rule;
import org.calicoledger.model.GlobalNetworkPolicy;
import org.calicoledger.model.GlobalNetworkSet;
import org.calicoledger.model.NetworkPolicy;
import org.calicoledger.model.NetworkSet;
import org.calicoledger.model.PolicyTypes;
import org.calicoledger.model.Profile;
import org.calicoledger.model.WorkloadEndpoint;
import org.calicoledger.model.net.Cidr;
import org.calicoledger.model.selector.Selector;

/**
 * The active-rules calculation: which policies and profiles apply to this node's workload endpoints, their chains,
 * the endpoints' own chains, and the selector ipsets their rules match (IPv4).
 *
 * <p>Inputs (from the image): every WorkloadEndpoint (local ones get chains; every one is a candidate member of the
 * selector ipsets), GlobalNetworkPolicies, NetworkPolicies, Profiles, GlobalNetworkSets and NetworkSets.
 * Outputs:
 * <ul>
 *   <li>{@link #endpointRules(String)}: the {@code cali-tw-}/{@code cali-fw-} rules of a local interface, Calico's
 *       shape: conntrack accept/drop, clear the accept and pass marks, then each policy that selects the endpoint in
 *       order ({@code order} ascending, unset last, then id), skipped once a policy passed, returning once one
 *       accepted, then a drop if a policy applied and none passed; then each profile, returning once one accepted;
 *       then drop.</li>
 *   <li>{@link #chains()}: the {@code cali-pi-}/{@code cali-po-} chains of the <em>active</em> policies (those
 *       selecting a local endpoint, for the directions of their {@code types}) and the {@code cali-pri-}/
 *       {@code cali-pro-} chains of the profiles local endpoints name; nothing for anything else.</li>
 *   <li>{@link #ipsets()}: one {@code cali40s:} set per scoped selector of an active chain (members: the IPv4
 *       addresses of matching endpoints of every node and the CIDRs of matching network sets) and one
 *       {@code cali40n:} set per list of several rule CIDRs.</li>
 * </ul>
 * Labels: an endpoint's labels are its profiles' {@code labelsToApply} overlaid with its own; a namespace's labels
 * (matched by {@code namespaceSelector}) are {@code projectcalico.org/name: <namespace>} plus the {@code pcns.}
 * labels of profile {@code kns.<namespace>} without that prefix. A profile an endpoint names that does not exist has
 * no rules (its traffic is dropped), except Calico's built-in {@code projectcalico-default-allow}.
 *
 * <p>Change rules: nothing happens when none of the six sub-images is a different instance. When only endpoints
 * changed (the common case: pods come and go, labels change), only those are decoded again and re-matched: against
 * every active selector set (membership) and, when local, against every policy (its chains and what is active). Any
 * change of policies, profiles or network sets, or over {@value #INCREMENTAL_LIMIT} endpoints at once, rebuilds the
 * whole calculation and compares the outputs. Each consumer takes the names that changed since it last asked
 * ({@link #takeChainChanges()}, {@link #takeSetChanges()}). Invariant (tested): the outputs depend only on the image,
 * never on the order of the updates that led to it.
 */
public final class PolicyCalc {
  public static final int INCREMENTAL_LIMIT = 200;
  public static final String NAMESPACE_NAME_LABEL = "projectcalico.org/name";
  private static final Selector ALL = Selector.parse("all()");

  /** The two chains of one local endpoint. */
  public record EndpointRules(List<Rule> toEndpoint, List<Rule> fromEndpoint) {}

  /** An endpoint or network set as a candidate member of selector sets. */
  private record Item(String namespace, Map<String, String> labels, List<String> members, String iface,
      List<String> profiles) {}

  private record Policy(String id, String namespace, double order, Selector selector, Selector namespaceSelector,
      boolean ingress, boolean egress, List<org.calicoledger.model.Rule> inRules,
      List<org.calicoledger.model.Rule> outRules, String inChain, String outChain) {
    Policy(String id, String namespace, double order, Selector selector, Selector namespaceSelector, boolean ingress,
        boolean egress, List<org.calicoledger.model.Rule> inRules, List<org.calicoledger.model.Rule> outRules) {
      this(id, namespace, order, selector, namespaceSelector, ingress, egress, inRules, outRules,
          PolicyNames.policyChain(true, id), PolicyNames.policyChain(false, id));
    }
  }

  /** A rendered active chain and the sets it references. */
  private record Rendered(Chain chain, Set<SetKey> selectorSets, Set<SortedSet<String>> netsSets) {}

  private static final class SetState {
    final String name;
    int refs;
    final Map<String, Integer> members = new HashMap<>();

    SetState(String name) {
      this.name = name;
    }
  }

  private final String nodename;
  private ClusterImage seenImage;
  private KeyedImage<?> seenWeps;
  private List<Object> seenDefs;
  private int rebuilds;

  // derived from the definitions (policies, profiles, network sets)
  private List<Policy> policies = List.of();
  private final Map<String, Policy> policyById = new HashMap<>();
  /** Positions in {@link #policies} by the label their selector requires ({@link #labelKey}); the rest apart. */
  private final Map<String, List<Integer>> policiesByLabel = new HashMap<>();
  private final List<Integer> unindexedPolicies = new ArrayList<>();
  private final Map<String, String[]> profileChains = new HashMap<>();
  /** Item keys by each {@code key=value} label they carry ({@link #labelKey}). */
  private final Map<String, Set<String>> itemsByLabel = new HashMap<>();
  private Map<String, Profile> profiles = Map.of();
  private final Map<String, Map<String, String>> namespaceLabels = new HashMap<>();

  // items: "w:<id>" endpoints, "g:<id>" global network sets, "n:<id>" network sets
  private final Map<String, ImageValue> wepValues = new HashMap<>();
  private final Map<String, Item> items = new HashMap<>();

  // local endpoints by interface (two endpoints on one interface: the first id wins)
  private final TreeMap<String, String> localByIface = new TreeMap<>();
  private final Map<String, List<String>[]> localPolicies = new HashMap<>();

  // active chains and sets
  private final Map<String, Integer> chainRefs = new HashMap<>();
  private final Map<String, Rendered> rendered = new HashMap<>();
  private final Map<SetKey, SetState> selectorSets = new HashMap<>();
  private final Map<SortedSet<String>, SetState> netsSets = new HashMap<>();

  // outputs
  private final Map<String, EndpointRules> endpointRules = new HashMap<>();
  private final Map<String, Chain> chains = new HashMap<>();
  private final Map<String, IpSet> ipsets = new HashMap<>();
  private final Set<String> changedIfaces = new HashSet<>();
  private final Set<String> changedChains = new HashSet<>();
  private final Set<String> changedSets = new HashSet<>();
  private boolean allChainsChanged = true;
  private boolean allSetsChanged = true;

  public PolicyCalc(String nodename) {
    this.nodename = nodename;
  }

  /** Brings the outputs up to date with {@code image} (memoized on the instance; cheap when nothing it reads changed). */
  public void update(ClusterImage image) {
    if (image == seenImage) {
      return;
    }
    seenImage = image;
    List<Object> defs = java.util.Arrays.asList(image.get(Concern.GLOBAL_NETWORK_POLICIES),
        image.get(Concern.NETWORK_POLICIES), image.get(Concern.PROFILES), image.get(Concern.GLOBAL_NETWORK_SETS),
        image.get(Concern.NETWORK_SETS));
    KeyedImage<WorkloadEndpoint> weps = image.get(Concern.WORKLOAD_ENDPOINTS);
    if (!identical(defs, seenDefs)) {
      rebuild(image);
    } else if (weps != seenWeps) {
      endpointsChanged(weps);
    }
    seenDefs = defs;
    seenWeps = weps;
  }

  private static boolean identical(List<Object> a, List<Object> b) {
    if (b == null || a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      if (a.get(i) != b.get(i)) {
        return false;
      }
    }
    return true;
  }

  /** How many times the whole calculation was rebuilt (for tests of the incremental path). */
  public int rebuilds() {
    return rebuilds;
  }

  // ---- outputs

  /** The chains of local interface {@code iface}; null when it has no endpoint. */
  public EndpointRules endpointRules(String iface) {
    return endpointRules.get(iface);
  }

  /** The active policy and profile chains by name. */
  public Map<String, Chain> chains() {
    return Collections.unmodifiableMap(chains);
  }

  /** The selector and CIDR ipsets by name. */
  public Map<String, IpSet> ipsets() {
    return Collections.unmodifiableMap(ipsets);
  }

  /** What changed for the iptables part since it last asked: interfaces and chain names, or null for anything. */
  public record ChainChanges(Set<String> ifaces, Set<String> chains) {}

  public ChainChanges takeChainChanges() {
    ChainChanges c = allChainsChanged ? null : new ChainChanges(Set.copyOf(changedIfaces), Set.copyOf(changedChains));
    allChainsChanged = false;
    changedIfaces.clear();
    changedChains.clear();
    return c;
  }

  /** The ipset names that changed since the ipsets part last asked, or null for any. */
  public Set<String> takeSetChanges() {
    Set<String> c = allSetsChanged ? null : Set.copyOf(changedSets);
    allSetsChanged = false;
    changedSets.clear();
    return c;
  }

  // ---- the whole calculation

  private void rebuild(ClusterImage image) {
    rebuilds++;
    Map<String, EndpointRules> oldEndpoints = new HashMap<>(endpointRules);
    Map<String, Chain> oldChains = new HashMap<>(chains);
    Map<String, IpSet> oldSets = new HashMap<>(ipsets);
    Set<String> pendingIfaces = new HashSet<>(changedIfaces);
    Set<String> pendingChains = new HashSet<>(changedChains);
    Set<String> pendingSets = new HashSet<>(changedSets);
    wepValues.clear();
    items.clear();
    localByIface.clear();
    localPolicies.clear();
    chainRefs.clear();
    rendered.clear();
    selectorSets.clear();
    netsSets.clear();
    endpointRules.clear();
    chains.clear();
    ipsets.clear();
    namespaceLabels.clear();
    itemsByLabel.clear();
    profileChains.clear();
    policyById.clear();
    policiesByLabel.clear();
    unindexedPolicies.clear();

    profiles = new HashMap<>(image.profiles());
    policies = parsePolicies(image);
    for (int i = 0; i < policies.size(); i++) {
      Policy p = policies.get(i);
      policyById.put(p.id(), p);
      Map.Entry<String, String> req = p.selector().requiredLabel();
      if (req == null) {
        unindexedPolicies.add(i);
      } else {
        policiesByLabel.computeIfAbsent(labelKey(req.getKey(), req.getValue()), k -> new ArrayList<>()).add(i);
      }
    }
    for (var e : image.get(Concern.GLOBAL_NETWORK_SETS).map().entrySet()) {
      GlobalNetworkSet s = e.getValue();
      putItem("g:" + e.getKey(), new Item(null, labels(s.metadata().labels()), nets(s.spec().nets()), null, null));
    }
    for (var e : image.get(Concern.NETWORK_SETS).map().entrySet()) {
      NetworkSet s = e.getValue();
      putItem("n:" + e.getKey(), new Item(s.namespace(), labels(s.metadata().labels()), nets(s.spec().nets()), null,
          null));
    }
    KeyedImage<WorkloadEndpoint> weps = image.get(Concern.WORKLOAD_ENDPOINTS);
    for (Map.Entry<String, ImageValue> e : weps.values().entrySet()) {
      wepValues.put(e.getKey(), e.getValue());
      Item it = item(weps, e.getKey(), e.getValue());
      if (it != null) {
        putItem("w:" + e.getKey(), it);
        if (it.iface() != null) {
          localByIface.putIfAbsent(it.iface(), "w:" + e.getKey());
        }
      }
    }
    for (String iface : List.copyOf(localByIface.keySet())) {
      refreshLocal(iface);
    }
    changedIfaces.clear(); // what consumers have not taken yet, plus what differs now
    changedChains.clear();
    changedSets.clear();
    changedIfaces.addAll(pendingIfaces);
    changedChains.addAll(pendingChains);
    changedSets.addAll(pendingSets);
    diffOutputs(oldEndpoints, oldChains, oldSets);
  }

  /** Records as changed every output that differs from before a rebuild (so consumers rewrite only those). */
  private void diffOutputs(Map<String, EndpointRules> oldEndpoints, Map<String, Chain> oldChains,
      Map<String, IpSet> oldSets) {
    for (String i : union(oldEndpoints.keySet(), endpointRules.keySet())) {
      if (!java.util.Objects.equals(oldEndpoints.get(i), endpointRules.get(i))) {
        changedIfaces.add(i);
      }
    }
    for (String c : union(oldChains.keySet(), chains.keySet())) {
      if (!java.util.Objects.equals(oldChains.get(c), chains.get(c))) {
        changedChains.add(c);
      }
    }
    for (String s : union(oldSets.keySet(), ipsets.keySet())) {
      if (!java.util.Objects.equals(oldSets.get(s), ipsets.get(s))) {
        changedSets.add(s);
      }
    }
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    Set<String> u = new HashSet<>(a);
    u.addAll(b);
    return u;
  }

  private List<Policy> parsePolicies(ClusterImage image) {
    List<Policy> out = new ArrayList<>();
    for (GlobalNetworkPolicy p : image.get(Concern.GLOBAL_NETWORK_POLICIES).map().values()) {
      var s = p.spec();
      if (Boolean.TRUE.equals(s.doNotTrack()) || Boolean.TRUE.equals(s.preDNAT())) {
        continue; // rejected on write; one written by another tool is not enforced here
      }
      List<String> types = PolicyTypes.withDefault(s.types(), s.ingress(), s.egress());
      try {
        out.add(new Policy(p.name(), null, order(s.order()), selector(s.selector()),
            blank(s.namespaceSelector()) ? null : Selector.parse(s.namespaceSelector()),
            types.contains(PolicyTypes.INGRESS), types.contains(PolicyTypes.EGRESS), rules(s.ingress()),
            rules(s.egress())));
      } catch (RuntimeException e) {
        warn("GlobalNetworkPolicy " + p.name() + " is not enforced: " + e.getMessage());
      }
    }
    for (NetworkPolicy p : image.get(Concern.NETWORK_POLICIES).map().values()) {
      var s = p.spec();
      List<String> types = PolicyTypes.withDefault(s.types(), s.ingress(), s.egress());
      String ns = p.namespace() == null || p.namespace().isEmpty() ? "default" : p.namespace();
      try {
        out.add(new Policy(PolicyNames.policyId(ns, p.name()), ns, order(s.order()), selector(s.selector()), null,
            types.contains(PolicyTypes.INGRESS), types.contains(PolicyTypes.EGRESS), rules(s.ingress()),
            rules(s.egress())));
      } catch (RuntimeException e) {
        warn("NetworkPolicy " + ns + "/" + p.name() + " is not enforced: " + e.getMessage());
      }
    }
    out.sort(Comparator.comparingDouble(Policy::order).thenComparing(Policy::id));
    return List.copyOf(out);
  }

  private static final System.Logger LOG = System.getLogger("felix.policy");
  private static final Set<String> WARNED = java.util.concurrent.ConcurrentHashMap.newKeySet();

  /** Logs a problem with stored data once per distinct message. */
  private static void warn(String message) {
    if (WARNED.size() < 10_000 && WARNED.add(message)) {
      LOG.log(System.Logger.Level.WARNING, message);
    }
  }

  private static double order(Double o) {
    return o == null ? Double.POSITIVE_INFINITY : o;
  }

  private static Selector selector(String s) {
    return blank(s) ? ALL : Selector.parse(s);
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }

  private static List<org.calicoledger.model.Rule> rules(List<org.calicoledger.model.Rule> r) {
    return r == null ? List.of() : r;
  }

  private static Map<String, String> labels(Map<String, String> l) {
    return l == null ? Map.of() : l;
  }

  /** An endpoint as an item, or null when it cannot be read. */
  private Item item(KeyedImage<WorkloadEndpoint> weps, String id, ImageValue v) {
    WorkloadEndpoint w;
    try {
      w = weps.decode(id, v);
    } catch (RuntimeException e) {
      return null;
    }
    var s = w.spec();
    List<String> profs = s.profiles() == null ? List.of() : s.profiles();
    Map<String, String> l = new HashMap<>();
    for (String p : profs) {
      Profile prof = profile(p);
      if (prof != null && prof.spec().labelsToApply() != null) {
        l.putAll(prof.spec().labelsToApply());
      }
    }
    l.putAll(labels(w.metadata().labels()));
    List<String> members = new ArrayList<>();
    if (s.ipNetworks() != null) {
      for (String n : s.ipNetworks()) {
        try {
          Cidr c = RuleRenderer.v4Network(n);
          if (c != null) {
            members.add(c.toString());
          }
        } catch (RuntimeException ignored) {
          // an address that does not parse is not a member
        }
      }
    }
    boolean local = nodename.equals(s.node()) && s.interfaceName() != null && !s.interfaceName().isEmpty();
    String ns = w.namespace() == null || w.namespace().isEmpty() ? "default" : w.namespace();
    return new Item(ns, Map.copyOf(l), List.copyOf(members), local ? s.interfaceName() : null, List.copyOf(profs));
  }

  private Profile profile(String name) {
    if (Profile.DEFAULT_ALLOW.equals(name)) {
      return Profile.defaultAllow();
    }
    return profiles.get(name);
  }

  /** A network set's CIDRs as set members: IPv4 only; {@code 0.0.0.0/0} as two halves (hash:net holds no /0). */
  private static List<String> nets(List<String> nets) {
    List<String> out = new ArrayList<>();
    for (String n : nets == null ? List.<String>of() : nets) {
      try {
        Cidr c = RuleRenderer.v4Network(n);
        if (c == null) {
          continue;
        }
        if (c.prefixLength() == 0) {
          out.add("0.0.0.0/1");
          out.add("128.0.0.0/1");
        } else {
          out.add(c.toString());
        }
      } catch (RuntimeException ignored) {
        // validated on write; a CIDR that does not parse matches nothing
      }
    }
    return List.copyOf(out);
  }

  private Map<String, String> namespaceLabels(String ns) {
    return namespaceLabels.computeIfAbsent(ns, n -> {
      Map<String, String> l = new HashMap<>();
      Profile p = profiles.get("kns." + n);
      if (p != null && p.spec().labelsToApply() != null) {
        p.spec().labelsToApply().forEach((k, v) -> {
          if (k.startsWith("pcns.")) {
            l.put(k.substring(5), v);
          }
        });
      }
      l.put(NAMESPACE_NAME_LABEL, n);
      return Map.copyOf(l);
    });
  }

  // ---- endpoints only

  private void endpointsChanged(KeyedImage<WorkloadEndpoint> weps) {
    Map<String, ImageValue[]> changed = new HashMap<>(); // id -> {old, new}
    for (Map.Entry<String, ImageValue> e : weps.values().entrySet()) {
      ImageValue old = wepValues.get(e.getKey());
      if (old != e.getValue()) {
        changed.put(e.getKey(), new ImageValue[] {old, e.getValue()});
        if (changed.size() > INCREMENTAL_LIMIT) {
          rebuild(seenImage);
          return;
        }
      }
    }
    if (weps.size() != wepValues.size() + countNew(changed)) {
      for (String id : wepValues.keySet()) {
        if (!weps.contains(id)) {
          changed.put(id, new ImageValue[] {wepValues.get(id), null});
        }
      }
    }
    if (changed.size() > INCREMENTAL_LIMIT) {
      rebuild(seenImage);
      return;
    }
    Set<String> ifaces = new LinkedHashSet<>();
    for (Map.Entry<String, ImageValue[]> e : changed.entrySet()) {
      String key = "w:" + e.getKey();
      Item before = items.get(key);
      ImageValue now = e.getValue()[1];
      Item after = now == null ? null : item(weps, e.getKey(), now);
      if (now == null) {
        wepValues.remove(e.getKey());
      } else {
        wepValues.put(e.getKey(), now);
      }
      removeItem(key);
      if (after != null) {
        putItem(key, after);
      }
      for (Map.Entry<SetKey, SetState> s : selectorSets.entrySet()) {
        boolean was = before != null && matches(s.getKey(), before);
        boolean is = after != null && matches(s.getKey(), after);
        if (was || is) {
          if (was) {
            remove(s.getValue(), before.members());
          }
          if (is) {
            add(s.getValue(), after.members());
          }
          publish(s.getValue());
        }
      }
      if (before != null && before.iface() != null) {
        ifaces.add(before.iface());
        if (key.equals(localByIface.get(before.iface()))) {
          localByIface.remove(before.iface());
        }
      }
      if (after != null && after.iface() != null) {
        ifaces.add(after.iface());
        localByIface.putIfAbsent(after.iface(), key);
      }
    }
    for (String iface : ifaces) {
      if (!localByIface.containsKey(iface)) { // another endpoint may still name it
        for (Map.Entry<String, Item> it : items.entrySet()) {
          if (iface.equals(it.getValue().iface())) {
            localByIface.put(iface, it.getKey());
            break;
          }
        }
      }
      refreshLocal(iface);
    }
  }

  static String labelKey(String key, String value) {
    return key + '\u0000' + value;
  }

  private void putItem(String key, Item it) {
    removeItem(key);
    items.put(key, it);
    for (Map.Entry<String, String> l : it.labels().entrySet()) {
      itemsByLabel.computeIfAbsent(labelKey(l.getKey(), l.getValue()), k -> new HashSet<>()).add(key);
    }
  }

  private void removeItem(String key) {
    Item old = items.remove(key);
    if (old != null) {
      for (Map.Entry<String, String> l : old.labels().entrySet()) {
        String lk = labelKey(l.getKey(), l.getValue());
        Set<String> s = itemsByLabel.get(lk);
        if (s != null && s.remove(key) && s.isEmpty()) {
          itemsByLabel.remove(lk);
        }
      }
    }
  }

  /** The items a set's selector may match: those carrying its required label, or all. */
  private Iterable<Item> candidates(Selector selector) {
    Map.Entry<String, String> req = selector.requiredLabel();
    if (req == null) {
      return items.values();
    }
    Set<String> keys = itemsByLabel.getOrDefault(labelKey(req.getKey(), req.getValue()), Set.of());
    List<Item> out = new ArrayList<>(keys.size());
    for (String k : keys) {
      out.add(items.get(k));
    }
    return out;
  }

  /** The policies whose selector may match labels {@code l}, in policy order. */
  private List<Policy> candidatePolicies(Map<String, String> l) {
    List<Integer> idx = new ArrayList<>(unindexedPolicies);
    for (Map.Entry<String, String> e : l.entrySet()) {
      List<Integer> p = policiesByLabel.get(labelKey(e.getKey(), e.getValue()));
      if (p != null) {
        idx.addAll(p);
      }
    }
    java.util.Collections.sort(idx);
    List<Policy> out = new ArrayList<>(idx.size());
    for (int i : idx) {
      out.add(policies.get(i));
    }
    return out;
  }

  private int countNew(Map<String, ImageValue[]> changed) {
    int n = 0;
    for (ImageValue[] v : changed.values()) {
      if (v[0] == null) {
        n++;
      }
    }
    return n;
  }

  private boolean matches(SetKey k, Item it) {
    return k.matches(it.namespace(), it.labels(), this::namespaceLabels);
  }

  /** Recomputes the policies and profiles of local interface {@code iface} and its chains. */
  @SuppressWarnings("unchecked")
  private void refreshLocal(String iface) {
    List<String>[] before = localPolicies.remove(iface);
    String key = localByIface.get(iface);
    Item ep = key == null ? null : items.get(key);
    List<String>[] now = null;
    if (ep != null) {
      List<String> in = new ArrayList<>();
      List<String> out = new ArrayList<>();
      for (Policy p : candidatePolicies(ep.labels())) {
        if (selects(p, ep)) {
          if (p.ingress()) {
            in.add(p.id());
          }
          if (p.egress()) {
            out.add(p.id());
          }
        }
      }
      List<String> profs = new ArrayList<>();
      for (String p : ep.profiles()) {
        if (profile(p) != null) {
          profs.add(p);
        }
      }
      now = new List[] {List.copyOf(in), List.copyOf(out), List.copyOf(profs)};
      localPolicies.put(iface, now);
      reference(now, +1);
      EndpointRules r = new EndpointRules(endpointChain(true, now[0], now[2]),
          endpointChain(false, now[1], now[2]));
      if (!r.equals(endpointRules.put(iface, r))) {
        changedIfaces.add(iface);
      }
    } else if (endpointRules.remove(iface) != null) {
      changedIfaces.add(iface);
    }
    if (before != null) {
      reference(before, -1);
    }
  }

  private boolean selects(Policy p, Item ep) {
    if (p.namespace() != null && !p.namespace().equals(ep.namespace())) {
      return false;
    }
    if (p.namespaceSelector() != null && !p.namespaceSelector().matches(namespaceLabels(ep.namespace()))) {
      return false;
    }
    return p.selector().matches(ep.labels());
  }

  private String policyChain(boolean inbound, String id) {
    Policy p = policyById.get(id);
    return p == null ? PolicyNames.policyChain(inbound, id) : inbound ? p.inChain() : p.outChain();
  }

  private String profileChain(boolean inbound, String name) {
    String[] c = profileChains.computeIfAbsent(name, n -> new String[] {PolicyNames.profileChain(true, n),
        PolicyNames.profileChain(false, n)});
    return inbound ? c[0] : c[1];
  }

  private List<Rule> endpointChain(boolean inbound, List<String> policyIds, List<String> profiles) {
    List<Rule> r = new ArrayList<>();
    r.add(Rule.of("-m conntrack --ctstate RELATED,ESTABLISHED", "-j ACCEPT"));
    r.add(Rule.of("-m conntrack --ctstate INVALID", "-j DROP"));
    r.add(Rule.of("", RuleRenderer.CLEAR_MARKS));
    if (!policyIds.isEmpty()) {
      for (String id : policyIds) {
        r.add(Rule.of(RuleRenderer.MARK_NOT_PASS, "-j " + policyChain(inbound, id)));
        r.add(Rule.of(RuleRenderer.MARK_ACCEPT, "-j RETURN"));
      }
      r.add(Rule.of(RuleRenderer.MARK_NOT_PASS, "-j DROP"));
    }
    for (String p : profiles) {
      r.add(Rule.of("", "-j " + profileChain(inbound, p)));
      r.add(Rule.of(RuleRenderer.MARK_ACCEPT, "-j RETURN"));
    }
    r.add(Rule.of("", "-j DROP"));
    return List.copyOf(r);
  }

  /** Adds ({@code +1}) or drops ({@code -1}) one endpoint's references to policy and profile chains. */
  private void reference(List<String>[] lists, int delta) {
    for (int dir = 0; dir < 2; dir++) {
      boolean inbound = dir == 0;
      for (String id : lists[dir]) {
        reference(policyChain(inbound, id), delta, () -> renderPolicy(id, inbound));
      }
      for (String p : lists[2]) {
        reference(profileChain(inbound, p), delta, () -> renderProfile(p, inbound));
      }
    }
  }

  private void reference(String chain, int delta, java.util.function.Supplier<Rendered> render) {
    int refs = chainRefs.getOrDefault(chain, 0) + delta;
    if (refs > 0) {
      chainRefs.put(chain, refs);
      if (refs == delta) { // first reference: render it and take its sets
        Rendered r = render.get();
        rendered.put(chain, r);
        chains.put(chain, r.chain());
        changedChains.add(chain);
        r.selectorSets().forEach(k -> setRef(k, +1));
        r.netsSets().forEach(k -> netsRef(k, +1));
      }
      return;
    }
    chainRefs.remove(chain);
    Rendered r = rendered.remove(chain);
    if (r != null) {
      chains.remove(chain);
      changedChains.add(chain);
      r.selectorSets().forEach(k -> setRef(k, -1));
      r.netsSets().forEach(k -> netsRef(k, -1));
    }
  }

  private Rendered renderPolicy(String id, boolean inbound) {
    Policy p = policyById.get(id);
    if (p == null) {
      throw new IllegalStateException("policy " + id + " is referenced but unknown");
    }
    return render(inbound ? p.inChain() : p.outChain(), inbound ? p.inRules() : p.outRules(), p.namespace());
  }

  private Rendered renderProfile(String name, boolean inbound) {
    Profile p = profile(name);
    List<org.calicoledger.model.Rule> rules = p == null ? List.of()
        : rules(inbound ? p.spec().ingress() : p.spec().egress());
    return render(profileChain(inbound, name), rules, null);
  }

  private static Rendered render(String chain, List<org.calicoledger.model.Rule> rules, String namespace) {
    Set<SetKey> sel = new LinkedHashSet<>();
    Set<SortedSet<String>> nets = new LinkedHashSet<>();
    RuleRenderer.SetNamer namer = new RuleRenderer.SetNamer() {
      @Override
      public String selectorSet(SetKey key) {
        sel.add(key);
        return PolicyNames.selectorSet(key);
      }

      @Override
      public String netsSet(SortedSet<String> cidrs) {
        nets.add(cidrs);
        return PolicyNames.netsSet(cidrs);
      }
    };
    List<Rule> out = new ArrayList<>();
    for (int i = 0; i < rules.size(); i++) {
      try {
        out.addAll(RuleRenderer.render(rules.get(i), namespace, namer));
      } catch (RuntimeException e) { // written by another tool: leave the rule out, keep the rest of the table
        warn(chain + " rule " + i + " is left out: " + e.getMessage());
      }
    }
    return new Rendered(new Chain(chain, out), sel, nets);
  }

  private void setRef(SetKey k, int delta) {
    SetState s = selectorSets.get(k);
    if (s == null) {
      if (delta < 0) {
        return;
      }
      s = new SetState(PolicyNames.selectorSet(k));
      selectorSets.put(k, s);
      for (Item it : candidates(k.selector())) {
        if (matches(k, it)) {
          add(s, it.members());
        }
      }
    }
    s.refs += delta;
    if (s.refs <= 0) {
      selectorSets.remove(k);
      ipsets.remove(s.name);
      changedSets.add(s.name);
    } else if (s.refs == delta) {
      publish(s);
    }
  }

  private void netsRef(SortedSet<String> cidrs, int delta) {
    SetState s = netsSets.get(cidrs);
    if (s == null) {
      if (delta < 0) {
        return;
      }
      s = new SetState(PolicyNames.netsSet(cidrs));
      netsSets.put(cidrs, s);
      add(s, new ArrayList<>(cidrs));
    }
    s.refs += delta;
    if (s.refs <= 0) {
      netsSets.remove(cidrs);
      ipsets.remove(s.name);
      changedSets.add(s.name);
    } else if (s.refs == delta) {
      publish(s);
    }
  }

  private static void add(SetState s, List<String> members) {
    for (String m : members) {
      s.members.merge(m, 1, Integer::sum);
    }
  }

  private static void remove(SetState s, List<String> members) {
    for (String m : members) {
      s.members.computeIfPresent(m, (k, n) -> n == 1 ? null : n - 1);
    }
  }

  private void publish(SetState s) {
    IpSet set = new IpSet(s.name, "hash:net", "inet", s.members.keySet());
    if (!set.equals(ipsets.put(s.name, set))) {
      changedSets.add(s.name);
    }
  }
}
