package dev.sluice.server.flags;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.server.flags.FlagEditException.Kind;
import io.javalin.http.Context;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Reads the JSON bodies and query parameters of flag API calls; a bad one is refused with a message
 * that names the field, the value and what was expected, e.g. {@code request body: environment: 42
 * (expected: an environment name)}.
 */
final class Requests {
  /** Rejects duplicate keys, which a lenient reader would silently resolve. */
  static final ObjectMapper STRICT =
      new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  private Requests() {}

  /** The body as JSON; an empty body is {@code {}}. */
  static JsonNode json(String body) {
    if (body.isBlank()) {
      return STRICT.createObjectNode();
    }
    try {
      return STRICT.readTree(body);
    } catch (JsonProcessingException e) {
      throw new FlagEditException(
          Kind.INVALID,
          "request body: line "
              + e.getLocation().getLineNr()
              + ", column "
              + e.getLocation().getColumnNr()
              + ": "
              + e.getOriginalMessage()
              + " (expected: well-formed JSON)");
    }
  }

  /** The body as a JSON object with only the {@code allowed} fields. */
  static ObjectNode object(String body, String expected, String... allowed) {
    JsonNode json = json(body);
    if (!(json instanceof ObjectNode o)) {
      throw new FlagEditException(
          Kind.INVALID, "request body: " + describe(json) + " (expected: " + expected + ")");
    }
    List<String> names = List.of(allowed);
    for (java.util.Map.Entry<String, JsonNode> e : o.properties()) {
      String field = e.getKey();
      if (!names.contains(field)) {
        throw new FlagEditException(
            Kind.INVALID,
            "request body: "
                + field
                + ": unknown field (expected: "
                + (names.isEmpty() ? "no fields" : "one of " + String.join(", ", names))
                + ")");
      }
    }
    return o;
  }

  /** A string field; null when absent or null. */
  static @Nullable String string(ObjectNode body, String field, String expected) {
    JsonNode v = body.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isTextual() || v.textValue().isEmpty()) {
      throw new FlagEditException(
          Kind.INVALID,
          "request body: " + field + ": " + describe(v) + " (expected: " + expected + ")");
    }
    return v.textValue();
  }

  /** The optional {@code environment} field of an edit. */
  static @Nullable String environment(ObjectNode body) {
    return string(body, "environment", "an environment name, or null for every environment");
  }

  /** A whole-number query parameter of 0 or more; {@code def} when absent. */
  static @Nullable Long longParam(Context ctx, String name, @Nullable Long def) {
    String s = ctx.queryParam(name);
    if (s == null || s.isEmpty()) {
      return def;
    }
    try {
      long v = Long.parseLong(s);
      if (v >= 0) {
        return v;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new FlagEditException(
        Kind.INVALID, name + ": \"" + s + "\" (expected: a whole number 0 or more)");
  }

  /** A boolean query parameter ({@code true} or {@code false}); false when absent. */
  static boolean boolParam(Context ctx, String name) {
    String s = ctx.queryParam(name);
    if (s == null || s.isEmpty() || s.equals("false")) {
      return false;
    }
    if (s.equals("true")) {
      return true;
    }
    throw new FlagEditException(Kind.INVALID, name + ": \"" + s + "\" (expected: true or false)");
  }

  static String describe(JsonNode v) {
    return switch (v.getNodeType()) {
      case OBJECT -> "an object";
      case ARRAY -> "an array";
      case STRING -> v.toString();
      default -> v.toString().toLowerCase(Locale.ROOT);
    };
  }
}
