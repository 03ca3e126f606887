package dev.sluice.flags.internal;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.flags.FlagState;
import dev.sluice.flags.InvalidFlagSetException;
import dev.sluice.flags.VariantType;
import dev.sluice.flags.internal.flagd.FlagdOperations;
import dev.sluice.flags.internal.logic.Compiler;
import dev.sluice.flags.internal.logic.Node;
import dev.sluice.flags.internal.logic.Path;
import dev.sluice.flags.internal.logic.Problems;
import java.io.IOException;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Reads a flag set document in flagd's format (flagd-schemas {@code json/flags.json}), checks it
 * against the schema's rules and Sluice's extensions, compiles every rule, and either returns the
 * finished set or throws with every problem found. Nothing is half-built: callers get a complete
 * set or an exception.
 *
 * <p>Checked, after flagd's schema: {@code flags} is an object of flags with non-empty keys; a flag
 * has {@code state} ENABLED or DISABLED, a non-empty {@code variants} object whose values share one
 * type (boolean, string, number within +/-(2^53-1) when whole, or object), an optional {@code
 * defaultVariant} that is null or names a variant, optional {@code targeting} (a JSON Logic rule;
 * {@code {}} means none), optional {@code metadata} with string, number or boolean values; {@code
 * $evaluators} holds rules; set-level {@code metadata} as for flags. Other flag fields (a {@code
 * description}, say) are kept as they are. Beyond the schema: rules are compiled and checked
 * operation by operation, {@code $ref}s must resolve, literal variant names a rule can return must
 * exist, and the extensions {@code environments}, {@code metadata.owner} and {@code
 * metadata.expires} are checked.
 */
public final class FlagSetParser {
  /** The largest whole number JSON tools agree on (JavaScript's Number.MAX_SAFE_INTEGER). */
  private static final long MAX_SAFE_INTEGER = 9007199254740991L;

  private static final Pattern ENVIRONMENT_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
  private static final Set<String> OVERRIDABLE = Set.of("state", "defaultVariant", "targeting");

  private static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
          .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  private static final Map<String, Compiler.Operation> OPERATIONS = operations();

  private final Problems problems = Problems.collecting();

  private FlagSetParser() {}

  private static Map<String, Compiler.Operation> operations() {
    Map<String, Compiler.Operation> ops = Compiler.standardOperations();
    FlagdOperations.register(ops);
    return Collections.unmodifiableMap(ops);
  }

  /** The JSON mapper used for flag documents. */
  public static ObjectMapper mapper() {
    return MAPPER;
  }

  /**
   * Parses and validates {@code document}; throws {@link InvalidFlagSetException} with every
   * problem.
   */
  public static ParsedFlagSet parse(byte[] document) {
    JsonNode root;
    try {
      root = MAPPER.readTree(document);
    } catch (JsonProcessingException e) {
      throw syntax(e);
    } catch (IOException e) {
      // Not a parse error but bytes Jackson cannot decode as text, e.g. a document its encoding
      // detection takes for UTF-32 (found by fuzzing): bad input all the same.
      Problems p = Problems.collecting();
      p.add(
          Path.place("(document)"),
          String.valueOf(e.getMessage()).replace('\n', ' '),
          "well-formed JSON in UTF-8");
      throw new InvalidFlagSetException(p.list());
    }
    if (root == null || root.isMissingNode()) {
      Problems p = Problems.collecting();
      p.add(Path.place("(document)"), "empty", "a JSON object with \"flags\"");
      throw new InvalidFlagSetException(p.list());
    }
    return parse(root);
  }

  /** Validates an already parsed document. */
  public static ParsedFlagSet parse(JsonNode document) {
    return new FlagSetParser().read(document.deepCopy());
  }

  private static InvalidFlagSetException syntax(JsonProcessingException e) {
    JsonLocation at = e.getLocation();
    String where =
        at == null ? "(document)" : "line " + at.getLineNr() + ", column " + at.getColumnNr();
    Problems p = Problems.collecting();
    p.add(Path.place(where), e.getOriginalMessage().replace('\n', ' '), "well-formed JSON");
    return new InvalidFlagSetException(p.list());
  }

