package org.calicoledger.cli;

import java.io.PrintWriter;
import java.math.BigInteger;
import java.net.InetAddress;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.calicoledger.ipam.Allocation;
import org.calicoledger.ipam.IpamConfig;
import org.calicoledger.ipam.IpamUsage;
import org.calicoledger.model.net.Cidr;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code ipam show}: pool utilisation, blocks, borrowed addresses, one address, or the IPAM configuration. */
@Command(name = "show", description = "Show IP pool utilisation (and blocks, borrowed IPs, one IP, or the configuration).")
final class IpamShowCommand implements Callable<Integer> {
  @ParentCommand
  IpamCommand ipam;

  @Spec
  CommandSpec spec;

  @Option(names = "--ip", paramLabel = "IP", description = "Show who holds this address.")
  String ip;

  @Option(names = "--show-blocks", description = "Show each block's utilisation under its pool.")
  boolean showBlocks;

  @Option(names = "--show-borrowed", description = "Show addresses allocated for a node from another node's block.")
  boolean showBorrowed;

  @Option(names = "--show-configuration", description = "Show the IPAM configuration.")
  boolean showConfiguration;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (ip != null) {
      InetAddress addr;
      try {
        addr = Cidr.parseAddress(ip.trim()).address();
      } catch (IllegalArgumentException e) {
        err.println("Invalid IP address specified: " + ip);
        return 1;
      }
      Optional<Allocation> a = ipam.ipam().allocation(addr);
      if (a.isEmpty()) {
        out.println(Cidr.format(addr) + " is not assigned");
        return 0;
      }
      out.println("IP " + a.get().text() + " is in use");
      out.println("Handle ID: " + (a.get().handle() == null ? "<none>" : a.get().handle()));
      Map<String, String> attrs = new TreeMap<>(a.get().attributes());
      if (attrs.isEmpty()) {
        out.println("No attributes defined");
      } else {
        out.println("Attributes:");
        attrs.forEach((k, v) -> out.println("  " + k + ": " + v));
      }
      return 0;
    }
    if (showConfiguration) {
      IpamConfig c = ipam.ipam().config();
      out.print(new BoxedTable("PROPERTY", "VALUE")
          .row("StrictAffinity", Boolean.toString(c.strictAffinity()))
          .row("AutoAllocateBlocks", Boolean.toString(c.autoAllocateBlocks()))
          .row("MaxBlocksPerHost", Integer.toString(c.blockLimit())).render());
      return 0;
    }
    if (showBorrowed) {
      BoxedTable t = new BoxedTable("IP", "BORROWING-NODE", "BLOCK", "BLOCK OWNER", "TYPE", "ALLOCATED-TO");
      for (IpamUsage.Borrowed b : IpamUsage.borrowed(ipam.top.store())) {
        t.row(b.ip(), b.borrowingNode(), b.block().toString(), b.blockOwner(), b.type(), b.allocatedTo());
      }
      out.print(t.render());
      return 0;
    }
    BoxedTable t = new BoxedTable("GROUPING", "CIDR", "IPS TOTAL", "IPS IN USE", "IPS FREE");
    for (IpamUsage.PoolUsage p : IpamUsage.pools(ipam.top.store())) {
      if (p.cidr() != null) {
        t.row("IP Pool", p.cidr().toString(), IpamCommand.goG5(p.capacity()),
            IpamCommand.withShare(BigInteger.valueOf(p.inUse()), p.capacity()), IpamCommand.withShare(p.free(), p.capacity()));
      }
      if (showBlocks) {
        for (IpamUsage.BlockUsage b : p.blocks()) {
          BigInteger cap = BigInteger.valueOf(b.capacity());
          t.row("Block", b.cidr().toString(), IpamCommand.goG5(cap),
              IpamCommand.withShare(BigInteger.valueOf(b.inUse()), cap), IpamCommand.withShare(BigInteger.valueOf(b.free()), cap));
        }
      }
    }
    out.print(t.render());
    return 0;
  }
}
