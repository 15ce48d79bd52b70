package org.calicoledger.events.image;

/**
 * What happened to one id of one concern between a delta's base image and its result: {@code before} null means added,
 * {@code after} null means removed, both set (and different) means updated. {@link #old()} and {@link #now()} decode
 * lazily and give null for an absent or undecodable side.
 */
public record Change<T>(Concern<T> concern, String id, ImageValue before, ImageValue after) {

  public enum Type { ADDED, UPDATED, REMOVED }

  public Type type() {
    return before == null ? Type.ADDED : after == null ? Type.REMOVED : Type.UPDATED;
  }

  public T old() {
    return decode(before);
  }

  public T now() {
    return decode(after);
  }

  @SuppressWarnings("unchecked")
  private T decode(ImageValue v) {
    if (v == null) {
      return null;
    }
    Object d = v.decoded(concern, id);
    return d instanceof ImageValue.DecodeFailure ? null : (T) d;
  }

  /** The etcd key this change is about. */
  public String key() {
    return after != null ? after.key() : before.key();
  }
}
