package org.calicoledger.store;

/**
 * One key change seen by a watch. {@code prevValue} is the value before this change (null on create, or when etcd no
 * longer had it); {@code value} is null on delete.
 */
public record WatchEvent(Type type, String key, byte[] value, byte[] prevValue, long modRevision) {
  public enum Type { PUT, DELETE }
}
