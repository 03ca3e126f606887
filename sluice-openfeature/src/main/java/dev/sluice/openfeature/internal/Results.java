package dev.sluice.openfeature.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.openfeature.sdk.ErrorCode;
import dev.openfeature.sdk.ImmutableMetadata;
import dev.openfeature.sdk.MutableStructure;
import dev.openfeature.sdk.ProviderEvaluation;
import dev.openfeature.sdk.Value;
import dev.sluice.flags.EvaluationResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Turns the engine's results into OpenFeature's, and JSON into OpenFeature values and back. */
public final class Results {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private Results() {}

  /** The OpenFeature evaluation for an engine result with a value of the same type. */
  public static <T> ProviderEvaluation<T> of(EvaluationResult<?> r, T value) {
    return ProviderEvaluation.<T>builder()
        .value(value)
        .variant(r.variant())
        .reason(r.reason().name())
        .errorCode(r.errorCode() == null ? null : ErrorCode.valueOf(r.errorCode().name()))
        .errorMessage(r.errorMessage())
        .flagMetadata(metadata(r.flagMetadata()))
        .build();
  }

  /** A failed evaluation with the caller's default. */
  public static <T> ProviderEvaluation<T> failure(
      EvaluationResult<?> r, T defaultValue, ErrorCode code, String message) {
    return ProviderEvaluation.<T>builder()
        .value(defaultValue)
        .reason(dev.openfeature.sdk.Reason.ERROR.name())
        .errorCode(code)
        .errorMessage(message)
        .flagMetadata(metadata(r.flagMetadata()))
        .build();
  }

  static ImmutableMetadata metadata(Map<String, Object> metadata) {
    ImmutableMetadata.ImmutableMetadataBuilder b = ImmutableMetadata.builder();
    metadata.forEach(
        (k, v) -> {
          if (v instanceof String s) {
            b.addString(k, s);
          } else if (v instanceof Boolean bool) {
            b.addBoolean(k, bool);
          } else if (v instanceof Long l) {
            b.addLong(k, l);
          } else if (v instanceof Double d) {
            b.addDouble(k, d);
          }
        });
    return b.build();
  }

  /** An OpenFeature value for JSON. */
  public static Value value(JsonNode json) {
    return switch (json.getNodeType()) {
      case BOOLEAN -> new Value(json.booleanValue());
      case STRING -> new Value(json.textValue());
      case NUMBER ->
          json.canConvertToInt() && json.canConvertToExactIntegral()
              ? new Value(json.intValue())
              : new Value(json.doubleValue());
      case ARRAY -> {
        List<Value> list = new ArrayList<>();
        json.forEach(item -> list.add(value(item)));
        yield new Value(list);
      }
      case OBJECT -> {
        MutableStructure s = new MutableStructure();
        json.properties().forEach(e -> s.add(e.getKey(), value(e.getValue())));
        yield new Value(s);
      }
      default -> new Value();
    };
  }

  /** JSON for an OpenFeature value. */
  public static JsonNode json(@Nullable Value value) {
    if (value == null || value.isNull()) {
      return JSON.nullNode();
    }
    if (value.isBoolean()) {
      return JSON.booleanNode(value.asBoolean());
    }
    if (value.isString()) {
      return JSON.textNode(value.asString());
    }
    if (value.isNumber()) {
      Object n = value.asObject();
      return n instanceof Integer i ? JSON.numberNode(i) : JSON.numberNode(value.asDouble());
    }
    if (value.isInstant()) {
      return JSON.textNode(value.asInstant().toString());
    }
    if (value.isList()) {
      ArrayNode a = JSON.arrayNode();
      value.asList().forEach(v -> a.add(json(v)));
      return a;
    }
    ObjectNode o = JSON.objectNode();
    value.asStructure().asMap().forEach((k, v) -> o.set(k, json(v)));
    return o;
  }
}
