package dev.sluice.flags;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The overloads that build the context from another kind of context (an OpenFeature provider's)
 * build it only for flags that read it, and give the same results as the plain ones.
 */
class LazyContextTest {
  private static final FlagSet SET =
      FlagSet.parse(
          """
          {"flags": {
            "static": {"state": "ENABLED", "variants": {"on": true, "off": false},
                       "defaultVariant": "on"},
            "rule": {"state": "ENABLED", "variants": {"on": true, "off": false},
                     "defaultVariant": "off",
                     "targeting": {"if": [{"==": [{"var": "plan"}, "pro"]}, "on", null]}},
            "per-env": {"state": "ENABLED", "variants": {"a": "A", "b": "B"}, "defaultVariant": "a",
                        "environments": {"staging": {"defaultVariant": "b"}}}
          }}
          """);

  private final FlagEvaluator flags = FlagEvaluator.of(SET, Testbed.CLOCK);
  private final AtomicInteger conversions = new AtomicInteger();
  private final Function<String, EvaluationContext> toContext =
      plan -> {
        conversions.incrementAndGet();
        return EvaluationContext.builder()
            .targetingKey("user-1")
            .environment("staging")
            .set("plan", plan)
            .build();
      };

  @Test
  void aFlagWithoutTargetingOrEnvironmentsNeverBuildsTheContext() {
    EvaluationResult<Boolean> r = flags.booleanValue("static", false, "pro", toContext);

    assertThat(r).isSameAs(flags.booleanValue("static", false, toContext.apply("pro")));
    assertThat(r.value()).isTrue();
    assertThat(r.reason()).isEqualTo(Reason.STATIC);
    assertThat(conversions).hasValue(1); // the call above, for the plain overload only
  }

  @Test
  void anUnknownFlagNeverBuildsTheContext() {
    EvaluationResult<String> r = flags.stringValue("missing", "dflt", "pro", toContext);

    assertThat(r.errorCode()).isEqualTo(ErrorCode.FLAG_NOT_FOUND);
    assertThat(r.value()).isEqualTo("dflt");
    assertThat(conversions).hasValue(0);
  }

  @Test
  void targetingReadsTheBuiltContextOnce() {
    assertThat(flags.booleanValue("rule", false, "pro", toContext))
        .extracting(EvaluationResult::value, EvaluationResult::reason)
        .containsExactly(true, Reason.TARGETING_MATCH);
    assertThat(flags.booleanValue("rule", true, "free", toContext))
        .extracting(EvaluationResult::value, EvaluationResult::reason)
        .containsExactly(false, Reason.DEFAULT);
    assertThat(conversions).hasValue(2);
  }

  @Test
  void environmentOverridesReadTheBuiltContext() {
    assertThat(flags.stringValue("per-env", "x", "pro", toContext).value()).isEqualTo("B");
    assertThat(flags.stringValue("per-env", "x", EvaluationContext.of("user-1")).value())
        .isEqualTo("A");
    assertThat(conversions).hasValue(1);
  }

  @Test
  void aFailingConversionGivesTheDefaultWithAnError() {
    Function<String, EvaluationContext> broken =
        s -> {
          throw new IllegalStateException("cannot convert " + s);
        };

    EvaluationResult<Boolean> r = flags.booleanValue("rule", true, "pro", broken);

    assertThat(r.value()).isTrue();
    assertThat(r.errorCode()).isEqualTo(ErrorCode.GENERAL);
    assertThat(r.errorMessage()).contains("cannot convert pro");
    // a flag that does not read the context is unaffected
    assertThat(flags.booleanValue("static", false, "pro", broken).value()).isTrue();
  }
}
