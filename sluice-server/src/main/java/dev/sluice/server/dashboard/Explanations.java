package dev.sluice.server.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.flags.EvaluationContext;
import dev.sluice.flags.EvaluationResult;
import dev.sluice.flags.Flag;
import dev.sluice.flags.FlagConfig;
import org.jspecify.annotations.Nullable;

/** Why an evaluation chose what it did, in a sentence for the flags page's evaluate box. */
final class Explanations {
  private Explanations() {}

  static String why(EvaluationResult<JsonNode> r, @Nullable Flag flag, EvaluationContext context) {
    String env = context.environment() == null ? "" : " in environment " + context.environment();
    String variant = r.variant() == null ? "no variant" : "variant " + r.variant();
    if (r.errorCode() != null) {
      return "Evaluation failed ("
          + r.errorCode().name()
          + (r.errorMessage() == null ? "" : ": " + r.errorMessage())
          + "): the app's own default value is used.";
    }
    FlagConfig c = flag == null ? null : flag.config(context.environment());
    String fallback =
        c == null || c.defaultVariant().isEmpty()
            ? "the flag has no default variant, so the app's own default value is used"
            : "so the default variant " + c.defaultVariant().get() + " is served";
    return switch (r.reason()) {
      case STATIC -> "The flag has no targeting" + env + ": everyone gets " + variant + ".";
      case TARGETING_MATCH -> "A targeting rule" + env + " chose " + variant + " for this context.";
      case SPLIT ->
          "The percentage rollout"
              + env
              + " placed "
              + (context.targetingKey() == null
                  ? "this context's bucketing value"
                  : "targeting key \"" + context.targetingKey() + "\"")
              + " in the bucket of "
              + variant
              + "; the same key always lands in the same bucket.";
      case DEFAULT -> "The targeting rules" + env + " chose nothing, " + fallback + ".";
      case DISABLED -> "The flag is disabled" + env + ": the app's own default value is used.";
      case ERROR -> "Evaluation failed: the app's own default value is used.";
    };
  }
}
