package org.calicoledger.bird.wire;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** The {@code length, prefix bytes} encoding of RFC 4271 section 4.3, shared by NLRI, withdrawals and MP attributes. */
final class NlriCodec {
  private NlriCodec() {}

  /**
   * Reads prefixes until {@code in} is exhausted.
   *
   * @throws MalformedMessageException (3, {@code subcode}) when a length is too long or the bytes run out
   */
  static List<Prefix> decode(ByteBuffer in, Family family, int subcode, String field)
      throws MalformedMessageException {
    List<Prefix> out = new ArrayList<>();
    int max = family.maxLength();
    byte[] addr = new byte[family.addressBytes()];
    while (in.hasRemaining()) {
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

  static void encode(List<Prefix> prefixes, WireWriter w) {
    for (Prefix p : prefixes) {
      w.u8(p.length());
      w.bytes(p.address(), 0, (p.length() + 7) / 8);
    }
  }
}
