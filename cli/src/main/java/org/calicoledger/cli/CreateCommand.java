package org.calicoledger.cli;

import org.calicoledger.model.Resource;
import org.calicoledger.store.Audit;
import org.calicoledger.store.Store;
import org.calicoledger.store.StoreException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "create", description = "Create resources from a file; fails for ones that exist.")
final class CreateCommand extends WriteCommand {
  @Option(names = "--skip-exists", description = "Count resources that already exist as created.")
  boolean skipExists;

  @Override
  String verb() {
    return "create";
  }

  @Override
  String past() {
    return "created";
  }

  @Override
  Resource write(Store store, Resource r, Audit audit) {
    try {
      // calicoctl discards identity and version read from a file when creating
      return store.create(r.withMetadata(r.metadata().withIdentity(null, null).withResourceVersion(null)), audit);
    } catch (StoreException.AlreadyExists e) {
      if (skipExists) {
        return r;
      }
      throw e;
    }
  }
}
