package org.calicoledger.felix.calc;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.HashSet;
import java.util.NavigableSet;
import java.util.Set;
import java.util.TreeSet;
import org.calicoledger.felix.FelixSettings;
import org.calicoledger.felix.dataplane.ipsets.IpSet;
import org.calicoledger.felix.dataplane.iptables.Chain;
import org.calicoledger.felix.dataplane.iptables.HookJump;
import org.calicoledger.felix.dataplane.iptables.Rule;
import org.calicoledger.felix.dataplane.iptables.TableModel;
import org.calicoledger.model.IPPool;

/**
 * The IPv4 iptables Felix wants on this node, as data ({@link TableModel} per table).
 *
 * <p>Inputs: the effective interface prefixes, the pool ipsets ({@link PoolSetsResolver}), the pools' encapsulation
 * modes, whether WireGuard is on (and its interface name), and the interface names of this node's workload endpoints.
 * Outputs:
 * <pre>
 * filter  FORWARD ──► cali-FORWARD:  -i cali+ -j cali-from-wl-dispatch ─► -i caliX -g cali-fw-caliX   (one per endpoint;
 *                                                                      over 64: -i caliab+ -g cali-from-wl-dispatch-ab
 *                                                                      first, see dispatch)
 *                                   -o cali+ -j cali-to-wl-dispatch   ─► -o caliX -g cali-tw-caliX
 *                                   -i cali+ -j ACCEPT ; -o cali+ -j ACCEPT
 *         cali-fw-X / cali-tw-X:   {@link Inputs#endpointChains()}: policy and profiles (Felix's
 *                                  {@code PolicyCalc}), which return when they allow and drop otherwise
 * nat     POSTROUTING ──► cali-POSTROUTING: -j cali-nat-outgoing ; host-sourced MASQUERADE into each tunnel in use
 *         cali-nat-outgoing: -m set --match-set cali40masq-ipam-pools src
 *                            -m set ! --match-set cali40all-ipam-pools dst -j MASQUERADE   (only while a pool masquerades)
 * </pre>
 * The dispatch chains and per-endpoint chains exist only while this node has endpoints. Traffic an endpoint chain
 * returns (policy allowed it) goes on to the other direction's dispatch, then to the prefix ACCEPTs; an interface
 * without endpoint falls through to the prefix ACCEPTs too. {@link #ALLOW_ALL} is the endpoint chains without
 * policy (conntrack checks, then accept).
 * Change rules: equal inputs give equal models; any input change changes only the chains that render it.
 */
public final class IptablesResolver {
  public static final String FORWARD = "cali-FORWARD";
  public static final String FROM_WL = "cali-from-wl-dispatch";
  public static final String TO_WL = "cali-to-wl-dispatch";
  public static final String POSTROUTING = "cali-POSTROUTING";
  public static final String NAT_OUTGOING = "cali-nat-outgoing";
  public static final String FROM_ENDPOINT = "cali-fw-";
  public static final String TO_ENDPOINT = "cali-tw-";
  public static final int FLAT_DISPATCH_MAX = 64;
  public static final int GROUP_KEY_CHARS = 2;
  public static final String TUNNEL_MASQ_MATCH =
      "-m addrtype ! --src-type LOCAL --limit-iface-out -m addrtype --src-type LOCAL";

  private IptablesResolver() {}

  /**
   * The inputs, gathered so a part can compare them and skip the render when nothing changed. {@code endpointChains}
   * gives each endpoint interface's two chains (policy: {@link org.calicoledger.felix.calc.policy.PolicyCalc}); it
   * is not compared.
   */
  public record Inputs(List<String> interfacePrefixes, Map<String, IpSet> poolSets, boolean ipipInUse,
      boolean vxlanInUse, String wireguardInterface, NavigableSet<String> endpointInterfaces,
      EndpointChains endpointChains) {}

