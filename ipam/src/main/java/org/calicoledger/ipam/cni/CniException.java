package org.calicoledger.ipam.cni;

/**
 * A CNI error result: {@code {"cniVersion","code","msg","details"}} on stdout and a non-zero exit. Codes 1-99 are
 * the spec's well-known ones; 100 and up are this plugin's.
 */
public final class CniException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public static final int INCOMPATIBLE_VERSION = 1;
  public static final int UNSUPPORTED_FIELD = 2;
  public static final int UNKNOWN_CONTAINER = 3;
  public static final int INVALID_ENVIRONMENT = 4;
  public static final int IO_FAILURE = 5;
  public static final int DECODING_FAILURE = 6;
  public static final int INVALID_NETWORK_CONFIG = 7;
  public static final int TRY_AGAIN_LATER = 11;
  /** IPAM refused: no pool, pool exhausted, address taken or outside every pool. */
  public static final int IPAM_FAILURE = 100;

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
}
