package org.calicoledger.events.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import org.calicoledger.model.ResourceCodec;

/**
 * One etcd key's value in an image: the bytes exactly as the journal published them and the key's mod revision (the
 * revision of the event that put it, which becomes a resource's {@code resourceVersion}).
 *
 * <p>Equality is by key, mod revision and bytes; the decoded form is a cache, not part of the value. Decoding happens on
 * first use and at most once per value (a benign race may decode twice on two threads; both results are equal), so
 * folding history into an image never pays for decoding values nobody reads. {@link #json()} returns a fresh copy each
 * time: a caller may change it without changing the image.
 */
public final class ImageValue {
  private final String key;
  private final ByteString bytes;
  private final long modRevision;
  private volatile Object decoded;

  public ImageValue(String key, ByteString bytes, long modRevision) {
    this.key = key;
    this.bytes = bytes;
    this.modRevision = modRevision;
  }

  public static ImageValue of(String key, String json, long modRevision) {
    return new ImageValue(key, ByteString.copyFromUtf8(json), modRevision);
  }

  /**
   * This value with bytes of its own. Events parsed with aliasing share one array per Kafka record (previous value,
   * new value and every other field); an image that kept that would hold each record whole for as long as the key
   * lives, so a delta detaches the values it puts into an image, once per key and apply.
   */
  ImageValue detached() {
    return new ImageValue(key, ByteString.copyFrom(bytes.asReadOnlyByteBuffer()), modRevision);
  }

  public String key() {
    return key;
  }

  public ByteString bytes() {
    return bytes;
  }

  public byte[] bytesArray() {
    return bytes.toByteArray();
  }

  public String text() {
    return bytes.toString(StandardCharsets.UTF_8);
  }

  public long modRevision() {
    return modRevision;
  }

  /** The value as a JSON tree (a copy); throws {@link IllegalArgumentException} when it is not JSON. */
  public JsonNode json() {
    return ResourceCodec.readTree(bytesArray());
  }

  /** The decoded value, or a {@link DecodeFailure} when the bytes are not what {@code concern} expects. */
  <T> Object decoded(Concern<T> concern, String id) {
    Object d = decoded;
    if (d == null) {
      try {
        d = concern.decode(id, this);
      } catch (RuntimeException e) {
        d = new DecodeFailure(e.getMessage() == null ? e.toString() : e.getMessage());
      }
      decoded = d;
    }
    return d;
  }

  /** Why a value could not be decoded into its concern's type. */
  record DecodeFailure(String message) {}

  @Override
  public boolean equals(Object o) {
    return o == this || (o instanceof ImageValue v && v.modRevision == modRevision && v.key.equals(key)
        && v.bytes.equals(bytes));
  }

  @Override
  public int hashCode() {
    return (key.hashCode() * 31 + Long.hashCode(modRevision)) * 31 + bytes.hashCode();
  }

  @Override
  public String toString() {
    return key + "@" + modRevision + "=" + (bytes.size() > 200 ? bytes.substring(0, 200).toStringUtf8() + "..." : text());
  }
}
