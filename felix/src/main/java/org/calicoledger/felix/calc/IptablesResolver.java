package org.calicoledger.felix.calc;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
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
 *         cali-fw-X / cali-tw-X:   ESTABLISHED,RELATED accept ; INVALID drop ; accept (no policy applies)
 * nat     POSTROUTING ──► cali-POSTROUTING: -j cali-nat-outgoing ; host-sourced MASQUERADE into each tunnel in use
 *         cali-nat-outgoing: -m set --match-set cali40masq-ipam-pools src
 *                            -m set ! --match-set cali40all-ipam-pools dst -j MASQUERADE   (only while a pool masquerades)
 * </pre>
 * The dispatch chains and per-endpoint chains exist only while this node has endpoints. Policy (a later issue) will
 * replace the per-endpoint chains' last rule; until then an endpoint is allowed everything, as Calico's
 * {@code kns.<namespace>} profile allows, and an interface without endpoint falls through to the prefix ACCEPTs.
 * Change rules: equal inputs give equal models; any input change changes only the chains that render it.
 */
public final class IptablesResolver {
  public static final String FORWARD = "cali-FORWARD";
  public static final String FROM_WL = "cali-from-wl-dispatch";
  public static final String TO_WL = "cali-to-wl-dispatch";
  public static final String POSTROUTING = "cali-POSTROUTING";
  public static final String NAT_OUTGOING = "cali-nat-outgoing";
  public static final int FLAT_DISPATCH_MAX = 64;
  public static final int GROUP_KEY_CHARS = 2;
  public static final String TUNNEL_MASQ_MATCH =
      "-m addrtype ! --src-type LOCAL --limit-iface-out -m addrtype --src-type LOCAL";

  private IptablesResolver() {}

  /** The inputs, gathered so a part can compare them and skip the render when nothing changed. */
  public record Inputs(List<String> interfacePrefixes, Map<String, IpSet> poolSets, boolean ipipInUse,
      boolean vxlanInUse, String wireguardInterface, SortedSet<String> endpointInterfaces) {}

  public static Inputs inputs(EffectiveConfig cfg, Map<String, IPPool> pools, Map<String, IpSet> poolSets,
      SortedSet<String> endpointInterfaces) {
    boolean ipip = pools.values().stream().anyMatch(p -> !p.spec().disabled() && p.spec().ipip().enabled());
    boolean vxlan = pools.values().stream().anyMatch(p -> !p.spec().disabled() && p.spec().vxlan().enabled());
    String wg = cfg.wireguardEnabled() ? cfg.string("wireguardInterfaceName").orElse("wireguard.cali") : null;
    return new Inputs(cfg.interfacePrefixes(), poolSets, ipip, vxlan, wg, endpointInterfaces);
  }

  public static TableModel filter(Inputs in) {
    List<Chain> chains = new ArrayList<>();
    List<Rule> fwd = new ArrayList<>();
    if (!in.endpointInterfaces().isEmpty()) {
      for (String iface : in.endpointInterfaces()) {
        chains.add(new Chain("cali-fw-" + iface, endpointRules()));
        chains.add(new Chain("cali-tw-" + iface, endpointRules()));
      }
      dispatch(chains, FROM_WL, "-i ", "cali-fw-", in.endpointInterfaces());
      dispatch(chains, TO_WL, "-o ", "cali-tw-", in.endpointInterfaces());
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
    return new TableModel("filter", chains, List.of(new HookJump("FORWARD", FORWARD)));
  }

  /**
   * The dispatch from an interface to its endpoint chain. Up to {@link #FLAT_DISPATCH_MAX} endpoints: one chain with a
   * goto per endpoint. More: a two-level tree keyed by the two characters after the names' longest common prefix
   * ({@code cali} for Calico's hashed names: 256 groups of about 40 at 10,000 endpoints), chain
   * {@code <top>-<two characters>}, so adding or removing an endpoint rewrites one small group chain, not a
   * 10,000-rule one. A name no longer than the key is matched exactly, so no group shadows another.
   */
  private static void dispatch(List<Chain> out, String top, String dir, String target, SortedSet<String> ifaces) {
    if (ifaces.size() <= FLAT_DISPATCH_MAX) {
      List<Rule> rules = new ArrayList<>();
      for (String iface : ifaces) {
        rules.add(Rule.of(dir + iface, "-g " + target + iface));
      }
      out.add(new Chain(top, rules));
      return;
    }
    int common = commonPrefix(ifaces.first(), ifaces.last()); // sorted: first and last bound every pair
    Map<String, List<Rule>> groups = new java.util.TreeMap<>();
    for (String iface : ifaces) {
      String key = iface.substring(0, Math.min(common + GROUP_KEY_CHARS, iface.length()));
      groups.computeIfAbsent(key, k -> new ArrayList<>()).add(Rule.of(dir + iface, "-g " + target + iface));
    }
    List<Rule> rules = new ArrayList<>();
    for (Map.Entry<String, List<Rule>> g : groups.entrySet()) {
      String key = g.getKey();
      boolean whole = key.length() < common + GROUP_KEY_CHARS;
      String chain = top + "-" + (whole ? "_" : "") + key.substring(common);
      rules.add(Rule.of(dir + key + (whole ? "" : "+"), "-g " + chain));
      out.add(new Chain(chain, g.getValue()));
    }
    out.add(new Chain(top, rules));
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
    return new TableModel("nat", List.of(new Chain(POSTROUTING, post), new Chain(NAT_OUTGOING, out)),
        List.of(new HookJump("POSTROUTING", POSTROUTING)));
  }
}
