package org.calicoledger.cni;

/**
 * A CNI error result: {@code {"cniVersion","code","msg","details"}} on stdout and exit code 1. Codes 1-99 are the
 * spec's well-known ones (SPEC.md, "Error"); 100 and up are this project's. Shared by every front end and the node
 * agent, so a runtime sees the same codes whichever process answered.
 */
public final class CniException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public static final int INCOMPATIBLE_VERSION = 1;
  public static final int UNSUPPORTED_FIELD = 2;
  public static final int UNKNOWN_CONTAINER = 3;
  /** A needed CNI_* variable is missing or invalid; the message names it. */
  public static final int INVALID_ENVIRONMENT = 4;
  public static final int IO_FAILURE = 5;
  public static final int DECODING_FAILURE = 6;
  /** The network configuration on stdin is invalid; the message names the field. */
  public static final int INVALID_NETWORK_CONFIG = 7;
  /** A transient condition (agent not running, etcd unreachable, writers contending): the runtime should retry. */
  public static final int TRY_AGAIN_LATER = 11;
  /** IPAM refused: no pool, pool exhausted, address taken or outside every pool. */
  public static final int IPAM_FAILURE = 100;
  /** The pod's interfaces, addresses or routes could not be set up or removed (the {@code ip} tool's error follows). */
  public static final int DATAPLANE_FAILURE = 101;
  /** CHECK found the container's network different from what ADD set up; details list every difference. */
  public static final int CHECK_FAILED = 102;

  private final int code;
  private final String details;

  public CniException(int code, String msg, String details) {
    super(msg);
    this.code = code;
    this.details = details == null ? "" : details;
  }

  public int code() {
    return code;
  }

  public String details() {
    return details;
  }

  /** The error result; {@code cniVersion} is the request's when this project speaks it, else the newest. */
  public String toJson(String cniVersion) {
    String v = cniVersion != null && CniVersion.SUPPORTED.contains(cniVersion) ? cniVersion : CniVersion.CURRENT;
    return "{\n  \"cniVersion\" : " + JsonText.quote(v) + ",\n  \"code\" : " + code + ",\n  \"msg\" : "
        + JsonText.quote(String.valueOf(getMessage())) + ",\n  \"details\" : " + JsonText.quote(details) + "\n}\n";
  }
}
