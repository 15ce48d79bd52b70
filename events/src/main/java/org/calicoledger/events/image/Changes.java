package org.calicoledger.events.image;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything one {@link ClusterDelta} changed in one {@link Concern}, in id order. Ids whose value ended where it started
 * (put then deleted inside the delta, or put again with the same bytes and revision) are not listed.
 */
public final class Changes<T> {
  private final Concern<T> concern;
  private final List<Change<T>> all;

  Changes(Concern<T> concern, List<Change<T>> all) {
    this.concern = concern;
    this.all = List.copyOf(all);
  }

  static <T> Changes<T> none(Concern<T> concern) {
    return new Changes<>(concern, List.of());
  }

  public Concern<T> concern() {
    return concern;
  }

  public List<Change<T>> all() {
    return all;
  }

  public boolean isEmpty() {
    return all.isEmpty();
  }

  /** New ids and their (decoded) values; undecodable values map to null. */
  public Map<String, T> added() {
    return collect(Change.Type.ADDED, true);
  }

  /** Removed ids and the (decoded) values they had. */
  public Map<String, T> removed() {
    return collect(Change.Type.REMOVED, false);
  }

  /** Changed ids, with old and new values. */
  public Map<String, Change<T>> updated() {
    Map<String, Change<T>> out = new LinkedHashMap<>();
    for (Change<T> c : all) {
      if (c.type() == Change.Type.UPDATED) {
        out.put(c.id(), c);
      }
    }
    return Collections.unmodifiableMap(out);
  }

  private Map<String, T> collect(Change.Type type, boolean after) {
    Map<String, T> out = new LinkedHashMap<>();
    for (Change<T> c : all) {
      if (c.type() == type) {
        out.put(c.id(), after ? c.now() : c.old());
      }
    }
    return Collections.unmodifiableMap(out);
  }

  @Override
  public String toString() {
    return concern + ": +" + added().size() + " ~" + updated().size() + " -" + removed().size();
  }
}
