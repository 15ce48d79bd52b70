package org.calicoledger.bird.io;

import java.util.Arrays;
import org.calicoledger.bird.wire.BgpCodec;
import org.calicoledger.bird.wire.MalformedMessageException;

/** Cuts a TCP byte stream into whole BGP messages (one per callback, header included). Not thread-safe. */
final class FrameReader {
  interface Sink {
    void frame(byte[] buf, int off, int len) throws MalformedMessageException;
  }

  private byte[] buf = new byte[8192];
  private int start;
  private int end;

  /** Appends {@code data} and hands every complete message to {@code sink}. */
  void feed(byte[] data, Sink sink) throws MalformedMessageException {
    if (end + data.length > buf.length) {
      int live = end - start;
      if (live + data.length > buf.length) {
        buf = Arrays.copyOfRange(buf, start, start + Math.max(buf.length * 2, live + data.length));
      } else {
        System.arraycopy(buf, start, buf, 0, live);
      }
      start = 0;
      end = live;
    }
    System.arraycopy(data, 0, buf, end, data.length);
    end += data.length;
    while (true) {
      int len = BgpCodec.frameLength(buf, start, end - start);
      if (len < 0 || end - start < len) {
        break;
      }
      int at = start;
      start += len;
      sink.frame(buf, at, len);
    }
    if (start == end) {
      start = 0;
      end = 0;
    }
  }

}
