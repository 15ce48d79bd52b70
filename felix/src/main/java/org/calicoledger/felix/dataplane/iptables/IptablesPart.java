package org.calicoledger.felix.dataplane.iptables;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.calicoledger.events.image.ClusterImage;
import org.calicoledger.felix.FelixContext;
import org.calicoledger.felix.FelixPart;
import org.calicoledger.felix.FelixSettings;
import org.calicoledger.felix.calc.IptablesResolver;
import org.calicoledger.felix.calc.LocalInterfaceResolver;
import org.calicoledger.felix.calc.PoolSetsResolver;
import org.calicoledger.felix.calc.policy.PolicyCalc;
import org.calicoledger.felix.kernel.HostCommands;

/**
 * The iptables part (IPv4 {@code filter} and {@code nat}): keeps {@link IptablesResolver}'s models, and the kernel
 * equal to them with one {@code iptables-restore --noflush} per changed table per apply.
 *
 * <p>Model: kept between images and updated, not rebuilt. {@link LocalInterfaceResolver} reports which endpoint
 * interfaces came or went; {@link IptablesResolver#filter(IptablesResolver.Inputs, IptablesResolver.Inputs,
 * TableModel, Set)} replaces only their two chains and the dispatch chains that name them, and the names of those
 * chains are added to the table's dirty set. A change of anything else (prefixes, pools, WireGuard) renders the
 * table whole and marks every chain dirty ({@code null}). So one endpoint added among 10,000 costs a walk of the
 * endpoint map by identity, a few persistent-map updates and a restore of about five chains.
 *
 * <p>Apply: with {@code full} (or after a failure) each table is read back with {@code iptables-save -t <table>}
 * ({@link ActualTable#parse}) and compared chain by chain, so a chain flushed or edited by hand, or a hook jump deleted
 * or pushed down, is found by its hashes and repaired; otherwise the record of the last successful restore stands in
 * for the kernel and only the dirty chains are compared and written ({@link IptablesScript#diff(TableModel,
 * ActualTable, Set)}): a table with no dirty chain costs nothing. The dirty set is cleared only after a restore
 * succeeded. It writes only {@code cali-} chains and its hook jumps; the ipsets the NAT rule matches are the ipsets
 * part's, which runs first.
 */
public final class IptablesPart implements FelixPart {
  private static final String FILTER = "filter";
  private static final String NAT = "nat";
  private final FelixContext ctx;
  private final HostCommands cmd;
  private final LocalInterfaceResolver interfaces;
  private final PolicyCalc policy;
  private FelixSettings settings;
  private IptablesResolver.Inputs inputs;
  private TableModel filter;
  private TableModel nat;
  private final Map<String, ActualTable> programmed = new HashMap<>();
  /** Per table, the chains that may differ from {@link #programmed}; a null value: any may. */
  private final Map<String, Set<String>> dirty = new HashMap<>();

  /** Without policy: every endpoint is allowed everything ({@link IptablesResolver#ALLOW_ALL}). */
  public IptablesPart(FelixContext ctx, HostCommands cmd) {
    this(ctx, cmd, null);
  }

  /** With policy: endpoint chains, policy and profile chains from {@code policy} (shared with the ipsets part). */
  public IptablesPart(FelixContext ctx, HostCommands cmd, PolicyCalc policy) {
    this.ctx = ctx;
    this.cmd = cmd;
    this.interfaces = new LocalInterfaceResolver(ctx.nodename());
    this.policy = policy;
  }

  /** An interface PolicyCalc has no endpoint for (it agrees with LocalInterfaceResolver; this is only a guard). */
  private static final List<Rule> NO_ENDPOINT = List.of(Rule.of("-m conntrack --ctstate RELATED,ESTABLISHED",
      "-j ACCEPT"), Rule.of("", "-j DROP"));

  private List<Rule> endpointChain(String iface, boolean toEndpoint) {
    PolicyCalc.EndpointRules r = policy.endpointRules(iface);
    return r == null ? NO_ENDPOINT : toEndpoint ? r.toEndpoint() : r.fromEndpoint();
  }

  @Override
  public String name() {
    return "iptables";
  }

