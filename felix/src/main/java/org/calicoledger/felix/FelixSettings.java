package org.calicoledger.felix;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.calicoledger.events.image.ClusterImage;
import org.calicoledger.model.FelixConfiguration;
import org.calicoledger.model.GoDuration;

/**
 * The effective Felix configuration of one node, as Calico layers it: a {@code FELIX_<PARAM>} environment variable
 * wins over {@code FelixConfiguration node.<nodename>}, which wins over {@code FelixConfiguration default}, which wins
 * over the built-in default.
 *
 * <p>Environment values of durations are seconds (as Calico reads {@code FELIX_ROUTEREFRESHINTERVAL=90}) or Go
 * durations ({@code 500ms}); resource values are Go durations. A value that does not parse is a configuration error
 * naming the source, the field and the value; {@link #of} then throws and the previous settings stay in force.
 *
 * @param routeRefreshInterval full resync of routes, devices and sysctls (default 90 s; zero: never)
 * @param iptablesRefreshInterval full resync of the iptables and ipsets parts (default 180 s; zero: never)
 * @param reportingInterval how often the status key is written (default 30 s; zero: never)
 * @param vxlanVni VNI of {@code vxlan.calico} (default 4096)
 * @param vxlanPort UDP port of {@code vxlan.calico} (default 4789)
 * @param vxlanMtu MTU of {@code vxlan.calico} (default 1450: a 1500-byte underlay minus 50 bytes of VXLAN)
 * @param ipipMtu MTU of {@code tunl0} (default 1480)
 * @param interfacePrefixes {@code interfacePrefix}: the host-side names of workload interfaces start with one of
 *     these (default {@code cali}; Calico allows a comma-separated list)
 * @param wireguardEnabled {@code wireguardEnabled} (default false)
 * @param wireguardInterfaceName {@code wireguardInterfaceName} (default {@code wireguard.cali})
 * @param wireguardListeningPort {@code wireguardListeningPort} (default 51820)
 * @param wireguardMtu {@code wireguardMTU} (default 0: 1440, a 1500-byte underlay minus 60 bytes of WireGuard)
 * @param wireguardRoutingRulePriority {@code wireguardRoutingRulePriority} (default 99)
 */
