package org.calicoledger.cni;

import java.util.HashMap;
import java.util.Map;

/**
 * {@code CNI_ARGS}: {@code K=V;K=V} pairs a runtime passes (Kubernetes: {@code K8S_POD_NAMESPACE},
 * {@code K8S_POD_NAME}, {@code K8S_POD_INFRA_CONTAINER_ID}; {@code IP} asks for an address; {@code IgnoreUnknown=1}).
 * Pairs without {@code =} or with an empty key are skipped; values are trimmed.
 */
public final class CniArgs {
  private CniArgs() {}

  public static Map<String, String> parse(Map<String, String> env) {
    Map<String, String> out = new HashMap<>();
    String raw = env.getOrDefault("CNI_ARGS", "");
    for (String kv : raw.split(";")) {
      int eq = kv.indexOf('=');
      if (eq > 0) {
        out.put(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
      }
    }
    return out;
  }
}
