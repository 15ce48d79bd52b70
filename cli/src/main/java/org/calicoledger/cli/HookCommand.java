package org.calicoledger.cli;

import org.calicoledger.hooks.HookLedger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/**
 * {@code calicoctl hook status|replay}: what calico-hooks has done with each hook, and asking it to deliver again.
 * Hooks themselves are resources: {@code calicoctl apply|get|delete hook}.
 */
@Command(name = "hook", description = "Automation hooks: show their delivery status, or replay them from a revision.",
    subcommands = {HookStatusCommand.class, HookReplayCommand.class})
final class HookCommand implements Runnable {
  @ParentCommand
  Calicoctl top;

  HookLedger ledger() {
    return new HookLedger(top.store());
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(new CommandLine(this), "a subcommand is required: status or replay");
  }
}
