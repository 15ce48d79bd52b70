package org.calicoledger.store;

import java.nio.charset.StandardCharsets;

/** A key as read from etcd with its revisions ({@code version} counts puts since the key was created). */
public record KeyValue(String key, byte[] value, long modRevision, long createRevision, long version) {
  public String text() {
    return new String(value, StandardCharsets.UTF_8);
  }
}
