package org.calicoledger.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Felix settings: {@code default} for the cluster, {@code node.<name>} for one node. Calico's FelixConfiguration has some
 * two hundred optional fields, so the spec is a map checked against {@link FelixField}'s table (one entry per field:
 * its JSON name and value type) instead of a two-hundred-component record; typed accessors cover the fields this
 * project reads.
 */
public record FelixConfiguration(ObjectMeta metadata, @JsonInclude(JsonInclude.Include.ALWAYS) Spec spec)
    implements Resource {
  public static final String DEFAULT = "default";

  public FelixConfiguration {
    spec = spec == null ? new Spec(Map.of()) : spec;
  }

  /** The spec's fields as read (JSON scalars, lists and maps), sorted by name. */
  public record Spec(Map<String, Object> fields) {
    public Spec {
      fields = Collections.unmodifiableMap(new TreeMap<>(fields == null ? Map.of() : fields));
    }

    @JsonCreator
    static Spec fromJson(Map<String, Object> fields) {
      return new Spec(fields);
    }

    @JsonValue
    Map<String, Object> json() {
      return fields;
    }

    public Spec with(String field, Object value) {
      if (FelixField.lookup(field).isEmpty()) {
        throw new IllegalArgumentException("FelixConfiguration has no field '" + field + "'");
      }
      Map<String, Object> copy = new LinkedHashMap<>(fields);
      if (value == null) {
        copy.remove(field);
      } else {
        copy.put(field, value);
      }
      return new Spec(copy);
    }

    public Optional<Boolean> bool(String field) {
      return Optional.ofNullable(fields.get(field)).map(v -> v instanceof Boolean b ? b : Boolean.parseBoolean(v.toString()));
    }

    public Optional<Long> integer(String field) {
      return Optional.ofNullable(fields.get(field)).map(v -> v instanceof Number n ? n.longValue() : Long.parseLong(v.toString()));
    }

    public Optional<String> string(String field) {
      return Optional.ofNullable(fields.get(field)).map(Object::toString);
    }

    public Optional<Duration> duration(String field) {
      return string(field).map(GoDuration::parse);
    }
  }

  @Override
  public FelixConfiguration withMetadata(ObjectMeta m) {
    return new FelixConfiguration(m, spec);
  }
}
