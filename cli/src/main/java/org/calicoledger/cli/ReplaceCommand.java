package org.calicoledger.cli;

import org.calicoledger.model.Resource;
import org.calicoledger.store.Audit;
import org.calicoledger.store.Store;
import picocli.CommandLine.Command;

@Command(name = "replace", description = "Replace existing resources; fails for ones that do not exist.")
final class ReplaceCommand extends WriteCommand {
  @Override
  String verb() {
    return "replace";
  }

  @Override
  String past() {
    return "replaced";
  }

  @Override
  Resource write(Store store, Resource r, Audit audit) {
    return store.update(r, audit);
  }
}
