package org.calicoledger.cli;

import org.calicoledger.model.Resource;
import org.calicoledger.store.Audit;
import org.calicoledger.store.Store;
import picocli.CommandLine.Command;

/** Create or update. A {@code resourceVersion} in the file makes the update conditional on it, as calicoctl does. */
@Command(name = "apply", description = "Create resources, or update the ones that exist.")
final class ApplyCommand extends WriteCommand {
  @Override
  String verb() {
    return "apply";
  }

  @Override
  String past() {
    return "applied";
  }

  @Override
  Resource write(Store store, Resource r, Audit audit) {
    return store.apply(r, audit);
  }
}
