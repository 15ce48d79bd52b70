package org.calicoledger.events.history;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.calicoledger.events.image.ClusterImage;
import org.calicoledger.events.image.Concern;
import org.calicoledger.events.image.ImageValue;
import org.calicoledger.events.image.KeyedImage;

/**
 * The difference between two images, in concern order and, inside a concern, id order. Sub-images that the two share
 * (the same instance) are skipped without being looked at, so diffing nearby images costs what changed, not the size
 * of the cluster.
 */
public record ImageDiff(long fromRevision, long toRevision, List<ResourceDiff> changes) {

  public ImageDiff {
    changes = List.copyOf(changes);
  }

  public static ImageDiff between(ClusterImage from, ClusterImage to) {
    List<ResourceDiff> out = new ArrayList<>();
    for (Concern<?> c : Concern.all()) {
      KeyedImage<?> a = from.get(c);
      KeyedImage<?> b = to.get(c);
      if (a == b) {
        continue;
      }
      TreeSet<String> ids = new TreeSet<>(a.values().keySet());
      ids.addAll(b.values().keySet());
      for (String id : ids) {
        ImageValue va = a.value(id);
        ImageValue vb = b.value(id);
        if (va != null && vb != null && va.bytes().equals(vb.bytes())) {
          continue;
        }
        out.add(ResourceDiff.of(va, vb));
      }
    }
    return new ImageDiff(from.revision(), to.revision(), out);
  }

  public List<ResourceDiff> of(ResourceDiff.Type type) {
    return changes.stream().filter(d -> d.type() == type).toList();
  }

  public boolean isEmpty() {
    return changes.isEmpty();
  }
}
