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
 * @param backend {@code CALICO_NETWORKING_BACKEND} lower-cased ({@code builtin}, {@code bird}, {@code vxlan},
 *     {@code none}): in {@code vxlan} Felix computes the routes to other nodes' blocks from block affinities itself; in
 *     the BGP backends they come from {@code learnedRoutes}
 * @param learnedRoutes the in-process bus on which the node's BGP speaker hands Felix the routes it learned
 */
public record FelixContext(String nodename, Map<String, String> envOverrides, Path runDir, Store store,
    String actor, String backend, org.calicoledger.felix.calc.LearnedRoutes learnedRoutes) {
  public FelixContext {
    envOverrides = Map.copyOf(envOverrides);
    backend = backend == null || backend.isBlank() ? "builtin" : backend.trim().toLowerCase(java.util.Locale.ROOT);
    learnedRoutes = learnedRoutes == null ? new org.calicoledger.felix.calc.LearnedRoutes() : learnedRoutes;
  }

  /** The backend {@code builtin} and a bus of its own (what parts that do not route see). */
  public FelixContext(String nodename, Map<String, String> envOverrides, Path runDir, Store store, String actor) {
    this(nodename, envOverrides, runDir, store, actor, null, null);
  }

  /**
   * Whether Felix programs the blackholes of this node's blocks: not with {@code bird}, whose kernel protocol programs
   * them ({@code proto bird}) and would fight Felix's.
   */
  public boolean felixProgramsBlackholes() {
    return !"bird".equals(backend);
  }

  /** Whether Felix itself computes the routes to other nodes' blocks (no BGP speaker). */
  public boolean felixRoutesRemoteBlocks() {
    return "vxlan".equals(backend);
  }
}
