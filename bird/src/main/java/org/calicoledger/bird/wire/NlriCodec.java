package org.calicoledger.bird.wire;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code length, prefix bytes} encoding of RFC 4271 section 4.3, shared by NLRI, withdrawals and MP attributes,
 * with RFC 7911's 4-byte path identifier in front of each prefix when ADD-PATH is in use for the family.
 */
final class NlriCodec {
  private NlriCodec() {}

  /**
   * Reads prefixes until {@code in} is exhausted; with {@code pathIds} non-null, each prefix is preceded by a path
   * identifier, appended there (so both lists have the same length).
   *
   * @throws MalformedMessageException (3, {@code subcode}) when a length is too long or the bytes run out
   */
  static List<Prefix> decode(ByteBuffer in, Family family, int subcode, String field, List<Integer> pathIds)
      throws MalformedMessageException {
    List<Prefix> out = new ArrayList<>();
    int max = family.maxLength();
    byte[] addr = new byte[family.addressBytes()];
    while (in.hasRemaining()) {
      if (pathIds != null) {
        if (in.remaining() < 5) {
          throw new MalformedMessageException(Notification.UPDATE, subcode,
              field + ": path identifier and prefix length need 5 bytes, " + in.remaining() + " left");
        }
        pathIds.add(in.getInt());
      }
      int len = in.get() & 0xFF;
      int bytes = (len + 7) / 8;
      if (len > max || bytes > in.remaining()) {
        throw new MalformedMessageException(Notification.UPDATE, subcode,
            field + ": prefix length " + len + " with " + in.remaining() + " bytes left (at most " + max + ")");
      }
      java.util.Arrays.fill(addr, (byte) 0);
      in.get(addr, 0, bytes);
      out.add(Prefix.of(addr, len));
    }
    return out;
  }

  /** With {@code withIds}, writes each prefix's path id from {@code pathIds} (0 when that list is empty). */
  static void encode(List<Prefix> prefixes, List<Integer> pathIds, boolean withIds, WireWriter w) {
    for (int i = 0; i < prefixes.size(); i++) {
      Prefix p = prefixes.get(i);
      if (withIds) {
        w.u32(pathIds.isEmpty() ? 0 : pathIds.get(i) & 0xFFFF_FFFFL);
      }
      w.u8(p.length());
      w.bytes(p.address(), 0, (p.length() + 7) / 8);
    }
  }
}
