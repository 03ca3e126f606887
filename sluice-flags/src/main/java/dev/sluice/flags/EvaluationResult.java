package dev.sluice.flags;

import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The outcome of evaluating one flag, shaped like OpenFeature's resolution details: the value, the
 * variant it came from, the reason, an error code and message when it failed, and the flag's
 * metadata (the set's metadata overlaid with the flag's own, as flagd reports it).
 *
 * <p>When {@link #errorCode} is set, or the reason is {@link Reason#DISABLED}, or no variant
 * applied, {@link #value} is the caller's default and {@link #variant} is null.
 *
 * @param <T> the value type: Boolean, String, Long, Double or a Jackson JsonNode
 * @param flagKey the key of the flag evaluated
 * @param value the value to use
 * @param variant the variant name the value came from, or null
 * @param reason why this value was chosen
 * @param errorCode what went wrong, or null
 * @param errorMessage a sentence for people about what went wrong, or null
 * @param flagMetadata the flag's metadata (strings, booleans, Longs and Doubles), unmodifiable
 */
public record EvaluationResult<T>(
    String flagKey,
    T value,
    @Nullable String variant,
    Reason reason,
    @Nullable ErrorCode errorCode,
    @Nullable String errorMessage,
    Map<String, Object> flagMetadata) {

  /** True when evaluation failed and {@link #value} is the caller's default. */
  public boolean isError() {
    return errorCode != null;
  }
}
