package org.calicoledger.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.calicoledger.ipam.IpamConfig;
import org.calicoledger.ipam.IpamException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code ipam configure --strictaffinity=true|false [--max-blocks-per-host=N]}. */
@Command(name = "configure", description = "Change the IPAM configuration.")
final class IpamConfigureCommand implements Callable<Integer> {
  @ParentCommand
  IpamCommand ipam;

  @Spec
  CommandSpec spec;

  @Option(names = "--strictaffinity", paramLabel = "true|false", arity = "1",
      description = "Only assign addresses from blocks affine to the node (no borrowing).")
  Boolean strictAffinity;

  @Option(names = "--max-blocks-per-host", paramLabel = "N", description = "How many blocks a node may claim per IP"
      + " version (0: the default, " + IpamConfig.DEFAULT_MAX_BLOCKS_PER_HOST + ").")
  Integer maxBlocks;

  @Option(names = "--reason", paramLabel = "TEXT", description = "Why: recorded with the change.")
  String reason;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (strictAffinity == null && maxBlocks == null) {
      err.println("give --strictaffinity=true|false and/or --max-blocks-per-host=N");
      return 1;
    }
    try {
      ipam.ipam().updateConfig(c -> {
        IpamConfig n = c;
        if (strictAffinity != null) {
          n = n.withStrictAffinity(strictAffinity);
        }
        if (maxBlocks != null) {
          n = n.withMaxBlocksPerHost(maxBlocks);
        }
        return n;
      }, reason == null ? "calicoctl ipam configure" : reason);
    } catch (IpamException e) {
      err.println(e.getMessage());
      return 1;
    }
    if (strictAffinity != null) {
      out.println("Successfully set StrictAffinity to: " + strictAffinity);
    }
    if (maxBlocks != null) {
      out.println("Successfully set MaxBlocksPerHost to: " + maxBlocks);
    }
    return 0;
  }
}
