package org.calicoledger.store;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.Optional;

/**
 * The identity ({@code uid}, {@code creationTimestamp}) of resources at the revisions this process last read or wrote.
 *
 * <p>An update that carries {@code resourceVersion} R must keep the stored identity. If this process saw the key at
 * exactly R, it knows that identity, and the compare-and-swap on R guarantees the stored object is still the one it
 * saw: the update is then one round trip instead of read-then-write. Anything else falls back to reading. Bounded, so
 * a long-running writer does not grow without limit.
 */
final class Identities {
  record Identity(long revision, String uid, String creationTimestamp) {}

  private final Cache<String, Identity> byKey = Caffeine.newBuilder().maximumSize(20_000).build();

  void remember(String key, long revision, String uid, String creationTimestamp) {
    if (uid != null && creationTimestamp != null) {
      byKey.put(key, new Identity(revision, uid, creationTimestamp));
    }
  }

  Optional<Identity> at(String key, long revision) {
    Identity i = byKey.getIfPresent(key);
    return i != null && i.revision() == revision ? Optional.of(i) : Optional.empty();
  }

  void forget(String key) {
    byKey.invalidate(key);
  }
}
