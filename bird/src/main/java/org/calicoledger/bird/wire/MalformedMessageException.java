package org.calicoledger.bird.wire;

/**
 * A message that cannot be accepted: the session must send {@link #toNotification()} and close (RFC 4271 section 6,
 * RFC 7606's "session reset"). The only exception the codec throws for bad input.
 */
public final class MalformedMessageException extends Exception {
  private final int code;
  private final int subcode;
  private final byte[] data;

  public MalformedMessageException(int code, int subcode, byte[] data, String message) {
    super(message + " (NOTIFICATION " + code + "/" + subcode + ")");
    this.code = code;
    this.subcode = subcode;
    this.data = data == null ? new byte[0] : data.clone();
  }

  public MalformedMessageException(int code, int subcode, String message) {
    this(code, subcode, null, message);
  }

  public int code() {
    return code;
  }

  public int subcode() {
    return subcode;
  }

  public BgpMessage.NotificationMessage toNotification() {
    return new BgpMessage.NotificationMessage(code, subcode, data);
  }
}
