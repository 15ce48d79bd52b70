package org.calicoledger.model;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Reads and writes Calico v3 resources in Calico's JSON and YAML shapes.
 *
 * <p>Input from users is decoded strictly: duplicate keys, unknown fields, unknown kinds and a wrong {@code apiVersion}
 * are errors that name the document and the field. Values read back from etcd are decoded leniently, because Calico
 * releases newer than this model may have written fields it does not know.
 *
 * <p>Output follows calicoctl: YAML with keys sorted at every level and no leading {@code ---}; JSON with fields in
 * Calico's struct order and two-space indentation; stored values as compact JSON without {@code resourceVersion}.
 */
public final class ResourceCodec {
  private static final JsonMapper STRICT = JsonMapper.builder()
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .enable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
      .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
      .build();
  private static final ObjectMapper LENIENT = STRICT.copy()
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .disable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
      .disable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
  private static final YAMLMapper YAML = YAMLMapper.builder(YAMLFactory.builder()
          .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
          .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
          .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .stringQuotingChecker(new QuoteNumberLike())
          .build())
      .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
      .build();
  private static final DefaultPrettyPrinter PRETTY = new DefaultPrettyPrinter(
      Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER))
      .withArrayIndenter(DefaultIndenter.SYSTEM_LINEFEED_INSTANCE);

  private ResourceCodec() {}

  /**
   * Jackson quotes plain decimals only; YAML readers also take {@code 7e10293}, {@code 0x1f}, {@code 1_000} and
   * {@code .inf} as numbers, so a label or name that looks like one would come back changed. Quote those too.
   */
  private static final class QuoteNumberLike extends com.fasterxml.jackson.dataformat.yaml.util.StringQuotingChecker.Default {
    private static final long serialVersionUID = 1L;

    @Override
    public boolean needToQuoteValue(String value) {
      return super.needToQuoteValue(value)
          || org.yaml.snakeyaml.resolver.Resolver.INT.matcher(value).matches()
          || org.yaml.snakeyaml.resolver.Resolver.FLOAT.matcher(value).matches()
          || value.indexOf('\u0085') >= 0;
    }
  }

  /** One document of an input: its position, and the resource or why it was refused. */
  public record Document(String where, Resource resource, InvalidResourceException error) {
    public boolean ok() {
      return error == null;
    }
  }

  /**
   * Decodes every document of {@code text} (JSON, or YAML with {@code ---} separators; a {@code kind: List} or
   * {@code <Kind>List} expands into its items). A syntax error refuses the whole input; a bad document refuses only itself.
   *
   * @param source how to name the input in messages ({@code file.yaml}, {@code stdin})
   */
  public static List<Document> decodeAll(String text, String source) {
    List<JsonNode> roots = new ArrayList<>();
    List<Integer> lines = new ArrayList<>();
    String trimmed = text.stripLeading();
    ObjectMapper mapper = trimmed.startsWith("{") || trimmed.startsWith("[") ? STRICT : YAML;
    try (JsonParser p = mapper.createParser(text)) {
      while (p.nextToken() != null) {
        int line = p.currentTokenLocation().getLineNr();
        JsonNode doc = mapper.reader().without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).readTree(p);
        // a trailing or doubled "---" reads as an empty document (an empty string): skip it as kubectl does
        boolean empty = doc == null || doc.isNull() || doc.isMissingNode() || (doc.isTextual() && doc.asText().isEmpty());
        if (!empty) {
          lines.add(line);
          roots.add(doc);
        }
      }
    } catch (IOException | RuntimeException e) {
      throw new InvalidResourceException(source, "", syntaxMessage(e, mapper == YAML ? "YAML" : "JSON"));
    }
    List<Document> out = new ArrayList<>();
    for (int i = 0; i < roots.size(); i++) {
      String where = source + " document " + (i + 1) + " (line " + lines.get(i) + ")";
      JsonNode root = roots.get(i);
      if (root.isArray()) {
        expand(root, where, out);
      } else if (root.isObject() && isListKind(root.path("kind").asText())) {
        JsonNode items = root.get("items");
        if (items == null || !items.isArray()) {
          out.add(failed(where, "items", "a " + root.path("kind").asText() + " needs an items list"));
        } else {
          expand(items, where, out);
        }
      } else {
        out.add(decodeDocument(root, where));
      }
    }
    return out;
  }

  private static void expand(JsonNode items, String where, List<Document> out) {
    for (int j = 0; j < items.size(); j++) {
      out.add(decodeDocument(items.get(j), where + " item " + (j + 1)));
    }
  }

  private static boolean isListKind(String kind) {
    return kind.equals("List") || (kind.endsWith("List") && Kind.byKindName(kind.substring(0, kind.length() - 4)).isPresent());
  }

  private static Document failed(String where, String field, String message) {
    return new Document(where, null, new InvalidResourceException(where, field, message));
  }

  /** Decodes one resource object strictly; {@code where} names it in errors. */
  public static Document decodeDocument(JsonNode root, String where) {
    if (!root.isObject()) {
      return failed(where, "", "expected a resource (a mapping with kind, apiVersion, metadata, spec), got " + root.getNodeType());
    }
    String kindName = root.path("kind").asText("");
    String name = root.path("metadata").path("name").asText("");
    String named = where + (name.isEmpty() ? "" : " " + kindName + " \"" + name + "\"");
    if (kindName.isEmpty()) {
      return failed(named, "kind", "missing; one of " + Kind.knownKinds());
    }
    Kind kind = Kind.byKindName(kindName).orElse(null);
    if (kind == null) {
      return failed(named, "kind", "unknown kind '" + kindName + "'; known kinds: " + Kind.knownKinds());
    }
    String apiVersion = root.path("apiVersion").asText("");
    if (!Resource.API_VERSION.equals(apiVersion)) {
      return failed(named, "apiVersion", (apiVersion.isEmpty() ? "missing" : "'" + apiVersion + "' is not supported")
          + "; use " + Resource.API_VERSION);
    }
    ObjectNode body = ((ObjectNode) root).deepCopy();
    body.remove("kind");
    body.remove("apiVersion");
    try {
      return new Document(named, STRICT.treeToValue(body, kind.type()), null);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      return new Document(named, null, new InvalidResourceException(named, List.of(problem(e, kind))));
    }
  }

  /** Decodes a value stored in etcd; fields this model does not know are ignored. */
  public static Resource decodeStored(byte[] json, long modRevision) {
    try {
      JsonNode root = LENIENT.readTree(json);
      Kind kind = Kind.byKindName(root.path("kind").asText(""))
          .orElseThrow(() -> new IllegalArgumentException("stored value has unknown kind '" + root.path("kind").asText("")
              + "'"));
      ObjectNode body = ((ObjectNode) root).deepCopy();
      body.remove("kind");
      body.remove("apiVersion");
      Resource r = LENIENT.treeToValue(body, kind.type());
      ObjectMeta meta = r.metadata() == null ? ObjectMeta.named(null) : r.metadata();
      return r.withMetadata(meta.withResourceVersion(Long.toString(modRevision)));
    } catch (IOException e) {
      throw new IllegalArgumentException("stored value is not a Calico resource: " + (e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()), e);
    }
  }

  /** The value to store in etcd: compact JSON, {@code resourceVersion} left out (the mod revision is the version). */
  public static byte[] encodeStored(Resource r) {
    ObjectMeta m = r.metadata() == null ? ObjectMeta.named(null) : r.metadata();
    try {
      // written directly (not through a tree): this is on every write's path
      byte[] body = STRICT.writeValueAsBytes(r.withMetadata(m.withResourceVersion(null)));
      byte[] head = ("{\"kind\":\"" + r.kind().kindName() + "\",\"apiVersion\":\"" + Resource.API_VERSION + "\""
          + (body.length > 2 ? "," : "")).getBytes(StandardCharsets.UTF_8);
      byte[] out = new byte[head.length + body.length - 1];
      System.arraycopy(head, 0, out, 0, head.length);
      System.arraycopy(body, 1, out, head.length, body.length - 1);
      return out;
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode " + r.describe(), e);
    }
  }

  /** {@code {kind, apiVersion, metadata, spec[, status]}} in Calico's struct order. */
  public static ObjectNode tree(Resource r) {
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    out.put("kind", r.kind().kindName());
    out.put("apiVersion", Resource.API_VERSION);
    ObjectNode fields = STRICT.valueToTree(r);
    if (!fields.has("metadata")) {
      out.putObject("metadata");
    }
    out.setAll(fields);
    return out;
  }

  /** The list object calicoctl prints for {@code get KIND}: {@code kind: IPPoolList}, list resourceVersion, items. */
  public static ObjectNode listTree(Kind kind, List<? extends Resource> items, long revision) {
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    out.put("kind", kind.listKindName());
    out.put("apiVersion", Resource.API_VERSION);
    out.putObject("metadata").put("resourceVersion", Long.toString(revision));
    ArrayNode arr = out.putArray("items");
    items.forEach(r -> arr.add(tree(r)));
    return out;
  }

  public static String toJson(JsonNode node) {
    try {
      return STRICT.writer(PRETTY).writeValueAsString(node) + "\n";
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static String toJson(Resource r) {
    return toJson(tree(r));
  }

  /** YAML with keys sorted at every level, as calicoctl prints it. */
  public static String toYaml(JsonNode node) {
    try {
      return YAML.writeValueAsString(sorted(node));
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static String toYaml(Resource r) {
    return toYaml(tree(r));
  }

  /** Plain Java value of a JSON tree (maps, lists, scalars), for patches and field diffs. */
  public static Map<String, Object> toMap(JsonNode node) {
    return STRICT.convertValue(node, STRICT.getTypeFactory().constructMapType(Map.class, String.class, Object.class));
  }

  public static JsonNode parseJson(String json) {
    try {
      return STRICT.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not valid JSON: " + e.getOriginalMessage()
          + at(e.getLocation()), e);
    }
  }

  public static String compact(JsonNode node) {
    try {
      return STRICT.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static JsonNode readTree(byte[] json) {
    try {
      return LENIENT.readTree(json);
    } catch (IOException e) {
      throw new IllegalArgumentException("not JSON: " + new String(json, 0, Math.min(json.length, 80), StandardCharsets.UTF_8), e);
    }
  }

  private static JsonNode sorted(JsonNode node) {
    if (node.isObject()) {
      ObjectNode out = JsonNodeFactory.instance.objectNode();
      Map<String, JsonNode> byKey = new TreeMap<>();
      node.fields().forEachRemaining(e -> byKey.put(e.getKey(), e.getValue()));
      byKey.forEach((k, v) -> out.set(k, sorted(v)));
      return out;
    }
    if (node.isArray()) {
      ArrayNode out = JsonNodeFactory.instance.arrayNode();
      node.forEach(v -> out.add(sorted(v)));
      return out;
    }
    return node;
  }

  private static String syntaxMessage(Exception e, String format) {
    if (e instanceof JsonProcessingException j) {
      return "malformed " + format + at(j.getLocation()) + ": " + j.getOriginalMessage().lines().findFirst().orElse("");
    }
    return "malformed " + format + ": " + e.getMessage();
  }

  private static String at(JsonLocation loc) {
    return loc == null || loc.getLineNr() < 1 ? "" : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr();
  }

  private static InvalidResourceException.Problem problem(Exception e, Kind kind) {
    if (e instanceof UnrecognizedPropertyException u) {
      String path = path(u, u.getPropertyName());
      String allowed = u.getKnownPropertyIds() == null ? "" : u.getKnownPropertyIds().stream()
          .map(Object::toString).sorted().collect(Collectors.joining(", "));
      return new InvalidResourceException.Problem(path, "unknown field for " + kind.kindName()
          + (allowed.isEmpty() ? "" : "; allowed here: " + allowed));
    }
    if (e instanceof ValueInstantiationException v && v.getCause() != null) {
      return new InvalidResourceException.Problem(path(v, null), v.getCause().getMessage());
    }
    if (e instanceof InvalidFormatException f) {
      return new InvalidResourceException.Problem(path(f, null),
          "'" + f.getValue() + "' is not a valid " + typeName(f.getTargetType()));
    }
    if (e instanceof MismatchedInputException m) {
      return new InvalidResourceException.Problem(path(m, null), "expected " + typeName(m.getTargetType())
          + ", got " + m.getOriginalMessage().replaceFirst("(?s).*from (.*?) value.*", "$1").toLowerCase());
    }
    if (e instanceof JsonMappingException m) {
      Throwable root = m.getCause() != null ? m.getCause() : m;
      String msg = root instanceof JsonProcessingException j ? j.getOriginalMessage() : root.getMessage();
      return new InvalidResourceException.Problem(path(m, null), msg == null ? root.toString() : msg.lines().findFirst().orElse(""));
    }
    return new InvalidResourceException.Problem("", e.getMessage());
  }

  private static String typeName(Class<?> t) {
    if (t == null) {
      return "value";
    }
    if (t == int.class || t == Integer.class || t == long.class || t == Long.class) {
      return "whole number";
    }
    if (t == boolean.class || t == Boolean.class) {
      return "true or false";
    }
    if (t == String.class) {
      return "string";
    }
    if (List.class.isAssignableFrom(t)) {
      return "list";
    }
    if (Map.class.isAssignableFrom(t) || t.isRecord()) {
      return "mapping";
    }
    return t.getSimpleName();
  }

  private static String path(JsonMappingException e, String last) {
    StringBuilder sb = new StringBuilder();
    List<JsonMappingException.Reference> refs = e.getPath();
    for (int i = 0; i < refs.size(); i++) {
      JsonMappingException.Reference r = refs.get(i);
      if (r.getFieldName() != null) {
        if (last != null && i == refs.size() - 1 && r.getFieldName().equals(last)) {
          break;
        }
        sb.append(sb.length() == 0 ? "" : ".").append(r.getFieldName());
      } else if (r.getIndex() >= 0) {
        sb.append('[').append(r.getIndex()).append(']');
      }
    }
    if (last != null) {
      sb.append(sb.length() == 0 ? "" : ".").append(last);
    }
    return sb.toString();
  }
}
