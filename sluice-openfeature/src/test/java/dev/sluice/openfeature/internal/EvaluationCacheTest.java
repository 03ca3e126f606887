package dev.sluice.openfeature.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.openfeature.sdk.ProviderEvaluation;
import dev.sluice.flags.EvaluationContext;
import dev.sluice.flags.EvaluationResult;
import dev.sluice.flags.FlagEvaluator;
import dev.sluice.flags.FlagSet;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Evaluations are found by the identity of the engine's result, never by an equal one. */
class EvaluationCacheTest {
  private static final String FLAGS =
      """
      {"flags": {"f": {"state": "ENABLED", "variants": {"on": true, "off": false},
                       "defaultVariant": "%s", "metadata": {"team": "%s"}}}}
      """;

  private final EvaluationCache cache = new EvaluationCache();

  private static EvaluationResult<Boolean> evaluate(FlagSet set) {
    return FlagEvaluator.of(set, Clock.systemUTC())
        .booleanValue("f", false, EvaluationContext.empty());
  }

  @Test
  void theSameResultObjectFindsItsEvaluation() {
    FlagSet set = FlagSet.parse(FLAGS.formatted("on", "a"));
    EvaluationResult<Boolean> r = evaluate(set);
    ProviderEvaluation<Boolean> built = Results.of(r, r.value());

    assertThat(cache.<Boolean>find(r)).isNull();
    cache.put(r, built);

    assertThat(evaluate(set)).isSameAs(r); // the engine reuses its result
    assertThat(cache.<Boolean>find(evaluate(set))).isSameAs(built);
    assertThat(built.getValue()).isTrue();
    assertThat(built.getFlagMetadata().getString("team")).isEqualTo("a");
  }

  @Test
  void anEqualResultOfAnotherSetMissesAndReplacesTheOldEntries() {
    EvaluationResult<Boolean> old = evaluate(FlagSet.parse(FLAGS.formatted("on", "a")));
    cache.put(old, Results.of(old, old.value()));

    EvaluationResult<Boolean> changed = evaluate(FlagSet.parse(FLAGS.formatted("off", "b")));
    assertThat(cache.<Boolean>find(changed)).isNull();
    cache.put(changed, Results.of(changed, changed.value()));

    assertThat(cache.<Boolean>find(changed).getValue()).isFalse();
    assertThat(cache.<Boolean>find(old)).isNull();
  }

  @Test
  void aCopyThatIsEqualIsNotTheCachedResult() {
    EvaluationResult<Boolean> r = evaluate(FlagSet.parse(FLAGS.formatted("on", "a")));
    cache.put(r, Results.of(r, r.value()));
    EvaluationResult<Boolean> copy =
        new EvaluationResult<>(
            r.flagKey(),
            r.value(),
            r.variant(),
            r.reason(),
            null,
            null,
            Map.copyOf(r.flagMetadata()));

    assertThat(copy).isEqualTo(r);
    assertThat(cache.<Boolean>find(copy)).isNull();
  }
}
