package org.calicoledger.felix.dataplane.wireguard;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.logging.Logger;
import org.calicoledger.events.image.ClusterImage;
import org.calicoledger.felix.FelixContext;
import org.calicoledger.felix.FelixPart;
import org.calicoledger.felix.FelixSettings;
import org.calicoledger.felix.calc.WireguardResolver;
import org.calicoledger.felix.kernel.HostCommands;
import org.calicoledger.model.Node;

/**
 * The WireGuard part: with {@code wireguardEnabled: true}, this node's key pair ({@link WireguardKeys}), its public
 * key on {@code Node.status.wireguardPublicKey} ({@link NodeKeyPublisher}), the interface ({@link WireguardDevice}:
 * kernel or supervised {@code wireguard-go}) with MTU, listening port and firewall mark, peers through
 * {@code wg syncconf}, the peers' allowed IPs routed {@code dev <iface> scope link} in routing table 1, and the rule
 * {@code not fwmark 0x100000/0x100000 lookup 1} at priority {@code wireguardRoutingRulePriority} (99), so pod traffic
 * to other nodes enters the tunnel while WireGuard's own marked UDP packets use the main table. Turning it off
 * removes the interface, the table's routes and the rule, and withdraws the published key (the private key file
 * stays, so turning it on again brings back the same public key).
 *
 * <p>Apply: with {@code full} the interface, peers ({@code syncconf}), routes ({@code ip route show table 1}) and rule
 * are all checked against the kernel; otherwise only what changed since the last apply is written, unless the
 * {@code wireguard-go} process died (then everything is rebuilt). Table 1 is this part's alone. {@link #close} stops
 * a {@code wireguard-go} this part started (its interface goes with it); the next Felix recreates it from the kept
 * key. Without a store (tests of the dataplane alone) nothing is published.
 */
public final class WireguardPart implements FelixPart {
  private static final Logger LOG = Logger.getLogger(WireguardPart.class.getName());
  private final FelixContext ctx;
  private final HostCommands cmd;
  private final WireguardDevice device;
  private final NodeKeyPublisher publisher;
  private WireguardSpec desired = WireguardSpec.OFF;
  private FelixSettings settings;
  private WireguardSpec programmed;
  private String imageKey;
  private WireguardKeys keys;
  private List<String> programmedRoutes;

  public WireguardPart(FelixContext ctx, HostCommands cmd) {
    this.ctx = ctx;
    this.cmd = cmd;
    this.device = new WireguardDevice(cmd, ctx.runDir());
    this.publisher = ctx.store() == null ? null : new NodeKeyPublisher(ctx.store(), ctx.nodename(), ctx.actor());
  }

  @Override
  public String name() {
    return "wireguard";
  }

  @Override
  public void onImage(ClusterImage image) {
    settings = FelixSettings.ofOrKeep(image, ctx, settings);
    desired = WireguardResolver.resolve(image, settings, ctx.nodename());
    Node self = image.nodes().get(ctx.nodename());
    imageKey = self == null ? null : self.status().wireguardPublicKey();
  }

  public WireguardSpec desired() {
    return desired;
  }

  /** This node's public key, once the part has loaded or made it (null before the first enabled apply). */
  public String publicKey() {
    return keys == null ? null : keys.publicKey();
  }

  @Override
  public boolean apply(boolean full) throws Exception {
    WireguardSpec want = desired;
    if (!want.enabled()) {
      return disable(want, full);
    }
    boolean changed = false;
    if (keys == null) {
      keys = WireguardKeys.loadOrCreate(ctx.runDir(), cmd);
      LOG.info("WireGuard public key of " + ctx.nodename() + ": " + keys.publicKey());
    }
    if (publisher != null && !keys.publicKey().equals(imageKey)) {
      changed |= publisher.publish(keys.publicKey());
    }
    boolean processDied = programmed != null && programmed.enabled() && !device.userspace()
        && !device.exists(programmed.iface());
    if (!full && want.equals(programmed) && !processDied) {
      return changed;
    }
    if (programmed != null && programmed.enabled() && !programmed.iface().equals(want.iface())) {
      removeAll(programmed);
    }
    boolean created = device.ensure(want.iface());
    boolean fresh = created || full || programmed == null || !programmed.enabled();
    if (fresh || programmed.mtu() != want.mtu()) {
      cmd.must(null, "ip", "link", "set", "dev", want.iface(), "mtu", Integer.toString(want.mtu()), "up");
    }
    if (want.interfaceAddress() != null && (fresh
        || !want.interfaceAddress().equals(programmed.interfaceAddress()))) {
      cmd.must(null, "ip", "addr", "replace", want.interfaceAddress() + "/32", "dev", want.iface());
    }
    if (fresh || !want.peers().equals(programmed.peers()) || want.port() != programmed.port()) {
      cmd.mustSecret(config(want), "wg", "syncconf", want.iface(), "/dev/stdin");
    }
    changed |= created | syncRoutes(want, fresh) | syncRule(want, fresh);
    programmed = want;
    return changed;
  }

