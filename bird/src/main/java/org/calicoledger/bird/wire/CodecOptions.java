package org.calicoledger.bird.wire;

/**
 * What the session negotiated that changes the wire format of UPDATEs.
 *
 * @param fourOctetAs both sides sent the 4-octet AS capability (AS_PATH and AGGREGATOR carry 4-octet numbers)
 */
public record CodecOptions(boolean fourOctetAs) {
  public static final CodecOptions DEFAULT = new CodecOptions(true);
}