  /** The rules of an endpoint interface's {@code cali-tw-} (to the endpoint) and {@code cali-fw-} chains. */
  public interface EndpointChains {
    List<Rule> rules(String iface, boolean toEndpoint);
  }

  /** Every endpoint allowed everything (conntrack checks, then accept): the chains before policy. */
  public static final EndpointChains ALLOW_ALL = (iface, to) -> endpointRules();

  public static Inputs inputs(FelixSettings cfg, Map<String, IPPool> pools, Map<String, IpSet> poolSets,
      NavigableSet<String> endpointInterfaces) {
    return inputs(cfg, pools, poolSets, endpointInterfaces, ALLOW_ALL);
  }

  public static Inputs inputs(FelixSettings cfg, Map<String, IPPool> pools, Map<String, IpSet> poolSets,
      NavigableSet<String> endpointInterfaces, EndpointChains endpointChains) {
    boolean ipip = pools.values().stream().anyMatch(p -> !p.spec().disabled() && p.spec().ipip().enabled());
    boolean vxlan = pools.values().stream().anyMatch(p -> !p.spec().disabled() && p.spec().vxlan().enabled());
    String wg = cfg.wireguardEnabled() ? cfg.wireguardInterfaceName() : null;
    return new Inputs(cfg.interfacePrefixes(), poolSets, ipip, vxlan, wg, endpointInterfaces, endpointChains);
  }

  /** Only the interface prefixes and the endpoint interfaces shape the filter table. */
  private static boolean sameFilterConfig(Inputs a, Inputs b) {
    return a.interfacePrefixes().equals(b.interfacePrefixes());
  }

  public static TableModel filter(Inputs in) {
    List<Chain> chains = new ArrayList<>();
    List<Rule> fwd = new ArrayList<>();
    if (!in.endpointInterfaces().isEmpty()) {
      for (String iface : in.endpointInterfaces()) {
        chains.add(new Chain(FROM_ENDPOINT + iface, in.endpointChains().rules(iface, false)));
        chains.add(new Chain(TO_ENDPOINT + iface, in.endpointChains().rules(iface, true)));
      }
      dispatch(chains, FROM_WL, "-i ", FROM_ENDPOINT, in.endpointInterfaces());
      dispatch(chains, TO_WL, "-o ", TO_ENDPOINT, in.endpointInterfaces());
      for (String p : in.interfacePrefixes()) {
        fwd.add(Rule.of("-i " + p + "+", "-j " + FROM_WL));
        fwd.add(Rule.of("-o " + p + "+", "-j " + TO_WL));
      }
    }
    for (String p : in.interfacePrefixes()) {
      fwd.add(Rule.of("-i " + p + "+", "-j ACCEPT"));
      fwd.add(Rule.of("-o " + p + "+", "-j ACCEPT"));
    }
    chains.add(new Chain(FORWARD, fwd));
    return TableModel.of("filter", chains, List.of(new HookJump("FORWARD", FORWARD)));
  }

  /**
   * The filter model for {@code in} and the names of the chains that differ from {@code model}'s, or null when any
   * may ({@link FilterUpdate}).
   */
  public record FilterUpdate(TableModel model, Set<String> changed) {}

