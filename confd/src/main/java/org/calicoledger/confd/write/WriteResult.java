package org.calicoledger.confd.write;

import java.util.List;

/** What one {@link ConfigWriter#write} did: the source revision and the files it rewrote (none: nothing changed). */
public record WriteResult(long revision, List<String> changed) {
  public boolean changedAnything() {
    return !changed.isEmpty();
  }
}
