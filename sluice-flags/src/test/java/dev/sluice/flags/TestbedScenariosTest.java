package dev.sluice.flags;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The flagd-testbed evaluator scenarios (evaluator/gherkin/*.feature), replayed against the same
 * flag definitions: values, reasons and error codes must match flagd's.
 */
class TestbedScenariosTest {
  private final FlagEvaluator flags = Testbed.evaluator();

  private static EvaluationContext with(String key, Object value) {
    return EvaluationContext.builder().set(key, value).build();
  }

  private static EvaluationContext user(String name) {
    return EvaluationContext.builder().set("user", Map.of("name", name)).build();
  }

  @ParameterizedTest(name = "fractional-flag buckets user.name {0} into {1}")
  @CsvSource({"jack, hearts", "queen, spades", "ten, clubs", "nine, diamonds", "3, clubs"})
  void fractionalFlagMatchesTheV2Vectors(String name, String expected) {
    EvaluationResult<String> r = flags.stringValue("fractional-flag", "fallback", user(name));
    assertThat(r.value()).isEqualTo(expected);
    assertThat(r.reason()).isEqualTo(Reason.SPLIT);
  }

  @ParameterizedTest(name = "shorthand fractional buckets {0} into {1}")
  @CsvSource({"jon@company.com, heads", "jane@company.com, tails"})
  void fractionalShorthandBucketsByFlagKeyAndTargetingKey(String targetingKey, String expected) {
    assertThat(
            flags
                .stringValue(
                    "fractional-flag-shorthand", "fallback", EvaluationContext.of(targetingKey))
                .value())
        .isEqualTo(expected);
  }

  @ParameterizedTest(name = "shared seed puts {0} in {1} for both flags")
  @CsvSource({"seven, hearts", "eight, diamonds", "nine, clubs", "two, spades"})
  void fractionalWithASharedSeedBucketsTheSameAcrossFlags(String name, String expected) {
    assertThat(flags.stringValue("fractional-flag-A-shared-seed", "fallback", user(name)).value())
        .isEqualTo(expected);
    assertThat(flags.stringValue("fractional-flag-B-shared-seed", "fallback", user(name)).value())
        .isEqualTo("ace-of-" + expected);
  }

  @ParameterizedTest(name = "hash edge key {0} lands in {1}")
  @CsvSource({"ejOoVL, lower", "bY9fO-, lower", "SI7p-, lower", "6LvT0, upper", "ceQdGm, upper"})
  void fractionalHashEdgeCasesMatchFlagd(String key, String expected) {
    assertThat(
            flags
                .stringValue("fractional-hash-edge-flag", "fallback", EvaluationContext.of(key))
                .value())
        .isEqualTo(expected);
  }

  @ParameterizedTest(name = "nested if variant: {0} with tier {1} gets {2}")
  @CsvSource({
    "jon@company.com, premium, premium",
    "jon@company.com, basic, standard",
    "user1, premium, standard",
    "user1, basic, standard"
  })
  void fractionalVariantCanBeAnExpression(String key, String tier, String expected) {
    EvaluationContext ctx = EvaluationContext.builder().targetingKey(key).set("tier", tier).build();
    assertThat(flags.stringValue("fractional-nested-if-flag", "fallback", ctx).value())
        .isEqualTo(expected);
  }

  @ParameterizedTest(name = "nested var variant: {0} with color [{1}] gets {2}")
  @CsvSource({
    "jon@company.com, red, red",
    "jon@company.com, green, green",
    "user1, red, blue",
    "jon@company.com, yellow, fallback",
    "jon@company.com, '', fallback"
  })
  void fractionalVariantFromContextMustBeAVariant(String key, String color, String expected) {
    EvaluationContext ctx =
        EvaluationContext.builder().targetingKey(key).set("color", color).build();
    assertThat(flags.stringValue("fractional-nested-var-flag", "fallback", ctx).value())
        .isEqualTo(expected);
  }

  @ParameterizedTest(name = "nested weight: {0} with tier {1} gets {2}")
  @CsvSource({
    "jon@company.com, premium, red",
    "jon@company.com, basic, blue",
    "user1, premium, red",
    "user1, basic, blue"
  })
  void fractionalWeightCanBeAnExpression(String key, String tier, String expected) {
    EvaluationContext ctx = EvaluationContext.builder().targetingKey(key).set("tier", tier).build();
    assertThat(flags.stringValue("fractional-nested-weight-flag", "fallback", ctx).value())
        .isEqualTo(expected);
  }

  @Test
  void fractionalCanBeAConditionAndASingleEntry() {
    EvaluationContext ctx = EvaluationContext.of("some-targeting-key");
    assertThat(flags.stringValue("fractional-as-condition-flag", "zero", ctx).value())
        .isEqualTo("hundreds");
    assertThat(flags.stringValue("fractional-as-condition-false-flag", "zero", ctx).value())
        .isEqualTo("ones");
    assertThat(flags.stringValue("fractional-single-entry-flag", "x", ctx).value())
        .isEqualTo("single");
  }

  @ParameterizedTest(name = "id {0} gives {1}")
  @CsvSource({"abcdef, prefix", "uvwxyz, postfix", "abcxyz, prefix", "lmnopq, none"})
  void startsWithAndEndsWith(String id, String expected) {
    assertThat(flags.stringValue("starts-ends-flag", "fallback", with("id", id)).value())
        .isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0} on a number serves the default variant")
  @CsvSource({"starts-with-non-string-flag", "ends-with-non-string-flag"})
  void stringOperationsOnNonStringsServeTheDefaultVariant(String key) {
    EvaluationResult<String> r = flags.stringValue(key, "wrong", with("num", 123));
    assertThat(r.value()).isEqualTo("fallback");
    assertThat(r.reason()).isEqualTo(Reason.DEFAULT);
  }

  @ParameterizedTest(name = "version {0} is {1} 2.0.0")
  @CsvSource({
    "2.0.0, equal",
    "2.1.0, greater",
    "1.9.0, lesser",
    "2.0.0-alpha, lesser",
    "2.0.0.0, none"
  })
  void semVerComparisons(String version, String expected) {
    assertThat(
            flags
                .stringValue(
                    "equal-greater-lesser-version-flag", "fallback", with("version", version))
                .value())
        .isEqualTo(expected);
  }

  @ParameterizedTest(name = "version {0} matches {1} of 3.0.0")
  @CsvSource({"3.0.1, minor", "3.1.0, major", "4.0.0, none"})
  void semVerTildeAndCaret(String version, String expected) {
    assertThat(
            flags
                .stringValue("major-minor-version-flag", "fallback", with("version", version))
                .value())
        .isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0}: version {1} gives {2}")
  @CsvSource({
    "semver-v-prefix-flag, 1.0.0, match",
    "semver-v-prefix-flag, v1.0.0, match",
    "semver-v-prefix-flag, 2.0.0, no-match",
    "semver-partial-version-flag, 1.5.0, match",
    "semver-partial-version-flag, 1.0.0, match",
    "semver-partial-version-flag, 2.0.0, no-match",
    "semver-build-metadata-flag, 1.0.0, match",
    "semver-build-metadata-flag, 1.0.0+other, match",
    "semver-build-metadata-flag, 2.0.0, no-match",
    "semver-invalid-version-flag, not-a-version, fallback"
  })
  void semVerEdgeCases(String key, String version, String expected) {
    assertThat(flags.stringValue(key, "wrong", with("version", version)).value())
        .isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0} with ballmer resolves to {1}")
  @CsvSource({"some-email-targeted-flag, hi", "some-other-email-targeted-flag, yes"})
  void sharedRulesAreReusedThroughRef(String key, String expected) {
    EvaluationResult<String> r =
        flags.stringValue(key, "fallback", with("email", "ballmer@macrosoft.com"));
    assertThat(r.value()).isEqualTo(expected);
    assertThat(r.reason()).isEqualTo(Reason.TARGETING_MATCH);
  }

  @ParameterizedTest(name = "targeting key {0} gives {1} ({2})")
  @CsvSource({
    "5c3d8535-f81a-4478-a6d3-afaa4d51199e, hit, TARGETING_MATCH",
    "f20bd32d-703b-48b6-bc8e-79d53c85134a, miss, DEFAULT"
  })
  void targetingByTargetingKey(String key, String value, Reason reason) {
    EvaluationResult<String> r =
        flags.stringValue("targeting-key-flag", "fallback", EvaluationContext.of(key));
    assertThat(r.value()).isEqualTo(value);
    assertThat(r.reason()).isEqualTo(reason);
  }

  @ParameterizedTest(name = "{0} with email [{1}] gives the code default {2} ({3})")
  @CsvSource({
    "no-default-flag-null-targeting-variant, wozniak@orange.com, Inventor, Inventor, DEFAULT",
    "no-default-flag-null-targeting-variant, jobs@orange.com, CEO, CEO, TARGETING_MATCH",
    "no-default-flag-undefined-targeting-variant, wozniak@orange.com, Retired, Retired, DEFAULT"
  })
  void flagsWithoutDefaultVariantFallBackToTheCodeDefault(
      String key, String email, String codeDefault, String value, Reason reason) {
    EvaluationResult<String> r = flags.stringValue(key, codeDefault, with("email", email));
    assertThat(r.value()).isEqualTo(value);
    assertThat(r.reason()).isEqualTo(reason);
    assertThat(r.errorCode()).isNull();
  }

  @Test
  void nullAndUndefinedDefaultVariantsReturnTheCodeDefault() {
    EvaluationContext none = EvaluationContext.empty();
    assertThat(flags.booleanValue("null-default-flag", true, none).value()).isTrue();
    assertThat(flags.booleanValue("null-default-flag", false, none).value()).isFalse();
    EvaluationResult<Long> r = flags.integerValue("undefined-default-flag", 100, none);
    assertThat(r.value()).isEqualTo(100L);
    assertThat(r.reason()).isEqualTo(Reason.DEFAULT);
    assertThat(r.variant()).isNull();
  }

  @Test
  void disabledFlagsReturnTheCallersDefaultWithReasonDisabled() throws Exception {
    EvaluationContext none = EvaluationContext.empty();
    assertThat(flags.booleanValue("disabled-boolean-flag", false, none))
        .extracting(EvaluationResult::value, EvaluationResult::reason, EvaluationResult::variant)
        .containsExactly(false, Reason.DISABLED, null);
    assertThat(flags.stringValue("disabled-string-flag", "bye", none).value()).isEqualTo("bye");
    assertThat(flags.integerValue("disabled-integer-flag", 1, none).value()).isEqualTo(1L);
    assertThat(flags.doubleValue("disabled-float-flag", 0.1, none).value()).isEqualTo(0.1);
    var empty = new ObjectMapper().readTree("{}");
    EvaluationResult<com.fasterxml.jackson.databind.JsonNode> object =
        flags.objectValue("disabled-object-flag", empty, none);
    assertThat(object.value()).isEqualTo(empty);
    assertThat(object.reason()).isEqualTo(Reason.DISABLED);
    assertThat(object.errorCode()).isNull();
  }

  @Test
  void basicValuesOfEveryType() throws Exception {
    EvaluationContext none = EvaluationContext.empty();
    assertThat(flags.booleanValue("boolean-flag", false, none).value()).isTrue();
    assertThat(flags.stringValue("string-flag", "bye", none).value()).isEqualTo("hi");
    assertThat(flags.integerValue("integer-flag", 1, none).value()).isEqualTo(10L);
    assertThat(flags.doubleValue("float-flag", 0.1, none).value()).isEqualTo(0.5);
    assertThat(flags.objectValue("object-flag", new ObjectMapper().readTree("{}"), none).value())
        .isEqualTo(
            new ObjectMapper()
                .readTree(
                    "{\"showImages\": true,\"title\": \"Check out these pics!\",\"imagesPerPage\": 100}"));
    assertThat(flags.booleanValue("boolean-flag", false, none).reason()).isEqualTo(Reason.STATIC);
  }

  @Test
  void unknownFlagsAndWrongTypesAreErrors() {
    EvaluationContext none = EvaluationContext.empty();
    EvaluationResult<String> missing = flags.stringValue("missing-flag", "uh-oh", none);
    assertThat(missing.errorCode()).isEqualTo(ErrorCode.FLAG_NOT_FOUND);
    assertThat(missing.value()).isEqualTo("uh-oh");
    assertThat(missing.reason()).isEqualTo(Reason.ERROR);
    EvaluationResult<Long> wrong = flags.integerValue("wrong-flag", 13, none);
    assertThat(wrong.errorCode()).isEqualTo(ErrorCode.TYPE_MISMATCH);
    assertThat(wrong.value()).isEqualTo(13L);
  }

  @ParameterizedTest(name = "{0} asked as {1} is a type mismatch")
  @CsvSource({
    "boolean-flag, String",
    "boolean-flag, Integer",
    "boolean-flag, Float",
    "string-flag, Boolean",
    "string-flag, Integer",
    "string-flag, Float",
    "integer-flag, Boolean",
    "integer-flag, String",
    "float-flag, Boolean",
    "float-flag, String"
  })
  void typeMismatchAcrossTheValueTypes(String key, String type) {
    EvaluationContext none = EvaluationContext.empty();
    EvaluationResult<?> r =
        switch (type) {
          case "Boolean" -> flags.booleanValue(key, false, none);
          case "String" -> flags.stringValue(key, "fallback", none);
          case "Integer" -> flags.integerValue(key, 1, none);
          default -> flags.doubleValue(key, 0.1, none);
        };
    assertThat(r.errorCode()).isEqualTo(ErrorCode.TYPE_MISMATCH);
    assertThat(r.value()).isIn(false, "fallback", 1L, 0.1);
  }

  @Test
  void flagMetadataIsReported() {
    assertThat(flags.booleanValue("metadata-flag", false, EvaluationContext.empty()).flagMetadata())
        .containsEntry("string", "1.0.2")
        .containsEntry("integer", 2L)
        .containsEntry("boolean", true)
        .containsEntry("float", 0.1);
  }
}