  /**
   * The filter model for {@code in}, derived from {@code model} (the model of {@code before}) when only the endpoint
   * interfaces {@code dirty} came, went or got other endpoint chains: their two endpoint chains, the dispatch group chains they fall in, and the
   * top dispatch chains only when a group appeared or vanished (or, up to {@link #FLAT_DISPATCH_MAX} endpoints, the
   * flat dispatch chains). Every other chain is the same instance as in {@code model}. When the prefixes changed,
   * the node gained its first or lost its last endpoint, or the dispatch changes shape (flat to grouped, another
   * common prefix), it renders the whole table ({@link #filter(Inputs)}) and reports null: compare everything.
   * Invariant (tested): the model equals {@code filter(in)} in both cases.
   */
  public static FilterUpdate filter(Inputs in, Inputs before, TableModel model, Set<String> dirty) {
    NavigableSet<String> now = in.endpointInterfaces();
    if (before == null || model == null || !sameFilterConfig(in, before)
        || now.isEmpty() != before.endpointInterfaces().isEmpty() || shape(now) != shape(before.endpointInterfaces())) {
      return new FilterUpdate(filter(in), null);
    }
    Set<String> changed = new HashSet<>();
    TableModel m = model;
    for (String iface : dirty) {
      boolean present = now.contains(iface);
      for (String name : List.of(FROM_ENDPOINT + iface, TO_ENDPOINT + iface)) {
        if (present) {
          Chain c = new Chain(name, in.endpointChains().rules(iface, name.startsWith(TO_ENDPOINT)));
          if (!c.equals(m.chain(name))) {
            m = m.with(c);
          }
        } else {
          m = m.without(name);
        }
        changed.add(name);
      }
    }
    int common = shape(now);
    if (common < 0) {
      m = m.with(flat(FROM_WL, "-i ", FROM_ENDPOINT, now)).with(flat(TO_WL, "-o ", TO_ENDPOINT, now));
      changed.add(FROM_WL);
      changed.add(TO_WL);
      return new FilterUpdate(m, changed);
    }
    Set<String> keys = new TreeSet<>();
    dirty.forEach(i -> keys.add(groupKey(i, common)));
    boolean groupsChanged = false;
    for (String key : keys) {
      NavigableSet<String> members = members(now, key, common);
      for (String[] d : DIRECTIONS) {
        String name = groupChain(d[0], key, common);
        if (members.isEmpty()) {
          m = m.without(name);
          groupsChanged = true;
        } else {
          groupsChanged |= m.chain(name) == null;
          m = m.with(new Chain(name, gotos(d[1], d[2], members)));
        }
        changed.add(name);
      }
    }
    if (groupsChanged) {
      for (String[] d : DIRECTIONS) {
        m = m.with(top(d[0], d[1], now, common));
        changed.add(d[0]);
      }
    }
    return new FilterUpdate(m, changed);
  }

  private static final String[][] DIRECTIONS = {{FROM_WL, "-i ", FROM_ENDPOINT}, {TO_WL, "-o ", TO_ENDPOINT}};

  /** -1 for a flat dispatch, else the length of the interfaces' common prefix (the groups' keys start after it). */
  private static int shape(NavigableSet<String> ifaces) {
    return ifaces.size() <= FLAT_DISPATCH_MAX ? -1 : commonPrefix(ifaces.first(), ifaces.last());
  }

  /**
   * The dispatch from an interface to its endpoint chain. Up to {@link #FLAT_DISPATCH_MAX} endpoints: one chain with a
   * goto per endpoint. More: a two-level tree keyed by the two characters after the names' longest common prefix
   * ({@code cali} for Calico's hashed names: 256 groups of about 40 at 10,000 endpoints), chain
   * {@code <top>-<two characters>}, so adding or removing an endpoint rewrites one small group chain, not a
   * 10,000-rule one. A name no longer than the key is matched exactly, so no group shadows another.
   */
  private static void dispatch(List<Chain> out, String top, String dir, String target,
      NavigableSet<String> ifaces) {
    int common = shape(ifaces);
    if (common < 0) {
      out.add(flat(top, dir, target, ifaces));
      return;
    }
    for (String key = groupKey(ifaces.first(), common); key != null; key = nextKey(ifaces, key, common)) {
      out.add(new Chain(groupChain(top, key, common), gotos(dir, target, members(ifaces, key, common))));
    }
    out.add(top(top, dir, ifaces, common));
  }

  private static Chain flat(String top, String dir, String target, NavigableSet<String> ifaces) {
    return new Chain(top, gotos(dir, target, ifaces));
  }

