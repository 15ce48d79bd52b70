package org.calicoledger.bird.wire;

/** NOTIFICATION error codes and subcodes of RFC 4271 section 4.5 (and RFC 4486's Cease subcodes) used here. */
public final class Notification {
  public static final int HEADER = 1;
  public static final int HEADER_NOT_SYNCHRONIZED = 1;
  public static final int HEADER_BAD_LENGTH = 2;
  public static final int HEADER_BAD_TYPE = 3;

  public static final int OPEN = 2;
  public static final int OPEN_UNSPECIFIC = 0;
  public static final int OPEN_BAD_VERSION = 1;
  public static final int OPEN_BAD_PEER_AS = 2;
  public static final int OPEN_BAD_BGP_ID = 3;
  public static final int OPEN_UNSUPPORTED_PARAMETER = 4;
  public static final int OPEN_BAD_HOLD_TIME = 6;

  public static final int UPDATE = 3;
  public static final int UPDATE_MALFORMED_ATTRIBUTE_LIST = 1;
  public static final int UPDATE_UNRECOGNIZED_WELL_KNOWN = 2;
  public static final int UPDATE_MISSING_WELL_KNOWN = 3;
  public static final int UPDATE_ATTRIBUTE_FLAGS = 4;
  public static final int UPDATE_ATTRIBUTE_LENGTH = 5;
  public static final int UPDATE_INVALID_ORIGIN = 6;
  public static final int UPDATE_INVALID_NEXT_HOP = 8;
  public static final int UPDATE_OPTIONAL_ATTRIBUTE = 9;
  public static final int UPDATE_INVALID_NETWORK = 10;
  public static final int UPDATE_MALFORMED_AS_PATH = 11;

  public static final int HOLD_TIMER_EXPIRED = 4;
  public static final int FSM = 5;
  public static final int CEASE = 6;
  public static final int CEASE_ADMIN_SHUTDOWN = 2;
  public static final int CEASE_PEER_DECONFIGURED = 3;
  public static final int CEASE_ADMIN_RESET = 4;
  public static final int CEASE_CONNECTION_REJECTED = 5;
  public static final int CEASE_COLLISION = 7;

  public static final int ROUTE_REFRESH = 7;
  public static final int ROUTE_REFRESH_BAD_LENGTH = 1;

  private Notification() {}

  /** A short name for logs and {@code calicoctl node status}: {@code "Hold timer expired"}, {@code "Cease/7"}. */
  public static String describe(int code, int subcode) {
    return switch (code) {
      case HEADER -> "Message header error/" + subcode;
      case OPEN -> "OPEN message error/" + subcode;
      case UPDATE -> "UPDATE message error/" + subcode;
      case HOLD_TIMER_EXPIRED -> "Hold timer expired";
      case FSM -> "Finite state machine error";
      case CEASE -> "Cease/" + subcode;
      case ROUTE_REFRESH -> "ROUTE-REFRESH message error/" + subcode;
      default -> "Error " + code + "/" + subcode;
    };
  }
}
