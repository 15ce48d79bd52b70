package org.calicoledger.felix;

import java.nio.file.Path;
import java.util.Map;
import org.calicoledger.store.Store;

/**
 * What every Felix part may know about the host it runs on.
 *
 * @param nodename this node's name ({@code NODENAME}); the {@code Node} resource and {@code FelixConfiguration
 *     node.<nodename>} are looked up by it
 * @param envOverrides every {@code FELIX_<PARAM>} variable by lower-cased parameter name; wins over the
 *     FelixConfiguration resources, as in Calico
 * @param runDir {@code CALICO_RUN_DIR}: files a part keeps on the node (e.g. the WireGuard private key, mode 0600)
 * @param store etcd, only for what Felix publishes itself (its status, the WireGuard public key); Felix reads the
 *     cluster only through the image
 * @param actor the audit actor of Felix's own writes
 */
public record FelixContext(String nodename, Map<String, String> envOverrides, Path runDir, Store store,
    String actor) {
  public FelixContext {
    envOverrides = Map.copyOf(envOverrides);
  }
}
