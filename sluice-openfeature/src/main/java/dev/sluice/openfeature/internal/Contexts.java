package dev.sluice.openfeature.internal;

import dev.sluice.flags.EvaluationContext;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Turns OpenFeature evaluation contexts into the engine's. */
public final class Contexts {
  private Contexts() {}

  /**
   * The engine's context for an OpenFeature one: the targeting key and every attribute (nested
   * structures as maps and lists, instants as ISO-8601 text), with {@code environment} forced when
   * the token names one, as the server does.
   */
  public static EvaluationContext of(
      dev.openfeature.sdk.@Nullable EvaluationContext context, @Nullable String environment) {
    EvaluationContext.Builder b = EvaluationContext.builder();
    if (context != null) {
      Map<String, Object> attributes = context.asObjectMap();
      attributes.forEach(b::set);
      String key = context.getTargetingKey();
      if (key != null && !key.isEmpty()) {
        b.targetingKey(key);
      }
    }
    if (environment != null) {
      b.environment(environment);
    }
    return b.build();
  }
}
