package org.calicoledger.cli;

import picocli.CommandLine.Command;

/** {@code calicoctl node ...}: commands about the calico-node on this host. */
@Command(name = "node", description = "Commands about the calico-node on this host.",
    subcommands = {NodeStatusCommand.class})
final class NodeCommand implements Runnable {
  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
        "give a node command: status");
  }
}
