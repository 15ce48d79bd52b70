package org.calicoledger.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.calicoledger.ipam.CheckReport;
import org.calicoledger.ipam.IpamCheck;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code ipam check [-o REPORT.json]}: what Calico's check prints (allocations nothing uses, handles without
 * allocations, allocations whose handle is missing, in-use addresses IPAM does not know), plus handle counts that
 * disagree with the blocks, blocks affine to nodes that do not exist and stale affinities. The report file is the
 * input of {@code ipam release --from-report}.
 */
@Command(name = "check", description = "Check IPAM for inconsistencies; -o writes a report that 'ipam release --from-report' repairs.")
final class IpamCheckCommand implements Callable<Integer> {
  @ParentCommand
  IpamCommand ipam;

  @Spec
  CommandSpec spec;

  @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write the machine-readable report to FILE.")
  Path output;

  @Option(names = "--show-all-ips", description = "Print every allocated IP.")
  boolean showAll;

  @Option(names = "--show-problem-ips", description = "Print the IPs and handles with problems.")
  boolean showProblems;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    CheckReport r = IpamCheck.run(ipam.top.store(), VersionCommand.clientVersion());
    boolean problems = showProblems || showAll;
    CheckReport.Stats s = r.stats();
    out.println("Checking IPAM for inconsistencies...");
    out.println();
    out.println("Loading all IPAM blocks...");
    out.println("Found " + s.blocks() + " IPAM blocks.");
    out.println("IPAM blocks record " + r.allocationCount() + " allocations.");
    if (showAll) {
      r.allocations().values().forEach(es -> es.forEach(e -> out.println("  " + e.ip() + " allocated; handle "
          + (e.handle() == null ? "<none>" : e.handle()) + (e.node() == null ? "" : ", node " + e.node())
          + (e.inUse() ? ", used by " + String.join(", ", e.owners()) : ""))));
    }
    out.println();
    out.println("Found " + s.activePools() + " active IP pools.");
    out.println("Found " + s.nodeIps() + " node tunnel IPs.");
    out.println("Found " + s.workloadIps() + " workload IPs.");
    out.println("Workloads and nodes are using " + s.inUseIps() + " IPs.");
    out.println("Found " + s.handles() + " handles.");
    out.println();
    List<Map.Entry<String, Integer>> nodes = new ArrayList<>(s.allocationsByNode().entrySet());
    nodes.sort(Map.Entry.<String, Integer>comparingByValue().reversed());
    out.println("Looking for top (up to 20) nodes by allocations...");
    nodes.stream().limit(20).forEach(e -> out.println("  " + (e.getKey().isEmpty() ? "<no node>" : e.getKey()) + " has "
        + e.getValue() + " allocations"));
    if (!nodes.isEmpty()) {
      out.println("Node with most allocations has " + nodes.get(0).getValue() + "; median is "
          + nodes.get(nodes.size() / 2).getValue());
    }
    out.println();

    out.println("Scanning for IPs that are allocated but not actually in use...");
    if (problems) {
      r.leaked().forEach(e -> out.println("  " + e.ip() + " leaked; handle " + (e.handle() == null ? "<none>" : e.handle())
          + (e.node() == null ? "" : ", node " + e.node())));
    }
    out.println("Found " + r.leaked().size() + " IPs that are allocated in IPAM but not actually in use.");
    out.println("Scanning for IPs that are in use by a workload or node but not allocated in IPAM...");
    if (problems) {
      r.inUseNotAllocated().forEach(ip -> out.println("  " + ip + " is in use and in an active IP pool but has no IPAM allocation."));
    }
    out.println("Found " + r.inUseNotAllocated().size()
        + " in-use IPs that are in active IP pools but have no corresponding IPAM allocation.");
    out.println();
    out.println("Scanning for IPAM handles with no matching IPs...");
    if (showAll) {
      r.leakedHandles().forEach(h -> out.println("  " + h.id() + " doesn't have any active IPs."));
    }
    out.println("Found " + r.leakedHandles().size() + " handles with no matching IPs (and "
        + (s.handles() - r.leakedHandles().size()) + " handles with matches).");
    out.println("Scanning for IPs with missing handle...");
    if (problems) {
      r.missingHandles().forEach(m -> out.println("  " + m.handle() + " is in use in a block but doesn't exist."));
    }
    out.println("Found " + r.missingHandles().size() + " handles mentioned in blocks with no matching handle resource.");
    out.println("Scanning for handles whose counts differ from the blocks...");
    if (problems) {
      r.handleMismatches().forEach(m -> out.println("  " + m.handle() + " counts " + m.inHandle() + " in " + m.block()
          + ", the block holds " + m.inBlock() + "."));
    }
    out.println("Found " + r.handleMismatches().size() + " handle counts that differ from the blocks.");
    out.println("Scanning for blocks affine to nodes that do not exist...");
    if (problems) {
      r.blocksWithoutNode().forEach(b -> out.println("  " + b.block() + " is affine to missing node " + b.node()
          + " (" + b.inUse() + " IPs in use)."));
    }
    out.println("Found " + r.blocksWithoutNode().size() + " blocks affine to nodes that do not exist.");
    out.println("Scanning for stale block affinities...");
    if (problems) {
      r.staleAffinities().forEach(a -> out.println("  " + a.node() + " " + a.block() + " (" + a.state() + "): " + a.reason() + "."));
    }
    out.println("Found " + r.staleAffinities().size() + " stale block affinities.");
    out.println("Check complete; found " + r.problems() + " problems.");
    if (output != null) {
      Files.writeString(output, r.toJson());
      out.println("Report written to " + output + "; 'calicoctl ipam release --from-report " + output
          + "' releases what it lists that has not changed since.");
    }
    return 0;
  }
}
