package org.calicoledger.bird.wire;

import java.util.EnumSet;
import java.util.Set;

/**
 * What the session negotiated that changes the wire format of UPDATEs, for one direction (what we decode, or what
 * we encode: ADD-PATH is negotiated per direction).
 *
 * @param fourOctetAs both sides sent the 4-octet AS capability (AS_PATH and AGGREGATOR carry 4-octet numbers)
 * @param addPath the families whose NLRI (classic fields and MP attributes) carry a 4-byte path identifier before
 *     each prefix (RFC 7911 section 3): when decoding, the families where we offered to receive and the peer to
 *     send; when encoding, the reverse
 */
public record CodecOptions(boolean fourOctetAs, Set<Family> addPath) {
  public static final CodecOptions DEFAULT = new CodecOptions(true);

  public CodecOptions {
    addPath = addPath.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(addPath));
  }

  public CodecOptions(boolean fourOctetAs) {
    this(fourOctetAs, Set.of());
  }

  public boolean addPath(Family f) {
    return !addPath.isEmpty() && addPath.contains(f);
  }
}
