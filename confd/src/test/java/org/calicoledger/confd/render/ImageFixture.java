package org.calicoledger.confd.render;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.calicoledger.events.image.ClusterDelta;
import org.calicoledger.events.image.ClusterImage;
import org.calicoledger.events.proto.ChangeEvent;
import org.calicoledger.events.proto.Operation;
import org.calicoledger.model.ResourceCodec;
import org.calicoledger.model.Resource;
import org.calicoledger.store.Keys;

/**
 * Builds a {@link ClusterImage} as the change log would: one event per etcd key (resources with Calico's defaults, as
 * calicoctl stores them; block affinities), folded through a {@link ClusterDelta}.
 */
public final class ImageFixture {
  private final List<String[]> puts = new ArrayList<>();

  /** Every document of a YAML or JSON text, with defaults applied; a refused document fails the test. */
  public ImageFixture resources(String text, String source) {
    for (ResourceCodec.Document d : ResourceCodec.decodeAll(text, source)) {
      if (!d.ok()) {
        throw new IllegalArgumentException(d.error().getMessage());
      }
      resource(d.resource());
    }
    return this;
  }

  public ImageFixture resource(Resource r) {
    Resource d = r.withDefaults();
    String ns = d.metadata().namespace();
    String key = Keys.RESOURCES + d.kind().plural() + "/" + (ns == null ? "" : ns + "/") + d.metadata().name();
    puts.add(new String[] {key, new String(ResourceCodec.encodeStored(d), StandardCharsets.UTF_8)});
    return this;
  }

  /** A block affinity of {@code host} ({@code state} confirmed, pending, ...). */
  public ImageFixture affinity(String host, String cidr, String state) {
    String v = cidr.indexOf(':') >= 0 ? "ipv6" : "ipv4";
    puts.add(new String[] {"/calico/ipam/v2/host/" + host + "/" + v + "/block/" + cidr.replace('/', '-'),
        "{\"state\":\"" + state + "\",\"deleted\":false}"});
    return this;
  }

  /** Lines {@code host cidr [state]} ({@code #} comments and blank lines ignored). */
  public ImageFixture affinities(Path file) {
    try {
      for (String line : Files.readAllLines(file)) {
        String l = line.strip();
        if (l.isEmpty() || l.startsWith("#")) {
          continue;
        }
        String[] f = l.split("\\s+");
        affinity(f[0], f[1], f.length > 2 ? f[2] : "confirmed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return this;
  }

  /** One revision per key, in the order given. */
  public ClusterImage build() {
    ClusterDelta d = new ClusterDelta(ClusterImage.EMPTY);
    long rev = 1;
    for (String[] p : puts) {
      d.replay(event(++rev, p[0], p[1]));
    }
    return d.apply();
  }

  /** Applies one more PUT (or DELETE, value null) at the next revision. */
  public static ClusterImage put(ClusterImage base, String key, String value) {
    ClusterDelta d = new ClusterDelta(base);
    d.replay(event(base.revision() + 1, key, value));
    return d.apply();
  }

  static ChangeEvent event(long rev, String key, String value) {
    ChangeEvent.Builder b = ChangeEvent.newBuilder().setRevision(rev).setPosition(0).setCount(1).setKey(key)
        .setOperation(value == null ? Operation.DELETE : Operation.PUT);
    if (value != null) {
      b.setValue(ByteString.copyFromUtf8(value));
    }
    return b.build();
  }
}