  private ParsedFlagSet read(JsonNode root) {
    if (!root.isObject()) {
      problems.add(Path.place("(document)"), root, "a JSON object with \"flags\"");
      throw new InvalidFlagSetException(problems.list());
    }
    Map<String, Object> setMetadata = metadata(root.get("metadata"), Path.root("metadata"), false);

    Map<String, JsonNode> evaluatorJson = new LinkedHashMap<>();
    JsonNode evaluators = root.get("$evaluators");
    if (evaluators != null && !evaluators.isNull()) {
      if (!evaluators.isObject()) {
        problems.add(Path.root("$evaluators"), evaluators, "an object of shared rules by name");
      } else {
        evaluators.properties().forEach(e -> evaluatorJson.put(e.getKey(), e.getValue()));
      }
    }
    SharedRules shared = new SharedRules(evaluatorJson, OPERATIONS, problems);
    shared.compileAll();

    Map<String, CompiledFlag> flags = new TreeMap<>();
    JsonNode flagsJson = root.get("flags");
    if (flagsJson == null) {
      problems.missing(Path.root("flags"), "an object of flags by key");
    } else if (!flagsJson.isObject()) {
      problems.add(Path.root("flags"), flagsJson, "an object of flags by key");
    } else {
      flagsJson
          .properties()
          .forEach(
              e -> {
                CompiledFlag flag = flag(e.getKey(), e.getValue(), shared, setMetadata, root);
                if (flag != null) {
                  flags.put(e.getKey(), flag);
                }
              });
    }
    if (!problems.isEmpty()) {
      throw new InvalidFlagSetException(problems.list());
    }
    return new ParsedFlagSet(root, flags, setMetadata, CanonicalJson.sha256(root));
  }

  private @Nullable CompiledFlag flag(
      String key,
      JsonNode json,
      SharedRules shared,
      Map<String, Object> setMetadata,
      JsonNode root) {
    Path path = Path.root("flags").key(key);
    if (key.isEmpty()) {
      problems.add(path, "\"\"", "a non-empty flag key");
    }
    if (!json.isObject()) {
      problems.add(path, json, "a flag object with state, variants and defaultVariant");
      return null;
    }
    int before = problems.list().size();

    FlagState state = state(json.get("state"), path.key("state"), true);
    Map<String, JsonNode> variants = new LinkedHashMap<>();
    VariantType type = variants(json.get("variants"), path.key("variants"), variants);
    List<String> names = List.copyOf(variants.keySet());

    String defaultVariant =
        defaultVariant(json.get("defaultVariant"), path.key("defaultVariant"), names);
    JsonNode targetingJson = json.get("targeting");
    Node targeting = targeting(targetingJson, path.key("targeting"), shared, names);
    Plan base =
        new Plan(
            state == null ? FlagState.ENABLED : state,
            defaultVariant,
            defaultVariant == null ? -1 : names.indexOf(defaultVariant),
            targeting,
            targeting == null ? null : targetingJson);

    Map<String, Object> metadata = metadata(json.get("metadata"), path.key("metadata"), true);
    String owner = metadata.get("owner") instanceof String s ? s : null;
    LocalDate expires = null;
    if (metadata.get("expires") instanceof String s) {
      try {
        expires = LocalDate.parse(s);
      } catch (DateTimeParseException e) {
        // reported by metadata()
      }
    }
    Map<String, Plan> environments =
        environments(json.get("environments"), path.key("environments"), base, shared, names);

    if (problems.list().size() != before || type == null) {
      return null;
    }
    Map<String, Object> reported = new LinkedHashMap<>();
    setMetadata.forEach(
        (k, v) -> {
          if (!k.startsWith("$")) {
            reported.put(k, v);
          }
        });
    reported.putAll(metadata);
    List<JsonNode> parts = new ArrayList<>();
    parts.add(json);
    parts.add(root.path("metadata"));
    for (String ref : shared.referencedBy(json)) {
      parts.add(shared.raw(ref));
    }
    String fingerprint = CanonicalJson.sha256(parts.toArray(new JsonNode[0]));
    return new CompiledFlag(
        key,
        json,
        type,
        Collections.unmodifiableMap(variants),
        base,
        environments,
        metadata,
        Collections.unmodifiableMap(reported),
        owner,
        expires,
        fingerprint);
  }

