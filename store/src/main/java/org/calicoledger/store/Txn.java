package org.calicoledger.store;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An etcd transaction described as data: conditions that must all hold, then puts and deletes applied atomically as
 * one revision. When a condition fails nothing is written and {@link Result#current()} holds what the compared keys
 * hold now, so the caller can decide what to do without another round trip.
 */
public record Txn(List<Condition> conditions, List<Op> ops) {
  public Txn {
    conditions = List.copyOf(conditions);
    ops = List.copyOf(ops);
  }

  public sealed interface Condition {
    String key();

    /** {@code version == 0} means "key absent". */
    record VersionIs(String key, long version) implements Condition {}

    record ModRevisionIs(String key, long modRevision) implements Condition {}
  }

  public sealed interface Op {
    String key();

    record Put(String key, byte[] value) implements Op {}

    record Delete(String key) implements Op {}
  }

  /**
   * @param succeeded whether the conditions held and the ops were applied
   * @param revision the store revision after the transaction (the revision of the write when it succeeded)
   * @param current on failure, the compared keys that exist now (absent keys are missing from the map)
   * @param deleted on success, the previous values of deleted keys
   */
  public record Result(boolean succeeded, long revision, Map<String, KeyValue> current, Map<String, KeyValue> deleted) {}

  public static Builder builder() {
    return new Builder();
  }

  public static final class Builder {
    private final List<Condition> conditions = new ArrayList<>();
    private final List<Op> ops = new ArrayList<>();

    public Builder absent(String key) {
      conditions.add(new Condition.VersionIs(key, 0));
      return this;
    }

    public Builder modRevisionIs(String key, long rev) {
      conditions.add(new Condition.ModRevisionIs(key, rev));
      return this;
    }

    /** Unchanged since read: absent if it was absent ({@code rev == 0}), else at the same mod revision. */
    public Builder unchanged(String key, long rev) {
      return rev == 0 ? absent(key) : modRevisionIs(key, rev);
    }

    public Builder put(String key, byte[] value) {
      ops.add(new Op.Put(key, value));
      return this;
    }

    public Builder put(String key, String value) {
      return put(key, value.getBytes(StandardCharsets.UTF_8));
    }

    public Builder delete(String key) {
      ops.add(new Op.Delete(key));
      return this;
    }

    public Txn build() {
      return new Txn(conditions, ops);
    }
  }
}
