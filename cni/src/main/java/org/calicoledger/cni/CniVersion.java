package org.calicoledger.cni;

import java.util.List;

/** The CNI specification versions the plugins speak, and the VERSION answer. */
public final class CniVersion {
  public static final List<String> SUPPORTED = List.of("0.3.0", "0.3.1", "0.4.0", "1.0.0");
  public static final String CURRENT = "1.0.0";

  private CniVersion() {}

  /** Throws code 1 when {@code v} is not one of {@link #SUPPORTED}; {@code plugin} names who refuses. */
  public static void check(String v, String plugin) {
    if (!SUPPORTED.contains(v)) {
      throw new CniException(CniException.INCOMPATIBLE_VERSION, "incompatible CNI version " + v,
          plugin + " supports " + String.join(", ", SUPPORTED));
    }
  }

  /** Whether {@code v} has CHECK (0.4.0 and later). */
  public static boolean hasCheck(String v) {
    return !v.startsWith("0.3");
  }

  /** The VERSION result. */
  public static String versionJson() {
    StringBuilder b = new StringBuilder("{\n  \"cniVersion\" : \"" + CURRENT + "\",\n  \"supportedVersions\" : [ ");
    for (int i = 0; i < SUPPORTED.size(); i++) {
      b.append(i == 0 ? "" : ", ").append(JsonText.quote(SUPPORTED.get(i)));
    }
    return b.append(" ]\n}\n").toString();
  }
}