  private @Nullable FlagState state(@Nullable JsonNode json, Path path, boolean required) {
    if (json == null) {
      if (required) {
        problems.missing(path, "ENABLED or DISABLED");
      }
      return null;
    }
    if (json.isTextual()) {
      switch (json.textValue()) {
        case "ENABLED":
          return FlagState.ENABLED;
        case "DISABLED":
          return FlagState.DISABLED;
        default:
          break;
      }
    }
    problems.add(path, json, "ENABLED or DISABLED");
    return null;
  }

  private @Nullable VariantType variants(
      @Nullable JsonNode json, Path path, Map<String, JsonNode> out) {
    if (json == null) {
      problems.missing(path, "an object of variant values by name");
      return null;
    }
    if (!json.isObject() || json.isEmpty()) {
      problems.add(
          path, json, "an object with at least one variant, e.g. {\"on\": true, \"off\": false}");
      return null;
    }
    VariantType type = null;
    String first = null;
    boolean ok = true;
    for (Map.Entry<String, JsonNode> e : json.properties()) {
      String name = e.getKey();
      JsonNode value = e.getValue();
      Path at = path.key(name);
      if (name.isEmpty()) {
        problems.add(at, "\"\"", "a non-empty variant name");
        ok = false;
        continue;
      }
      VariantType t = typeOf(value);
      if (t == null) {
        problems.add(at, value, "a boolean, string, number or object");
        ok = false;
        continue;
      }
      if (t == VariantType.NUMBER && value.isIntegralNumber() && !safe(value)) {
        problems.add(
            at, value, "a whole number from -" + MAX_SAFE_INTEGER + " to " + MAX_SAFE_INTEGER);
        ok = false;
      }
      if (type == null) {
        type = t;
        first = name;
      } else if (t != type) {
        problems.add(
            at, value, article(type) + " like variant " + first + " (all variants share one type)");
        ok = false;
        continue;
      }
      out.put(name, value);
    }
    return ok ? type : null;
  }

  private static boolean safe(JsonNode value) {
    return value.canConvertToLong() && Math.abs(value.longValue()) <= MAX_SAFE_INTEGER;
  }

  private static String article(VariantType type) {
    return switch (type) {
      case BOOLEAN -> "a boolean";
      case STRING -> "a string";
      case NUMBER -> "a number";
      case OBJECT -> "an object";
    };
  }

  private static @Nullable VariantType typeOf(JsonNode value) {
    return switch (value.getNodeType()) {
      case BOOLEAN -> VariantType.BOOLEAN;
      case STRING -> VariantType.STRING;
      case NUMBER -> VariantType.NUMBER;
      case OBJECT -> VariantType.OBJECT;
      default -> null;
    };
  }

  private @Nullable String defaultVariant(
      @Nullable JsonNode json, Path path, List<String> variants) {
    if (json == null || json.isNull()) {
      return null;
    }
    if (json.isTextual() && variants.contains(json.textValue())) {
      return json.textValue();
    }
    if (variants.isEmpty()) {
      if (!json.isTextual()) {
        problems.add(path, json, "a variant name or null");
      }
      return null;
    }
    problems.add(path, json, "one of the variants: " + String.join(", ", variants));
    return null;
  }

