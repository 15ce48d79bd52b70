package org.calicoledger.felix.dataplane.iptables;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import org.calicoledger.events.image.ClusterImage;
import org.calicoledger.felix.FelixContext;
import org.calicoledger.felix.FelixPart;
import org.calicoledger.felix.calc.EffectiveConfig;
import org.calicoledger.felix.calc.IptablesResolver;
import org.calicoledger.felix.calc.PoolSetsResolver;
import org.calicoledger.felix.kernel.HostCommands;
import org.calicoledger.model.WorkloadEndpoint;

/**
 * The iptables part (IPv4 {@code filter} and {@code nat}): renders {@link IptablesResolver}'s models and keeps the
 * kernel equal to them with one {@code iptables-restore --noflush} per changed table per apply.
 *
 * <p>Apply: with {@code full} (or after a failure) each table is read back with {@code iptables-save -t <table>}
 * ({@link ActualTable#parse}), so a chain flushed or edited by hand, or a hook jump deleted or pushed down, is found by
 * its hashes and repaired; otherwise the record of the last successful restore stands in for the kernel and a table
 * whose model did not change costs nothing. It writes only {@code cali-} chains and its hook jumps
 * ({@link IptablesScript}); the ipsets the NAT rule matches are the ipsets part's, which runs first.
 */
public final class IptablesPart implements FelixPart {
  private final FelixContext ctx;
  private final HostCommands cmd;
  private IptablesResolver.Inputs inputs;
  private List<TableModel> desired = List.of();
  private final Map<String, ActualTable> programmed = new HashMap<>();
  private SortedSet<String> extraEndpoints = new TreeSet<>();

  public IptablesPart(FelixContext ctx, HostCommands cmd) {
    this.ctx = ctx;
    this.cmd = cmd;
  }

  @Override
  public String name() {
    return "iptables";
  }

  @Override
  public void onImage(ClusterImage image) {
    SortedSet<String> ifaces = new TreeSet<>(extraEndpoints);
    for (WorkloadEndpoint w : image.workloadEndpoints().values()) {
      if (w.spec() != null && ctx.nodename().equals(w.spec().node()) && w.spec().interfaceName() != null) {
        ifaces.add(w.spec().interfaceName());
      }
    }
    IptablesResolver.Inputs in = IptablesResolver.inputs(EffectiveConfig.of(image, ctx), image.pools(),
        PoolSetsResolver.resolve(image.pools()), ifaces);
    if (in.equals(inputs)) {
      return;
    }
    inputs = in;
    desired = List.of(reuse(IptablesResolver.filter(in)), reuse(IptablesResolver.nat(in)));
  }

  /** The model with every chain equal to one already held replaced by that instance (hashes already computed). */
  private TableModel reuse(TableModel fresh) {
    Map<String, Chain> before = new HashMap<>();
    for (TableModel t : desired) {
      if (t.table().equals(fresh.table())) {
        t.chains().forEach(c -> before.put(c.name(), c));
      }
    }
    List<Chain> chains = new java.util.ArrayList<>(fresh.chains().size());
    for (Chain c : fresh.chains()) {
      chains.add(c.reuse(before.get(c.name())));
    }
    return new TableModel(fresh.table(), chains, fresh.hooks());
  }

  /** Endpoint interfaces rendered in addition to the image's, from the next {@link #onImage}. */
  public void setExtraEndpoints(SortedSet<String> interfaces) {
    extraEndpoints = new TreeSet<>(interfaces);
    inputs = null;
  }

  /** The tables this part wants now. */
  public List<TableModel> desired() {
    return desired;
  }

  @Override
  public boolean apply(boolean full) {
    boolean changed = false;
    for (TableModel t : desired) {
      ActualTable have = full ? null : programmed.get(t.table());
      boolean read = have == null;
      if (read) {
        have = ActualTable.parse(cmd.must(null, "iptables-save", "-t", t.table()).out());
      }
      String script = IptablesScript.diff(t, have);
      if (!script.isEmpty()) {
        programmed.remove(t.table());
        cmd.must(script, "iptables-restore", "--noflush");
        changed = true;
      }
      if (read || changed) {
        programmed.put(t.table(), ActualTable.of(t));
      }
    }
    return changed;
  }
}
