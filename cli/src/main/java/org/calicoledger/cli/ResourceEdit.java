package org.calicoledger.cli;

import java.util.function.UnaryOperator;
import org.calicoledger.model.Resource;
import org.calicoledger.store.Audit;
import org.calicoledger.store.ResourceKey;
import org.calicoledger.store.Store;
import org.calicoledger.store.StoreException;

/**
 * One read-modify-write of a stored resource, as {@code patch} and {@code label} do it: read the resource, let the edit
 * compute the new version, and write that back only if the resource is still at the revision read (compare-and-swap
 * through {@link Store#update}). When someone wrote in between, the resource is read again and the edit re-run on the
 * fresh copy, up to {@link #ATTEMPTS} times; the last {@link StoreException.Conflict} is thrown after that.
 *
 * <p>The edit must depend only on the resource it is given (it may run more than once) and refuses with an
 * {@link IllegalArgumentException}, which is passed on with nothing written. An edit that changes nothing is still
 * written (a new revision, an audit record and a history entry), as Calico's calicoctl writes it: a script that patches
 * or labels expects its change in the history whether or not the value was already so.
 */
final class ResourceEdit {
  static final int ATTEMPTS = 5;

  /** The resource as read (at the revision the write was conditional on) and as stored afterwards. */
  record Outcome(Resource before, Resource after, boolean written) {}

  private ResourceEdit() {}

  /**
   * @throws StoreException.NotFound when nothing is stored at {@code key}
   * @throws StoreException.Conflict when every attempt lost a race with another writer
   * @throws IllegalArgumentException when the edit refuses
   * @throws org.calicoledger.model.InvalidResourceException when the edited resource fails validation
   */
  static Outcome apply(Store store, ResourceKey key, UnaryOperator<Resource> edit, Audit audit) {
    StoreException.Conflict lost = null;
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      Resource current = store.get(key).orElseThrow(() -> new StoreException.NotFound(key.toString()));
      Resource next = edit.apply(current);
      try {
        Resource written = store.update(next.withMetadata(next.metadata()
            .withResourceVersion(current.metadata().resourceVersion())), audit);
        return new Outcome(current, written, true);
      } catch (StoreException.Conflict e) {
        lost = e; // written by someone else since our read: redo the edit on their version
      }
    }
    throw lost;
  }
}