  private @Nullable Node targeting(
      @Nullable JsonNode json, Path path, SharedRules shared, List<String> variants) {
    if (json == null || json.isNull()) {
      return null;
    }
    if (!json.isObject()) {
      problems.add(path, json, "a JSON Logic rule object, or {} for none");
      return null;
    }
    if (json.isEmpty()) {
      return null;
    }
    return new Compiler(OPERATIONS, shared, problems, variants.isEmpty() ? null : variants)
        .compileRule(json, path);
  }

  private Map<String, Object> metadata(@Nullable JsonNode json, Path path, boolean lifecycle) {
    if (json == null || json.isNull()) {
      return Map.of();
    }
    if (!json.isObject()) {
      problems.add(path, json, "an object of strings, numbers and booleans");
      return Map.of();
    }
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : json.properties()) {
      JsonNode v = e.getValue();
      Path at = path.key(e.getKey());
      if (v.isTextual()) {
        out.put(e.getKey(), v.textValue());
      } else if (v.isBoolean()) {
        out.put(e.getKey(), v.booleanValue());
      } else if (v.isIntegralNumber() && v.canConvertToLong()) {
        out.put(e.getKey(), v.longValue());
      } else if (v.isNumber()) {
        out.put(e.getKey(), v.doubleValue());
      } else {
        problems.add(at, v, "a string, number or boolean");
        continue;
      }
      if (lifecycle && e.getKey().equals("owner") && (!v.isTextual() || v.textValue().isBlank())) {
        problems.add(at, v, "the owning team's name, e.g. \"team-checkout\"");
      }
      if (lifecycle && e.getKey().equals("expires") && !isDate(v)) {
        problems.add(at, v, "a date as YYYY-MM-DD, e.g. \"2026-12-31\"");
      }
    }
    return Collections.unmodifiableMap(out);
  }

  private static boolean isDate(JsonNode v) {
    if (!v.isTextual() || !v.textValue().matches("\\d{4}-\\d{2}-\\d{2}")) {
      return false;
    }
    try {
      LocalDate.parse(v.textValue());
      return true;
    } catch (DateTimeParseException e) {
      return false;
    }
  }

  private Map<String, Plan> environments(
      @Nullable JsonNode json, Path path, Plan base, SharedRules shared, List<String> variants) {
    if (json == null || json.isNull()) {
      return Map.of();
    }
    if (!json.isObject()) {
      problems.add(path, json, "an object of overrides by environment name");
      return Map.of();
    }
    Map<String, Plan> out = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : json.properties()) {
      String env = e.getKey();
      JsonNode override = e.getValue();
      Path at = path.key(env);
      if (!ENVIRONMENT_NAME.matcher(env).matches()) {
        problems.add(
            at, "\"" + env + "\"", "an environment name of letters, digits, '.', '_' and '-'");
        continue;
      }
      if (!override.isObject()) {
        problems.add(at, override, "an object overriding state, defaultVariant or targeting");
        continue;
      }
      for (String field : (Iterable<String>) override::fieldNames) {
        if (!OVERRIDABLE.contains(field)) {
          problems.add(
              at.key(field),
              override.get(field),
              "one of the overridable fields: state, defaultVariant, targeting");
        }
      }
      FlagState state =
          override.has("state")
              ? state(override.get("state"), at.key("state"), true)
              : base.state();
      String defaultVariant =
          override.has("defaultVariant")
              ? defaultVariant(override.get("defaultVariant"), at.key("defaultVariant"), variants)
              : base.defaultVariant();
      Node targeting = base.targeting();
      JsonNode targetingJson = base.targetingJson();
      if (override.has("targeting")) {
        targetingJson = override.get("targeting");
        targeting = targeting(targetingJson, at.key("targeting"), shared, variants);
        if (targeting == null) {
          targetingJson = null;
        }
      }
      out.put(
          env,
          new Plan(
              state == null ? base.state() : state,
              defaultVariant,
              defaultVariant == null ? -1 : variants.indexOf(defaultVariant),
              targeting,
              targetingJson));
    }
    return Collections.unmodifiableMap(out);
  }

  /** A new, empty object node. */
  static ObjectNode object() {
    return MAPPER.createObjectNode();
  }
}
