package org.calicoledger.felix.calc;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.calicoledger.events.image.ClusterImage;
import org.calicoledger.felix.FelixContext;
import org.calicoledger.model.FelixConfiguration;

/**
 * The Felix settings in force on one node, merged as Calico merges them: {@code FelixConfiguration default}, then
 * {@code node.<nodename>} on top, then {@code FELIX_<PARAM>} environment overrides on top of both.
 *
 * <p>Inputs: the image's FelixConfigurations and the context's overrides. Output: typed look-ups by Calico's JSON
 * field name (case-insensitive, as environment names are). Change rule: equal inputs give an equal value, so parts
 * compare the settings they read to skip work.
 */
public record EffectiveConfig(Map<String, Object> byLowerName) {
  public static final EffectiveConfig EMPTY = new EffectiveConfig(Map.of());

  public EffectiveConfig {
    byLowerName = Map.copyOf(byLowerName);
  }

  public static EffectiveConfig of(ClusterImage image, FelixContext ctx) {
    Map<String, Object> m = new HashMap<>();
    Map<String, FelixConfiguration> all = image.felixConfigurations();
    put(m, all.get(FelixConfiguration.DEFAULT));
    put(m, all.get("node." + ctx.nodename()));
    ctx.envOverrides().forEach((k, v) -> m.put(k.toLowerCase(Locale.ROOT), v));
    return new EffectiveConfig(m);
  }

  private static void put(Map<String, Object> m, FelixConfiguration c) {
    if (c != null) {
      c.spec().fields().forEach((k, v) -> {
        if (v != null) {
          m.put(k.toLowerCase(Locale.ROOT), v);
        }
      });
    }
  }

  public Optional<String> string(String field) {
    return Optional.ofNullable(byLowerName.get(field.toLowerCase(Locale.ROOT))).map(Object::toString)
        .filter(s -> !s.isBlank());
  }

  public boolean bool(String field, boolean dflt) {
    return string(field).map(s -> s.equalsIgnoreCase("true")).orElse(dflt);
  }

  /** A whole number; bad text names the field and value. */
  public int integer(String field, int dflt) {
    Optional<String> s = string(field);
    if (s.isEmpty()) {
      return dflt;
    }
    try {
      return (int) Double.parseDouble(s.get());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("FelixConfiguration field " + field + " has value '" + s.get()
          + "': a whole number is required");
    }
  }

  /** {@code interfacePrefix}, default {@code cali}; Calico allows a comma-separated list. */
  public java.util.List<String> interfacePrefixes() {
    return java.util.List.of(string("interfacePrefix").orElse("cali").split(","));
  }

  public boolean wireguardEnabled() {
    return bool("wireguardEnabled", false);
  }
}
