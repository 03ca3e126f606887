package dev.sluice.flags;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every {@code sem_ver} operator, with the operator and both versions taken from the context. */
class SemVerOperationTest {
  private static final FlagEvaluator FLAGS =
      FlagEvaluator.of(
          FlagSet.parse(
              """
              {"flags": {"check": {"state": "ENABLED", "variants": {"true": true, "false": false},
                "defaultVariant": "false",
                "targeting": {"sem_ver": [{"var": "version"}, {"var": "op"}, {"var": "target"}]}}}}
              """),
          Testbed.CLOCK);

  @ParameterizedTest(name = "{0} {1} {2} is {3}")
  @CsvSource({
    "1.2.3, =, 1.2.3, true",
    "1.2.3, =, v1.2.3+build.7, true",
    "1.2.3, !=, 1.2.4, true",
    "1.2.3, !=, 1.2.3, false",
    "1.2.3, <, 1.10.0, true",
    "1.2.3-rc.1, <, 1.2.3, true",
    "1.2.3, <=, 1.2.3, true",
    "1.2.4, <=, 1.2.3, false",
    "2.0.0, >, 1.99.99, true",
    "1.0.0-alpha.10, >, 1.0.0-alpha.9, true",
    "1.0.0, >=, 1.0.0, true",
    "0.9.0, >=, 1.0.0, false",
    "1.9.9, ^, 1.0.0, true",
    "2.0.0, ^, 1.0.0, false",
    "1.2.9, ~, 1.2.0, true",
    "1.3.0, ~, 1.2.0, false",
    "V3.1.4, =, 3.1.4, true"
  })
  void operators(String version, String op, String target, boolean expected) {
    EvaluationContext ctx =
        EvaluationContext.builder()
            .set("version", version)
            .set("op", op)
            .set("target", target)
            .build();
    EvaluationResult<Boolean> r = FLAGS.booleanValue("check", !expected, ctx);
    assertThat(r.value()).isEqualTo(expected);
    assertThat(r.reason()).isEqualTo(Reason.TARGETING_MATCH);
  }

  @ParameterizedTest(name = "version {0} with operator {1} serves the default variant")
  @CsvSource({"1.2, =~", "banana, =", "1.2.3.4, ="})
  void invalidInputServesTheDefaultVariant(String version, String op) {
    EvaluationContext ctx =
        EvaluationContext.builder()
            .set("version", version)
            .set("op", op)
            .set("target", "1.2.0")
            .build();
    EvaluationResult<Boolean> r = FLAGS.booleanValue("check", true, ctx);
    assertThat(r.value()).isFalse();
    assertThat(r.reason()).isEqualTo(Reason.DEFAULT);
  }

  @ParameterizedTest(name = "numeric version {0} reads as {0}.0.0")
  @CsvSource({"2, =, 2.0.0"})
  void numbersAreReadAsVersions(long version, String op, String target) {
    EvaluationContext ctx =
        EvaluationContext.builder()
            .set("version", version)
            .set("op", op)
            .set("target", target)
            .build();
    assertThat(FLAGS.booleanValue("check", false, ctx).value()).isTrue();
  }
}