  private static List<Rule> gotos(String dir, String target, Iterable<String> ifaces) {
    List<Rule> rules = new ArrayList<>();
    for (String iface : ifaces) {
      rules.add(Rule.of(dir + iface, "-g " + target + iface));
    }
    return rules;
  }

  /** The top dispatch chain of a grouped dispatch: one goto per group, in key order. */
  private static Chain top(String top, String dir, NavigableSet<String> ifaces, int common) {
    List<Rule> rules = new ArrayList<>();
    for (String key = groupKey(ifaces.first(), common); key != null; key = nextKey(ifaces, key, common)) {
      rules.add(Rule.of(dir + key + (whole(key, common) ? "" : "+"), "-g " + groupChain(top, key, common)));
    }
    return new Chain(top, rules);
  }

  private static String groupKey(String iface, int common) {
    return iface.substring(0, Math.min(common + GROUP_KEY_CHARS, iface.length()));
  }

  /** A key shorter than the group key length is a whole interface name, matched exactly. */
  private static boolean whole(String key, int common) {
    return key.length() < common + GROUP_KEY_CHARS;
  }

  private static String groupChain(String top, String key, int common) {
    return top + "-" + (whole(key, common) ? "_" : "") + key.substring(common);
  }

  /** The interfaces of group {@code key}: the name itself for a whole key, else every name starting with it. */
  private static NavigableSet<String> members(NavigableSet<String> ifaces, String key, int common) {
    if (whole(key, common)) {
      return ifaces.contains(key) ? new TreeSet<>(List.of(key)) : new TreeSet<>();
    }
    return ifaces.subSet(key, true, key + Character.MAX_VALUE, false);
  }

  /** The key of the first group after {@code key}'s, or null (a skip over the group, not a walk of it). */
  private static String nextKey(NavigableSet<String> ifaces, String key, int common) {
    String next = whole(key, common) ? ifaces.higher(key) : ifaces.ceiling(key + Character.MAX_VALUE);
    return next == null ? null : groupKey(next, common);
  }

  private static int commonPrefix(String a, String b) {
    int n = Math.min(a.length(), b.length());
    int i = 0;
    while (i < n && a.charAt(i) == b.charAt(i)) {
      i++;
    }
    return i;
  }

  private static List<Rule> endpointRules() {
    return List.of(
        Rule.of("-m conntrack --ctstate RELATED,ESTABLISHED", "-j ACCEPT"),
        Rule.of("-m conntrack --ctstate INVALID", "-j DROP"),
        Rule.of("", "-j ACCEPT"));
  }

  public static TableModel nat(Inputs in) {
    List<Rule> post = new ArrayList<>();
    post.add(Rule.of("", "-j " + NAT_OUTGOING));
    if (in.ipipInUse()) {
      post.add(Rule.of("-o tunl0 " + TUNNEL_MASQ_MATCH, "-j MASQUERADE"));
    }
    if (in.vxlanInUse()) {
      post.add(Rule.of("-o vxlan.calico " + TUNNEL_MASQ_MATCH, "-j MASQUERADE"));
    }
    if (in.wireguardInterface() != null) {
      post.add(Rule.of("-o " + in.wireguardInterface() + " " + TUNNEL_MASQ_MATCH, "-j MASQUERADE"));
    }
    List<Rule> out = new ArrayList<>();
    IpSet masq = in.poolSets().get(PoolSetsResolver.MASQ_POOLS_V4);
    if (masq != null && !masq.members().isEmpty()) {
      out.add(Rule.of("-m set --match-set " + PoolSetsResolver.MASQ_POOLS_V4 + " src -m set ! --match-set "
          + PoolSetsResolver.ALL_POOLS_V4 + " dst", "-j MASQUERADE"));
    }
    return TableModel.of("nat", List.of(new Chain(POSTROUTING, post), new Chain(NAT_OUTGOING, out)),
        List.of(new HookJump("POSTROUTING", POSTROUTING)));
  }
}
