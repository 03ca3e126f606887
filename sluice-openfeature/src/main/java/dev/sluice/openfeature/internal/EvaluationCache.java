package dev.sluice.openfeature.internal;

import dev.openfeature.sdk.ProviderEvaluation;
import dev.sluice.flags.EvaluationResult;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * OpenFeature evaluations already built for the engine's results, so that a successful evaluation
 * through the provider allocates no new {@link ProviderEvaluation} and no new metadata.
 *
 * <p>The engine hands out the same {@link EvaluationResult} object for every successful evaluation
 * of a flag with one variant and reason, until the flag set changes (see {@code FlagEvaluator}).
 * This cache maps those objects, by identity, to the OpenFeature evaluation built from them: a few
 * entries per flag key (a variant per reason), looked up by key and then compared by identity. A
 * new flag set brings new result objects, which simply miss; their flag's entries are then
 * replaced. Races lose at most an entry, never mix one up: each flag's entries are an immutable
 * pair of arrays swapped whole.
 *
 * <p>The OpenFeature SDK only reads a provider's evaluations ({@code FlagEvaluationDetails.from});
 * a caller that calls the provider directly must not change what it returns.
 */
public final class EvaluationCache {
  /** More rows than a flag can have in practice: 4 reasons for each of 8 variants. */
  private static final int MAX_PER_FLAG = 32;

  private final ConcurrentHashMap<String, Entries> byFlag = new ConcurrentHashMap<>();

  private record Entries(EvaluationResult<?>[] results, ProviderEvaluation<?>[] evaluations) {}

  /** The evaluation cached for exactly this result object, or null. */
  @SuppressWarnings("unchecked") // an entry's evaluation was built from its result, for its type
  public <T> @Nullable ProviderEvaluation<T> find(EvaluationResult<?> result) {
    Entries e = byFlag.get(result.flagKey());
    if (e == null) {
      return null;
    }
    EvaluationResult<?>[] results = e.results();
    for (int i = 0; i < results.length; i++) {
      if (results[i] == result) {
        return (ProviderEvaluation<T>) e.evaluations()[i];
      }
    }
    return null;
  }

  /**
   * Remembers {@code evaluation} for {@code result}, which must be one of the engine's reused
   * results (a successful evaluation of a non-object flag).
   */
  public void put(EvaluationResult<?> result, ProviderEvaluation<?> evaluation) {
    byFlag.compute(
        result.flagKey(),
        (key, old) -> {
          if (old == null) {
            return new Entries(
                new EvaluationResult<?>[] {result}, new ProviderEvaluation<?>[] {evaluation});
          }
          int n = old.results().length;
          // Entries of an older flag set (told apart by their metadata map, where it is not the
          // shared empty one) never hit again: start over rather than keep them.
          boolean stale = old.results()[0].flagMetadata() != result.flagMetadata();
          if (stale || n >= MAX_PER_FLAG) {
            return new Entries(
                new EvaluationResult<?>[] {result}, new ProviderEvaluation<?>[] {evaluation});
          }
          EvaluationResult<?>[] results = Arrays.copyOf(old.results(), n + 1);
          ProviderEvaluation<?>[] evaluations = Arrays.copyOf(old.evaluations(), n + 1);
          results[n] = result;
          evaluations[n] = evaluation;
          return new Entries(results, evaluations);
        });
  }
}
