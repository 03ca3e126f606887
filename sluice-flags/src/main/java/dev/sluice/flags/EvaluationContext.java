package dev.sluice.flags;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.temporal.TemporalAccessor;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The facts about one subject (user, request, device) that targeting rules look at: a targeting
 * key, an optional environment and named attributes.
 *
 * <pre>{@code
 * EvaluationContext ctx = EvaluationContext.builder()
 *     .targetingKey("user-42")
 *     .environment("production")
 *     .set("email", "ada@example.com")
 *     .set("plan", "pro")
 *     .build();
 * }</pre>
 *
 * <p>Attribute values are JSON-like: strings, booleans, numbers, lists, maps and null, as rules see
 * them through {@code {"var": ...}}. Numbers are held as doubles, as in JSON Logic. A value of any
 * other type does not throw: the context is marked invalid, and evaluations that run targeting
 * against it answer with {@link ErrorCode#INVALID_CONTEXT}. The same holds for a non-string {@code
 * targetingKey} or {@code environment} attribute.
 *
 * <p>The attributes {@code targetingKey} and {@code environment} are special: the first sets the
 * targeting key, the second selects the flag environment unless {@link Builder#environment} set one
 * explicitly (the server passes the environment of the client's token that way, and it wins).
 * Contexts are immutable and safe to share.
 */
public final class EvaluationContext {
  /** The attribute name that carries the targeting key, as in OpenFeature and flagd. */
  public static final String TARGETING_KEY = "targetingKey";

  /** The attribute name that selects the flag environment when none is given explicitly. */
  public static final String ENVIRONMENT = "environment";

  private static final EvaluationContext EMPTY = new EvaluationContext(null, null, Map.of(), null);

  private final @Nullable String targetingKey;
  private final @Nullable String environment;
  private final Map<String, @Nullable Object> attributes;
  private final @Nullable String problem;

  private EvaluationContext(
      @Nullable String targetingKey,
      @Nullable String environment,
      Map<String, @Nullable Object> attributes,
      @Nullable String problem) {
    this.targetingKey = targetingKey;
    this.environment = environment;
    this.attributes = attributes;
    this.problem = problem;
  }

  /** A context with no targeting key, environment or attributes. */
  public static EvaluationContext empty() {
    return EMPTY;
  }

  /** A context with only a targeting key. */
  public static EvaluationContext of(String targetingKey) {
    return builder().targetingKey(targetingKey).build();
  }

  /** A builder for a new context. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A context from a map of attributes, for example the {@code context} object of an OFREP request
   * or an OpenFeature context turned into a map. {@code targetingKey} and {@code environment}
   * entries are honoured as described in the class comment.
   */
  public static EvaluationContext fromMap(Map<String, ? extends @Nullable Object> attributes) {
    Builder builder = builder();
    attributes.forEach(builder::set);
    return builder.build();
  }

  /** A context from a JSON object; anything but an object gives an invalid context. */
  public static EvaluationContext fromJson(JsonNode json) {
    Builder builder = builder();
    if (!json.isObject()) {
      builder.problem = "the context is " + json.getNodeType() + ", not an object";
      return builder.build();
    }
    json.properties().forEach(e -> builder.set(e.getKey(), e.getValue()));
    return builder.build();
  }

  /** The targeting key, or null when none was given. */
  public @Nullable String targetingKey() {
    return targetingKey;
  }

  /** The environment whose flag definitions apply, or null for the flags' base definitions. */
  public @Nullable String environment() {
    return environment;
  }

  /** The attribute's value, or null when it is absent or null (see {@link #has}). */
  public @Nullable Object attribute(String name) {
    return attributes.get(name);
  }

  /** True when the attribute is present, even with a null value. */
  public boolean has(String name) {
    return attributes.containsKey(name);
  }

  /** All attributes, unmodifiable; the targeting key is not among them. */
  public Map<String, @Nullable Object> attributes() {
    return Collections.unmodifiableMap(attributes);
  }

  /** Why this context cannot be used for targeting, or null when it can. */
  public @Nullable String problem() {
    return problem;
  }

  /** A builder that starts with this context's content. */
  public Builder toBuilder() {
    Builder builder = builder();
    builder.targetingKey = targetingKey;
    builder.explicitEnvironment = environment;
    builder.attributes.putAll(attributes);
    builder.problem = problem;
    return builder;
  }

  @Override
  public String toString() {
    return "EvaluationContext[targetingKey="
        + targetingKey
        + ", environment="
        + environment
        + ", attributes="
        + attributes
        + (problem == null ? "" : ", problem=" + problem)
        + "]";
  }

  /** Collects the content of a context; not thread-safe, reusable after {@link #build}. */
  public static final class Builder {
    private @Nullable String targetingKey;
    private @Nullable String explicitEnvironment;
    private final Map<String, @Nullable Object> attributes = new HashMap<>();
    private @Nullable String problem;

    private Builder() {}

    /** Sets the targeting key used by {@code fractional} and visible as {@code targetingKey}. */
    public Builder targetingKey(@Nullable String targetingKey) {
      this.targetingKey = targetingKey;
      return this;
    }

    /**
     * Selects the environment explicitly; it wins over an {@code environment} attribute and is
     * visible to rules as that attribute.
     */
    public Builder environment(@Nullable String environment) {
      this.explicitEnvironment = environment;
      return this;
    }

    /** Sets a string attribute. */
    public Builder set(String name, @Nullable String value) {
      return set(name, (Object) value);
    }

    /** Sets a boolean attribute. */
    public Builder set(String name, boolean value) {
      return set(name, (Object) value);
    }

    /** Sets a numeric attribute; JSON Logic numbers are doubles. */
    public Builder set(String name, long value) {
      return set(name, (Object) (double) value);
    }

    /** Sets a numeric attribute. */
    public Builder set(String name, double value) {
      return set(name, (Object) value);
    }

    /**
     * Sets an attribute of any JSON-like type: null, String, Boolean, Number, List, Map, a Jackson
     * JsonNode, or a java.time value (kept as its ISO-8601 text). Other types mark the context
     * invalid.
     */
    public Builder set(String name, @Nullable Object value) {
      Object normalized;
      try {
        normalized = normalize(value, name);
      } catch (IllegalArgumentException e) {
        if (problem == null) {
          problem = e.getMessage();
        }
        return this;
      }
      if (TARGETING_KEY.equals(name)) {
        if (normalized == null || normalized instanceof String) {
          targetingKey = (String) normalized;
        } else if (problem == null) {
          problem = "targetingKey: " + describe(normalized) + " (expected: a string)";
        }
        return this;
      }
      attributes.put(name, normalized);
      return this;
    }

    /** The context; the builder may be reused afterwards. */
    public EvaluationContext build() {
      Map<String, @Nullable Object> copy = new HashMap<>(attributes);
      String environment = explicitEnvironment;
      String problem = this.problem;
      if (environment != null) {
        copy.put(ENVIRONMENT, environment);
      } else {
        Object attribute = copy.get(ENVIRONMENT);
        if (attribute instanceof String s) {
          environment = s;
        } else if (attribute != null && problem == null) {
          problem = "environment: " + describe(attribute) + " (expected: a string)";
        }
      }
      return new EvaluationContext(targetingKey, environment, copy, problem);
    }

    private static String describe(Object value) {
      return value instanceof Double d && d == Math.rint(d)
          ? Long.toString(d.longValue())
          : "" + value;
    }

    private static @Nullable Object normalize(@Nullable Object value, String path) {
      if (value == null || value instanceof String || value instanceof Boolean) {
        return value;
      }
      if (value instanceof Number n) {
        return n instanceof Double ? n : n.doubleValue();
      }
      if (value instanceof CharSequence cs) {
        return cs.toString();
      }
      if (value instanceof JsonNode json) {
        return fromJson(json, path);
      }
      if (value instanceof TemporalAccessor) {
        return value.toString();
      }
      if (value instanceof Map<?, ?> map) {
        Map<String, @Nullable Object> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
          if (!(e.getKey() instanceof String key)) {
            throw new IllegalArgumentException(
                path + ": a map key of type " + typeName(e.getKey()) + " (expected: string keys)");
          }
          out.put(key, normalize(e.getValue(), path + "." + key));
        }
        return Collections.unmodifiableMap(out);
      }
      if (value instanceof Collection<?> list) {
        List<@Nullable Object> out = new ArrayList<>(list.size());
        int i = 0;
        for (Object item : list) {
          out.add(normalize(item, path + "[" + i++ + "]"));
        }
        return Collections.unmodifiableList(out);
      }
      throw new IllegalArgumentException(
          path
              + ": a "
              + typeName(value)
              + " (expected: a string, number, boolean, list, map or null)");
    }

    private static String typeName(@Nullable Object value) {
      return value == null ? "null" : value.getClass().getName();
    }

    private static @Nullable Object fromJson(JsonNode json, String path) {
      return switch (json.getNodeType()) {
        case NULL, MISSING -> null;
        case BOOLEAN -> json.booleanValue();
        case NUMBER -> json.doubleValue();
        case STRING -> json.textValue();
        case ARRAY -> {
          List<@Nullable Object> out = new ArrayList<>(json.size());
          for (int i = 0; i < json.size(); i++) {
            out.add(fromJson(json.get(i), path + "[" + i + "]"));
          }
          yield Collections.unmodifiableList(out);
        }
        case OBJECT -> {
          Map<String, @Nullable Object> out = new LinkedHashMap<>();
          json.properties()
              .forEach(e -> out.put(e.getKey(), fromJson(e.getValue(), path + "." + e.getKey())));
          yield Collections.unmodifiableMap(out);
        }
        case BINARY, POJO ->
            throw new IllegalArgumentException(
                path + ": a " + json.getNodeType() + " JSON node (expected: plain JSON)");
      };
    }
  }
}
