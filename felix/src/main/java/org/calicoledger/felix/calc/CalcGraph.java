package org.calicoledger.felix.calc;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.calicoledger.events.image.ClusterImage;
import org.calicoledger.events.image.Concern;
import org.calicoledger.events.image.KeyedImage;
import org.calicoledger.felix.FelixContext;
import org.calicoledger.felix.FelixSettings;
import org.calicoledger.model.FelixConfiguration;

/**
 * The calculation graph of the routes, devices and sysctl parts: one image (plus the learned routes) in, one
 * {@link DesiredDataplane} out.
 *
 * <pre>
 *   WorkloadEndpoints --> LocalEndpointResolver --+----------------------------+
 *   IPPools ----------> PoolResolver -------------+--> TunnelResolver --+      |
 *   Nodes ------------> NodeResolver -------------+                     +--> RouteResolver --> DesiredDataplane
 *   FelixConfigurations -> FelixSettings ---------+                     |      ^
 *   IPAM blocks --------------------------------------------------------+      |
 *   LearnedRoutes (BGP speaker) -----------------------------------------------+
 * </pre>
 *
 * <p>Single-threaded (the Felix thread). {@link #update} is memoized on the image instance and the learned routes'
 * version, so the parts that share one graph compute it once per image; each resolver again skips work when its
 * sub-image is the same instance. The route plan for blocks and learned routes is recomputed only when one of its
 * inputs is a different instance (or value); the local endpoint routes are updated per changed endpoint; outputs are
 * persistent maps, so one endpoint among 10,000 costs a map walk and a few updates, not a rebuild. Invariant: the
 * output depends only on the image's values and the learned routes,
 * never on how the image was built.
 */
public final class CalcGraph {
  private final FelixContext ctx;
  private final LocalEndpointResolver endpoints;
  private final PoolResolver pools = new PoolResolver();
  private final NodeResolver nodes = new NodeResolver();
  private KeyedImage<FelixConfiguration> settingsSeen;
  private FelixSettings settings = FelixSettings.DEFAULTS;
  private String settingsError;
  private ClusterImage seenImage;
  private long seenLearned = -1;
  private DesiredDataplane desired = DesiredDataplane.EMPTY;
  private List<Object> planKey;
  private RouteResolver.Plan plan;
  private org.pcollections.PSortedMap<String, Route> localRoutes;
  private org.pcollections.PSortedMap<String, Route> routes;
  private final java.util.Set<String> routeChanges = new java.util.HashSet<>();
  private boolean allRoutesChanged = true;

  public CalcGraph(FelixContext ctx) {
    this.ctx = ctx;
    this.endpoints = new LocalEndpointResolver(ctx.nodename());
  }

  /** The desired dataplane for {@code image}. */
  public DesiredDataplane update(ClusterImage image) {
    long learnedVersion = ctx.learnedRoutes().version();
    if (image == seenImage && learnedVersion == seenLearned) {
      return desired;
    }
    Map<String, String> learned = ctx.learnedRoutes().snapshot();
    KeyedImage<FelixConfiguration> fc = image.get(Concern.FELIX_CONFIGURATIONS);
    if (fc != settingsSeen) {
      try {
        settings = FelixSettings.of(image, ctx.nodename(), ctx.envOverrides());
        settingsError = null;
      } catch (IllegalArgumentException e) {
        settingsError = e.getMessage(); // keep the settings in force
      }
      settingsSeen = fc;
    }
    var eps = endpoints.resolve(image);
    var ps = pools.resolve(image);
    var hosts = nodes.resolve(image);
    NodeResolver.Host self = hosts.get(ctx.nodename());
    VxlanDevice vx = TunnelResolver.vxlan(self, ps, settings.vxlanVni(), settings.vxlanPort(), settings.vxlanMtu());
    IpipDevice ipip = TunnelResolver.ipip(self, ps, settings.ipipMtu());
    Object blocks = image.get(Concern.IPAM_BLOCKS);
    List<Object> planKey = java.util.Arrays.asList(blocks, ps, hosts, learnedVersion, vx, ipip);
    if (!planKey.equals(this.planKey)) { // identity-equal inputs: the plan does not depend on the endpoints
      if (plan != null) {
        routeChanges.addAll(plan.routes().keySet());
      }
      plan = RouteResolver.resolve(ctx.nodename(), self, ctx.felixRoutesRemoteBlocks(), ctx.felixProgramsBlackholes(),
          image.ipamBlocks(), ps, hosts, learned, vx, ipip);
      this.planKey = planKey;
      routeChanges.addAll(plan.routes().keySet());
      routes = null;
    }
    java.util.Set<String> local = endpoints.takeChanges();
    if (local == null) {
      allRoutesChanged = true;
    } else {
      routeChanges.addAll(local);
    }
    if (routes == null || localRoutes != endpoints.routes()) {
      localRoutes = endpoints.routes();
      routes = plan.over(localRoutes);
    }
    List<String> notes = plan.notes();
    if (settingsError != null) {
      notes = new java.util.ArrayList<>(notes);
      notes.add(settingsError + " (the previous settings stay in force)");
      notes = java.util.List.copyOf(notes);
    }
    desired = new DesiredDataplane(eps, routes, plan.neighbours(), plan.fdb(), vx, ipip, notes);
    seenImage = image;
    seenLearned = learnedVersion;
    return desired;
  }

  /**
   * The route destinations whose desired route may have changed since the last call (null: any may), for the routes
   * part's incremental passes; clears the record. Only one consumer may take them.
   */
  public java.util.Set<String> takeRouteChanges() {
    java.util.Set<String> out = allRoutesChanged ? null : java.util.Set.copyOf(routeChanges);
    routeChanges.clear();
    allRoutesChanged = false;
    return out;
  }

  /** The latest output. */
  public DesiredDataplane desired() {
    return desired;
  }

  /** The settings in force (the last that parsed). */
  public FelixSettings settings() {
    return settings;
  }

  /** Whether {@code a} and {@code b} are the same output (by identity first: the graph keeps an unchanged one). */
  public static boolean same(DesiredDataplane a, DesiredDataplane b) {
    return a == b || Objects.equals(a, b);
  }
}