  private String config(WireguardSpec s) {
    StringBuilder sb = new StringBuilder("[Interface]\nPrivateKey = ").append(keys.privateKey())
        .append("\nListenPort = ").append(s.port()).append("\nFwMark = 0x").append(Integer.toHexString(s.fwmark()))
        .append('\n');
    for (WireguardPeer p : s.peers()) {
      sb.append("\n[Peer]\nPublicKey = ").append(p.publicKey()).append("\nEndpoint = ").append(p.endpoint())
          .append('\n');
      if (!p.allowedIps().isEmpty()) {
        sb.append("AllowedIPs = ").append(String.join(", ", p.allowedIps())).append('\n');
      }
    }
    return sb.toString();
  }

  private List<String> readRoutes(int table) {
    List<String> out = new ArrayList<>();
    HostCommands.Result r = cmd.run(null, "ip", "-o", "route", "show", "table", Integer.toString(table));
    if (!r.ok()) {
      if (r.err().contains("does not exist")) {
        return out; // a table comes into being with its first route
      }
      throw new org.calicoledger.felix.kernel.KernelCommandException("ip route show table " + table
          + " failed: " + r.err().strip());
    }
    for (String line : r.out().split("\n")) {
      if (!line.isBlank()) {
        out.add(line.trim().split("\\s+")[0]);
      }
    }
    return out;
  }

  private boolean syncRoutes(WireguardSpec s, boolean read) {
    List<String> have = read || programmedRoutes == null ? readRoutes(s.table()) : programmedRoutes;
    List<String> want = s.routedCidrs();
    StringBuilder batch = new StringBuilder();
    for (String r : have) {
      if (!want.contains(r)) {
        batch.append("route del ").append(r).append(" table ").append(s.table()).append('\n');
      }
    }
    for (String r : want) {
      if (!have.contains(r) || read) {
        batch.append("route replace ").append(r).append(" dev ").append(s.iface()).append(" table ")
            .append(s.table()).append(" scope link\n");
      }
    }
    programmedRoutes = null;
    if (batch.length() > 0) {
      cmd.must(batch.toString(), "ip", "-batch", "-");
    }
    programmedRoutes = want;
    return !new TreeSet<>(have).equals(new TreeSet<>(want));
  }

  private String ruleText(WireguardSpec s) {
    return "not from all fwmark 0x" + Integer.toHexString(s.fwmark()) + "/0x" + Integer.toHexString(s.fwmark())
        + " lookup " + s.table();
  }

  private boolean hasRule(WireguardSpec s) {
    return cmd.must(null, "ip", "rule", "show", "pref", Integer.toString(s.rulePriority())).out()
        .contains(ruleText(s));
  }

  private boolean syncRule(WireguardSpec s, boolean read) {
    boolean moved = programmed != null && programmed.enabled() && programmed.rulePriority() != s.rulePriority();
    if (moved) {
      deleteRule(programmed);
    }
    if (!read && !moved) {
      return false;
    }
    if (hasRule(s)) {
      return false;
    }
    String mark = "0x" + Integer.toHexString(s.fwmark());
    cmd.must(null, "ip", "rule", "add", "not", "fwmark", mark + "/" + mark, "table", Integer.toString(s.table()),
        "priority", Integer.toString(s.rulePriority()));
    return true;
  }

  private boolean deleteRule(WireguardSpec s) {
    boolean any = false;
    String mark = "0x" + Integer.toHexString(s.fwmark());
    for (int i = 0; i < 10 && hasRule(s); i++) {
      cmd.run(null, "ip", "rule", "del", "not", "fwmark", mark + "/" + mark, "table", Integer.toString(s.table()),
          "priority", Integer.toString(s.rulePriority()));
      any = true;
    }
    return any;
  }

  private boolean removeAll(WireguardSpec s) {
    boolean any = deleteRule(s);
    if (device.exists(s.iface()) || device.userspace()) {
      device.remove(s.iface());
      any = true;
    }
    if (!readRoutes(s.table()).isEmpty()) {
      cmd.run(null, "ip", "route", "flush", "table", Integer.toString(s.table()));
      any = true;
    }
    return any;
  }

  private boolean disable(WireguardSpec off, boolean full) {
    boolean changed = false;
    if (publisher != null && imageKey != null) {
      changed |= publisher.publish(null);
    }
    if (programmed != null && !programmed.enabled() && !full) {
      return changed;
    }
    if (programmed != null && programmed.enabled()) {
      changed |= removeAll(programmed);
    }
    changed |= removeAll(off);
    programmed = off;
    programmedRoutes = null;
    return changed;
  }

  @Override
  public void close() {
    device.stop();
  }
}
