package org.calicoledger.events.image;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.pcollections.PSortedMap;
import org.pcollections.TreePMap;

/**
 * The image of one {@link Concern}: a persistent map from id to {@link ImageValue}, in id order.
 *
 * <p>Immutable. A {@link ClusterDelta} that touches nothing of this concern hands the same instance to the next image,
 * so consumers may compare sub-images with {@code ==} to skip work, and the decoded caches ({@link #map()}, each value's
 * decoded form) live as long as the data they describe. Equality is by concern and contents.
 */
public final class KeyedImage<T> {
  private final Concern<T> concern;
  private final TreePMap<String, ImageValue> values;
  private volatile Map<String, T> decodedMap;
  private int hash;

  KeyedImage(Concern<T> concern, TreePMap<String, ImageValue> values) {
    this.concern = concern;
    this.values = values;
  }

  static <T> KeyedImage<T> empty(Concern<T> concern) {
    return new KeyedImage<>(concern, TreePMap.empty());
  }

  public Concern<T> concern() {
    return concern;
  }

  public int size() {
    return values.size();
  }

  public boolean isEmpty() {
    return values.isEmpty();
  }

  public boolean contains(String id) {
    return values.containsKey(id);
  }

  /** The raw value under {@code id}, or null. */
  public ImageValue value(String id) {
    return values.get(id);
  }

  /** Every raw value, by id (a persistent map: it never changes). */
  public PSortedMap<String, ImageValue> values() {
    return values;
  }

  TreePMap<String, ImageValue> tree() {
    return values;
  }

  /** The decoded value under {@code id}; empty when absent or when its value does not decode (see {@link #failures()}). */
  public Optional<T> get(String id) {
    ImageValue v = values.get(id);
    return v == null ? Optional.empty() : Optional.ofNullable(decode(id, v));
  }

  /**
   * The decoded form of {@code v}, a value stored under {@code id} (e.g. an entry of {@link #values()} being walked),
   * or null when it does not decode: {@link #get} without looking the id up again.
   */
  @SuppressWarnings("unchecked")
  public T decode(String id, ImageValue v) {
    Object d = v.decoded(concern, id);
    return d instanceof ImageValue.DecodeFailure ? null : (T) d;
  }

  /** Every value that decodes, by id in id order; built once per sub-image, on first call. */
  public Map<String, T> map() {
    Map<String, T> m = decodedMap;
    if (m == null) {
      Map<String, T> out = new LinkedHashMap<>();
      values.forEach((id, v) -> {
        T d = decode(id, v);
        if (d != null) {
          out.put(id, d);
        }
      });
      m = Collections.unmodifiableMap(out);
      decodedMap = m;
    }
    return m;
  }

  /** Values that do not decode into this concern's type, by id: why. */
  public Map<String, String> failures() {
    Map<String, String> out = new LinkedHashMap<>();
    values.forEach((id, v) -> {
      if (v.decoded(concern, id) instanceof ImageValue.DecodeFailure f) {
        out.put(id, f.message());
      }
    });
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o == this || (o instanceof KeyedImage<?> k && k.concern == concern
        && (k.values == values || (k.values.size() == values.size() && k.values.equals(values))));
  }

  @Override
  public int hashCode() {
    int h = hash;
    if (h == 0) {
      h = values.hashCode() * 31 + concern.index();
      hash = h;
    }
    return h;
  }

  @Override
  public String toString() {
    return concern + "(" + values.size() + ")";
  }
}
