package org.calicoledger.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.calicoledger.hooks.HookLedger;
import org.calicoledger.model.GoDuration;
import org.calicoledger.model.Kind;
import org.calicoledger.store.Audit;
import org.calicoledger.store.ResourceKey;
import org.calicoledger.store.StoreException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code hook replay NAME --from REV}: asks calico-hooks to move the hook back to revision REV and deliver every
 * matching event from there again (a request in etcd the runner applies and removes; it waits for a runner that is
 * down). With {@code --wait} it returns once the runner took the request.
 */
@Command(name = "replay", description = "Deliver a hook's matching events again, from a revision on.")
final class HookReplayCommand implements Callable<Integer> {
  @ParentCommand
  HookCommand hook;

  @Spec
  CommandSpec spec;

  @Parameters(index = "0", paramLabel = "NAME", description = "The hook.")
  String name;

  @Option(names = "--from", required = true, paramLabel = "REV", description = "The first revision to deliver again.")
  String from;

  @Option(names = "--reason", paramLabel = "TEXT", description = "Why: recorded with the request.")
  String reason;

  @Option(names = "--wait", paramLabel = "DURATION",
      description = "Wait this long for calico-hooks to take the request (e.g. 10s); fail if it does not.")
  String waitFor;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    long revision;
    Duration wait = Duration.ZERO;
    try {
      revision = revision(from);
      if (waitFor != null) {
        wait = GoDuration.parse(waitFor);
      }
    } catch (IllegalArgumentException e) {
      err.println("Failed to replay hook: " + e.getMessage());
      return 1;
    }
    HookLedger ledger = hook.ledger();
    HookLedger.ReplayRequest req;
    try {
      if (hook.top.store().get(ResourceKey.of(Kind.HOOK, name)).isEmpty()) {
        err.println("Failed to replay hook: resource does not exist: Hook(" + name + ")");
        return 1;
      }
      String actor = hook.top.actor() == null ? Audit.defaultActor() : hook.top.actor();
      req = ledger.requestReplay(name, revision, actor, reason);
    } catch (StoreException e) {
      err.println("Failed to replay hook: " + e.getMessage());
      return 1;
    }
    out.println("Replay of hook '" + name + "' from revision " + revision + " requested: calico-hooks delivers its"
        + " matching events again from there (see calicoctl hook status " + name + ")");
    if (wait.isZero()) {
      return 0;
    }
    long deadline = System.nanoTime() + wait.toNanos();
    while (System.nanoTime() < deadline) {
      var pending = ledger.pendingReplay(name);
      if (pending.isEmpty() || pending.get().version() != req.version()) {
        out.println("calico-hooks took the request");
        return 0;
      }
      Thread.sleep(50);
    }
    err.println("calico-hooks did not take the request within " + waitFor + ": is it running? The request stays"
        + " and is applied when it runs");
    return 1;
  }

  static long revision(String text) {
    try {
      long r = Long.parseLong(text.trim());
      if (r >= 1) {
        return r;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new IllegalArgumentException("--from '" + text + "' must be a revision: a number from 1 (calicoctl"
        + " history shows revisions)");
  }
}