  @Override
  public void onImage(ClusterImage image) {
    settings = FelixSettings.ofOrKeep(image, ctx, settings);
    interfaces.resolve(image);
    Set<String> changedIfaces = interfaces.takeChanged();
    PolicyCalc.ChainChanges pc = new PolicyCalc.ChainChanges(Set.of(), Set.of());
    if (policy != null) {
      policy.update(image);
      pc = policy.takeChainChanges();
      if (pc != null && !pc.ifaces().isEmpty()) {
        changedIfaces = new HashSet<>(changedIfaces);
        changedIfaces.addAll(pc.ifaces());
      }
    }
    IptablesResolver.Inputs in = IptablesResolver.inputs(settings, image.pools(),
        PoolSetsResolver.resolve(image.pools()), interfaces.interfaces(),
        policy == null ? IptablesResolver.ALLOW_ALL : this::endpointChain);
    if (inputs != null && pc != null && changedIfaces.isEmpty() && pc.chains().isEmpty()
        && sameExceptEndpoints(in, inputs)) {
      inputs = in;
      return;
    }
    IptablesResolver.FilterUpdate f = pc == null ? new IptablesResolver.FilterUpdate(IptablesResolver.filter(in), null)
        : IptablesResolver.filter(in, inputs, filter, changedIfaces);
    TableModel m = f.model();
    Set<String> changed = f.changed() == null ? null : new HashSet<>(f.changed());
    if (policy != null) {
      if (changed == null) {
        for (Chain c : policy.chains().values()) {
          m = m.with(c);
        }
      } else {
        for (String name : pc.chains()) {
          Chain c = policy.chains().get(name);
          m = c == null ? m.without(name) : m.with(c);
          changed.add(name);
        }
      }
    }
    filter = changed == null ? reuse(m, filter) : m;
    markDirty(FILTER, changed);
    if (inputs == null || !sameExceptEndpoints(in, inputs)) {
      nat = reuse(IptablesResolver.nat(in), nat);
      markDirty(NAT, null);
    }
    inputs = in;
  }

  private static boolean sameExceptEndpoints(IptablesResolver.Inputs a, IptablesResolver.Inputs b) {
    return a.interfacePrefixes().equals(b.interfacePrefixes()) && a.poolSets().equals(b.poolSets())
        && a.ipipInUse() == b.ipipInUse() && a.vxlanInUse() == b.vxlanInUse()
        && java.util.Objects.equals(a.wireguardInterface(), b.wireguardInterface());
  }

  private void markDirty(String table, Set<String> chains) {
    if (chains == null) {
      dirty.put(table, null);
    } else if (!dirty.containsKey(table)) {
      dirty.put(table, new HashSet<>(chains));
    } else if (dirty.get(table) != null) {
      dirty.get(table).addAll(chains);
    }
  }

  /** {@code fresh} with every chain equal to one of {@code before} replaced by that instance (hashes computed). */
  private static TableModel reuse(TableModel fresh, TableModel before) {
    if (before == null) {
      return fresh;
    }
    TableModel m = fresh;
    for (Chain c : fresh.chains()) {
      Chain old = before.chain(c.name());
      if (old != null && old != c && old.equals(c)) {
        m = m.with(old);
      }
    }
    return m;
  }

  /** The tables this part wants now (none before the first image). */
  public List<TableModel> desired() {
    return filter == null ? List.of() : List.of(filter, nat);
  }

  @Override
  public boolean apply(boolean full) {
    boolean changed = false;
    // every table to read is read before any is written: iptables-nft reads the whole ruleset to save one table, so a
    // nat read after an 80,000-rule filter write costs 100 times a read before it
    Map<String, ActualTable> reads = new HashMap<>();
    for (TableModel t : desired()) {
      if (full || programmed.get(t.table()) == null) {
        reads.put(t.table(), ActualTable.parse(cmd.must(null, "iptables-save", "-t", t.table()).out()));
      }
    }
    for (TableModel t : desired()) {
      ActualTable have = reads.containsKey(t.table()) ? reads.get(t.table()) : programmed.get(t.table());
      boolean read = reads.containsKey(t.table());
      Set<String> names = read ? null : dirty.getOrDefault(t.table(), Set.of());
      if (!read && names != null && names.isEmpty()) {
        continue;
      }
      String script = IptablesScript.diff(t, have, names);
      if (!script.isEmpty()) {
        programmed.remove(t.table());
        cmd.must(script, "iptables-restore", "--noflush");
        changed = true;
      }
      programmed.put(t.table(), names == null ? ActualTable.of(t) : have.with(t, names));
      dirty.put(t.table(), new HashSet<>());
    }
    return changed;
  }
}
