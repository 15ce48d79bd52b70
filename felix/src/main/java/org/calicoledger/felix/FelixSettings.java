package org.calicoledger.felix;

import java.time.Duration;
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
 */
public record FelixSettings(Duration routeRefreshInterval, Duration iptablesRefreshInterval,
    Duration reportingInterval, int vxlanVni, int vxlanPort, int vxlanMtu, int ipipMtu) {

  public static final FelixSettings DEFAULTS = new FelixSettings(Duration.ofSeconds(90), Duration.ofSeconds(180),
      Duration.ofSeconds(30), 4096, 4789, 1450, 1480);

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
        l.integer("ipipMTU", DEFAULTS.ipipMtu, 0, 65_535));
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