public record FelixSettings(Duration routeRefreshInterval, Duration iptablesRefreshInterval,
    Duration reportingInterval, int vxlanVni, int vxlanPort, int vxlanMtu, int ipipMtu,
    List<String> interfacePrefixes, boolean wireguardEnabled, String wireguardInterfaceName,
    int wireguardListeningPort, int wireguardMtu, int wireguardRoutingRulePriority) {
  private static final System.Logger LOG = System.getLogger("felix.settings");

  public static final FelixSettings DEFAULTS = new FelixSettings(Duration.ofSeconds(90), Duration.ofSeconds(180),
      Duration.ofSeconds(30), 4096, 4789, 1450, 1480, List.of("cali"), false, "wireguard.cali", 51820, 0, 99);

  public FelixSettings {
    interfacePrefixes = List.copyOf(interfacePrefixes);
  }

  /** The settings for {@code ctx}'s node from {@code image} and {@code ctx}'s {@code FELIX_*} overrides. */
  public static FelixSettings of(ClusterImage image, FelixContext ctx) {
    return of(image, ctx.nodename(), ctx.envOverrides());
  }

  /**
   * As {@link #of(ClusterImage, FelixContext)}, but a configuration error keeps {@code previous} in force (logged)
   * when there is one; without one it is thrown.
   */
  public static FelixSettings ofOrKeep(ClusterImage image, FelixContext ctx, FelixSettings previous) {
    try {
      return of(image, ctx);
    } catch (IllegalArgumentException e) {
      if (previous == null) {
        throw e;
      }
      LOG.log(System.Logger.Level.WARNING, "Felix settings unchanged: " + e.getMessage());
      return previous;
    }
  }

  /** The settings for {@code nodename} from {@code image} and the {@code FELIX_*} overrides (by lower-cased name). */
  public static FelixSettings of(ClusterImage image, String nodename, Map<String, String> env) {
    Map<String, FelixConfiguration> all = image.felixConfigurations();
    Layers l = new Layers(env, all.get("node." + nodename), all.get(FelixConfiguration.DEFAULT));
    return new FelixSettings(
        l.duration("routeRefreshInterval", DEFAULTS.routeRefreshInterval),
        l.duration("iptablesRefreshInterval", DEFAULTS.iptablesRefreshInterval),
        l.duration("reportingInterval", DEFAULTS.reportingInterval),
        l.integer("vxlanVNI", DEFAULTS.vxlanVni, 1, 16_777_215),
        l.integer("vxlanPort", DEFAULTS.vxlanPort, 1, 65_535),
        l.integer("vxlanMTU", DEFAULTS.vxlanMtu, 0, 65_535),
        l.integer("ipipMTU", DEFAULTS.ipipMtu, 0, 65_535),
        l.string("interfacePrefix").map(p -> List.of(p.split(","))).orElse(DEFAULTS.interfacePrefixes),
        l.bool("wireguardEnabled", DEFAULTS.wireguardEnabled),
        l.string("wireguardInterfaceName").orElse(DEFAULTS.wireguardInterfaceName),
        l.integer("wireguardListeningPort", DEFAULTS.wireguardListeningPort, 1, 65_535),
        l.integer("wireguardMTU", DEFAULTS.wireguardMtu, 0, 65_535),
        l.integer("wireguardRoutingRulePriority", DEFAULTS.wireguardRoutingRulePriority, 0, 32_765));
  }

  /** The three layers of one lookup. */
  private record Layers(Map<String, String> env, FelixConfiguration node, FelixConfiguration dflt) {
    /** The raw value and where it came from, or empty. */
    Optional<String[]> raw(String field) {
      String e = env.get(field.toLowerCase(Locale.ROOT));
      if (e != null && !e.isBlank()) {
        return Optional.of(new String[] {e.trim(), "FELIX_" + field.toUpperCase(Locale.ROOT), "env"});
      }
      for (FelixConfiguration fc : new FelixConfiguration[] {node, dflt}) {
        if (fc != null && fc.spec() != null) {
          Optional<String> v = fc.spec().string(field);
          if (v.isPresent()) {
            return Optional.of(new String[] {v.get().trim(), "FelixConfiguration " + fc.metadata().name() + " spec."
                + field, "resource"});
          }
        }
      }
      return Optional.empty();
    }

    Optional<String> string(String field) {
      return raw(field).map(r -> r[0]).filter(v -> !v.isEmpty());
    }

    boolean bool(String field, boolean dflt) {
      Optional<String[]> r = raw(field);
      if (r.isEmpty()) {
        return dflt;
      }
      String v = r.get()[0];
      if (v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false")) {
        return Boolean.parseBoolean(v);
      }
      throw new IllegalArgumentException(r.get()[1] + "='" + v + "' must be true or false");
    }

    Duration duration(String field, Duration dflt) {
      Optional<String[]> r = raw(field);
      if (r.isEmpty()) {
        return dflt;
      }
      String v = r.get()[0];
      try {
        if ("env".equals(r.get()[2]) && v.matches("[0-9]+(\\.[0-9]+)?")) {
          return Duration.ofMillis(Math.round(Double.parseDouble(v) * 1000));
        }
        Duration d = GoDuration.parse(v);
        if (d.isNegative()) {
          throw new IllegalArgumentException("negative");
        }
        return d;
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(r.get()[1] + "='" + v + "' is not a duration: use a Go duration such as"
            + " 90s or 500ms" + ("env".equals(r.get()[2]) ? ", or seconds" : ""));
      }
    }

    int integer(String field, int dflt, int min, int max) {
      Optional<String[]> r = raw(field);
      if (r.isEmpty()) {
        return dflt;
      }
      String v = r.get()[0];
      try {
        long n = Long.parseLong(v);
        if (n < min || n > max) {
          throw new NumberFormatException();
        }
        return (int) n;
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(r.get()[1] + "='" + v + "' must be a whole number from " + min + " to "
            + max);
      }
    }
  }
}
