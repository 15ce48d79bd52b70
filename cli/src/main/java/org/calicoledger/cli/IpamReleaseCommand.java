package org.calicoledger.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.calicoledger.ipam.CheckReport;
import org.calicoledger.ipam.IpamException;
import org.calicoledger.ipam.ReleaseResult;
import org.calicoledger.ipam.ReportRepair;
import org.calicoledger.model.net.Cidr;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code ipam release --ip ADDR | --from-report REPORT.json...}. */
@Command(name = "release", description = "Release an IP address, or everything a check report found unused or inconsistent.")
final class IpamReleaseCommand implements Callable<Integer> {
  @ParentCommand
  IpamCommand ipam;

  @Spec
  CommandSpec spec;

  @Option(names = "--ip", paramLabel = "IP", description = "IP address to release.")
  String ip;

  @Option(names = "--from-report", paramLabel = "REPORT", description = "Repair what the report(s) of 'ipam check -o'"
      + " found; with several, only what all of them list.")
  List<Path> reports = new ArrayList<>();

  @Option(names = "--force", description = "Use a report made by another calicoctl version.")
  boolean force;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if ((ip == null) == reports.isEmpty()) {
      err.println("give either --ip IP or --from-report REPORT");
      return 1;
    }
    try {
      if (ip != null) {
        InetAddress addr;
        try {
          addr = Cidr.parseAddress(ip.trim()).address();
        } catch (IllegalArgumentException e) {
          err.println("Invalid IP address specified: " + ip);
          return 1;
        }
        ReleaseResult r = ipam.ipam().release(addr);
        if (r.released().isEmpty()) {
          err.println("IP address " + Cidr.format(addr) + " is not assigned");
          return 1;
        }
        out.println("Successfully released IP address " + Cidr.format(addr));
        return 0;
      }
      List<CheckReport> parsed = new ArrayList<>();
      for (Path p : reports) {
        try {
          parsed.add(CheckReport.parse(Files.readString(p), p.toString()));
        } catch (NoSuchFileException e) {
          err.println("cannot read report " + p + ": no such file");
          return 1;
        } catch (IOException e) {
          err.println("cannot read report " + p + ": " + e.getMessage());
          return 1;
        }
      }
      CheckReport report = CheckReport.intersect(parsed);
      if (force && !parsed.get(0).version().equals(VersionCommand.clientVersion())) {
        out.println("WARNING: Report was produced using a different version of calicoctl. Ignoring due to --force option");
      }
      int leaked = report.leaked().size();
      out.println(leaked == 0 ? "Report didn't contain any leaked IPs to clean up." : "Releasing " + leaked + " old IPs...");
      ReportRepair.Result r = ReportRepair.apply(ipam.top.store(), ipam.ipam(), report, VersionCommand.clientVersion(), force);
      if (leaked > 0) {
        out.println("Released " + r.releasedIps() + " IPs successfully");
      }
      if (r.alreadyFree() > 0) {
        out.println(r.alreadyFree() + " addresses marked as leaked in the report had already been cleaned up.");
      }
      out.println(report.leakedHandles().isEmpty() ? "Report didn't contain any handles to clean up."
          : "Released " + r.deletedHandles() + " handles; " + (report.leakedHandles().size() - r.deletedHandles())
              + " skipped.");
      if (r.restoredHandles() + r.fixedCounts() > 0) {
        out.println("Restored " + r.restoredHandles() + " missing handles; corrected " + r.fixedCounts() + " handle counts.");
      }
      if (r.releasedAffinities() > 0) {
        out.println("Released " + r.releasedAffinities() + " stale block affinities.");
      }
      r.skipped().forEach(s -> out.println("Skipped " + s));
      return 0;
    } catch (IpamException e) {
      err.println(e.getMessage());
      return 1;
    }
  }
}
