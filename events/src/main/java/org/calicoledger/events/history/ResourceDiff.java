package org.calicoledger.events.history;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.List;
import org.calicoledger.events.image.ImageValue;

/**
 * How one etcd key differs between two images: added, removed, or changed (its bytes differ; a rewrite with the same
 * bytes is not a change), with the fields that differ.
 */
public record ResourceDiff(String key, Type type, ImageValue before, ImageValue after, List<FieldChange> fields) {

  public enum Type { ADDED, REMOVED, CHANGED }

  public ResourceDiff {
    fields = List.copyOf(fields);
  }

  static ResourceDiff of(ImageValue before, ImageValue after) {
    Type t = before == null ? Type.ADDED : after == null ? Type.REMOVED : Type.CHANGED;
    String key = after != null ? after.key() : before.key();
    return new ResourceDiff(key, t, before, after, FieldChange.diff(json(before), json(after)));
  }

  private static JsonNode json(ImageValue v) {
    if (v == null) {
      return null;
    }
    try {
      return v.json();
    } catch (IllegalArgumentException notJson) {
      return TextNode.valueOf(v.text());
    }
  }

  /** {@code IPPool(name)}, or the etcd key for anything that is not a resource. */
  public String resource() {
    return HistoryEntry.describe(key);
  }
}
