package dev.sluice.flags;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Reasons, error codes and values of evaluation, following OpenFeature and flagd. */
class EvaluationTest {
  private static final FlagSet FLAGS =
      FlagSet.parse(
          """
          {
            "metadata": {"flagSetId": "shop", "team": "core"},
            "flags": {
              "static-flag": {"state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "on",
                              "metadata": {"team": "checkout"}},
              "rollout": {"state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "off",
                          "targeting": {"fractional": [["on", 50], ["off", 50]]}},
              "by-email": {"state": "ENABLED", "variants": {"new": "new", "old": "old"}, "defaultVariant": "old",
                           "targeting": {"if": [{"ends_with": [{"var": "email"}, "@example.com"]}, "new", null]}},
              "dynamic-variant": {"state": "ENABLED", "variants": {"a": 1, "b": 2.5}, "defaultVariant": "a",
                                  "targeting": {"var": "pick"}},
              "limits": {"state": "ENABLED", "variants": {"small": {"max": 10}, "large": {"max": 1000}},
                         "defaultVariant": "small", "targeting": {"if": [{"==": [{"var": "plan"}, "pro"]}, "large", null]}},
              "bool-result": {"state": "ENABLED", "variants": {"true": "yes", "false": "no"}, "defaultVariant": "false",
                              "targeting": {">": [{"var": "age"}, 17]}},
              "off": {"state": "DISABLED", "variants": {"on": true}, "defaultVariant": "on"}
            }
          }
          """);

  private final FlagEvaluator flags = FlagEvaluator.of(FLAGS, Testbed.CLOCK);

  @Test
  void staticFlagsServeTheirDefaultVariantWithReasonStatic() {
    EvaluationResult<Boolean> r =
        flags.booleanValue("static-flag", false, EvaluationContext.empty());
    assertThat(r)
        .isEqualTo(
            new EvaluationResult<>(
                "static-flag", true, "on", Reason.STATIC, null, null, r.flagMetadata()));
  }

  @Test
  void staticFlagsAskedAsAnotherTypeAreTypeMismatchesWithTheCallersDefault() {
    EvaluationResult<String> r = flags.stringValue("static-flag", "x", EvaluationContext.empty());
    assertThat(r.value()).isEqualTo("x");
    assertThat(r.errorCode()).isEqualTo(ErrorCode.TYPE_MISMATCH);
    FlagSet numbers =
        FlagSet.parse(
            """
            {"flags": {
              "whole": {"state": "ENABLED", "variants": {"a": 3}, "defaultVariant": "a"},
              "half": {"state": "ENABLED", "variants": {"a": 2.5}, "defaultVariant": "a"}}}
            """);
    FlagEvaluator n = FlagEvaluator.of(numbers, Testbed.CLOCK);
    assertThat(n.integerValue("whole", 0, EvaluationContext.empty()).value()).isEqualTo(3L);
    assertThat(n.doubleValue("half", 0, EvaluationContext.empty()).value()).isEqualTo(2.5);
    EvaluationResult<Long> lossy = n.integerValue("half", 7, EvaluationContext.empty());
    assertThat(lossy.value()).isEqualTo(7L);
    assertThat(lossy.errorCode()).isEqualTo(ErrorCode.TYPE_MISMATCH);
  }

  @Test
  void everyKeyOfALargeSetIsFoundByEqualStringsAndNoOtherIs() {
    StringBuilder json = new StringBuilder("{\"flags\": {");
    for (int i = 0; i < 300; i++) {
      json.append(i == 0 ? "" : ",")
          .append("\"flag-")
          .append(i)
          .append("\": {\"state\": \"ENABLED\", \"variants\": {\"v")
          .append(i)
          .append("\": ")
          .append(i)
          .append("}, \"defaultVariant\": \"v")
          .append(i)
          .append("\"}");
    }
    FlagEvaluator many =
        FlagEvaluator.of(FlagSet.parse(json.append("}}").toString()), Testbed.CLOCK);
    for (int i = 0; i < 300; i++) {
      String key = new String("flag-" + i); // an equal string, not the parsed one
      assertThat(many.integerValue(key, -1, EvaluationContext.empty()).value()).isEqualTo((long) i);
    }
    assertThat(many.integerValue("flag-300", -1, EvaluationContext.empty()).errorCode())
        .isEqualTo(ErrorCode.FLAG_NOT_FOUND);
    assertThat(many.integerValue("", -1, EvaluationContext.empty()).errorCode())
        .isEqualTo(ErrorCode.FLAG_NOT_FOUND);
  }

  @Test
  void flagMetadataOverlaysTheFlagsOwnOnTheSets() {
    assertThat(flags.booleanValue("static-flag", false, EvaluationContext.empty()).flagMetadata())
        .isEqualTo(Map.of("flagSetId", "shop", "team", "checkout"));
    assertThat(flags.booleanValue("nope", false, EvaluationContext.empty()).flagMetadata())
        .isEqualTo(Map.of("flagSetId", "shop", "team", "core"));
  }

  @Test
  void fractionalResultsHaveReasonSplitAndAreStablePerSubject() {
    int on = 0;
    for (int i = 0; i < 1000; i++) {
      EvaluationContext ctx = EvaluationContext.of("user-" + i);
      EvaluationResult<Boolean> first = flags.booleanValue("rollout", false, ctx);
      assertThat(first.reason()).isEqualTo(Reason.SPLIT);
      assertThat(flags.booleanValue("rollout", false, ctx).value()).isEqualTo(first.value());
      on += first.value() ? 1 : 0;
    }
    assertThat(on).isBetween(430, 570);
  }

  @Test
  void fractionalWithoutATargetingKeyIsTargetingKeyMissing() {
    EvaluationResult<Boolean> r = flags.booleanValue("rollout", true, EvaluationContext.empty());
    assertThat(r.errorCode()).isEqualTo(ErrorCode.TARGETING_KEY_MISSING);
    assertThat(r.reason()).isEqualTo(Reason.ERROR);
    assertThat(r.value()).isTrue();
    assertThat(r.errorMessage()).contains("rollout").contains("targeting key");
  }

  @Test
  void targetingMatchAndFallbackToTheDefaultVariant() {
    EvaluationContext ada = EvaluationContext.builder().set("email", "ada@example.com").build();
    EvaluationContext bob = EvaluationContext.builder().set("email", "bob@elsewhere.org").build();
    assertThat(flags.stringValue("by-email", "x", ada))
        .extracting(EvaluationResult::value, EvaluationResult::variant, EvaluationResult::reason)
        .containsExactly("new", "new", Reason.TARGETING_MATCH);
    assertThat(flags.stringValue("by-email", "x", bob))
        .extracting(EvaluationResult::value, EvaluationResult::variant, EvaluationResult::reason)
        .containsExactly("old", "old", Reason.DEFAULT);
  }

  @Test
  void aMissingAttributeInAStringOperationServesTheDefaultVariant() {
    assertThat(flags.stringValue("by-email", "x", EvaluationContext.empty()))
        .extracting(EvaluationResult::value, EvaluationResult::reason)
        .containsExactly("old", Reason.DEFAULT);
  }

  @Test
  void aTargetingResultThatIsNoVariantIsAGeneralError() {
    EvaluationContext ctx = EvaluationContext.builder().set("pick", "c").build();
    EvaluationResult<Double> r = flags.doubleValue("dynamic-variant", 9.0, ctx);
    assertThat(r.errorCode()).isEqualTo(ErrorCode.GENERAL);
    assertThat(r.value()).isEqualTo(9.0);
    assertThat(r.errorMessage())
        .isEqualTo(
            "flag dynamic-variant: targeting returned variant \"c\", which is not one of: a, b");
  }

  @Test
  void booleanAndNumberResultsNameVariantsByTheirText() {
    assertThat(
            flags
                .stringValue("bool-result", "x", EvaluationContext.builder().set("age", 30).build())
                .value())
        .isEqualTo("yes");
    assertThat(
            flags
                .stringValue("bool-result", "x", EvaluationContext.builder().set("age", 3).build())
                .value())
        .isEqualTo("no");
  }

  @Test
  void integersAreServedOnlyFromWholeNumbers() {
    EvaluationContext a = EvaluationContext.builder().set("pick", "a").build();
    EvaluationContext b = EvaluationContext.builder().set("pick", "b").build();
    assertThat(flags.integerValue("dynamic-variant", 0, a).value()).isEqualTo(1L);
    assertThat(flags.doubleValue("dynamic-variant", 0, a).value()).isEqualTo(1.0);
    assertThat(flags.doubleValue("dynamic-variant", 0, b).value()).isEqualTo(2.5);
    EvaluationResult<Long> lossy = flags.integerValue("dynamic-variant", 7, b);
    assertThat(lossy.errorCode()).isEqualTo(ErrorCode.TYPE_MISMATCH);
    assertThat(lossy.value()).isEqualTo(7L);
  }

  @Test
  void objectValuesAreCopiesTheCallerMayChange() throws Exception {
    EvaluationContext pro = EvaluationContext.builder().set("plan", "pro").build();
    JsonNode fallback = new ObjectMapper().createObjectNode();
    EvaluationResult<JsonNode> first = flags.objectValue("limits", fallback, pro);
    assertThat(first.value().get("max").intValue()).isEqualTo(1000);
    ((ObjectNode) first.value()).put("max", -1);
    assertThat(flags.objectValue("limits", fallback, pro).value().get("max").intValue())
        .isEqualTo(1000);
  }

  @Test
  void anInvalidContextIsReportedWhenTargetingNeedsIt() {
    EvaluationContext bad = EvaluationContext.builder().set("when", new Object()).build();
    assertThat(bad.problem()).startsWith("when: a java.lang.Object");
    EvaluationResult<String> r = flags.stringValue("by-email", "x", bad);
    assertThat(r.errorCode()).isEqualTo(ErrorCode.INVALID_CONTEXT);
    assertThat(r.value()).isEqualTo("x");
    EvaluationContext badKey = EvaluationContext.fromMap(Map.of("targetingKey", 42));
    assertThat(flags.booleanValue("rollout", false, badKey).errorCode())
        .isEqualTo(ErrorCode.INVALID_CONTEXT);
    // A static flag does not look at the context.
    assertThat(flags.booleanValue("static-flag", false, bad).value()).isTrue();
  }

  @Test
  void genericEvaluationReturnsJsonValues() {
    EvaluationResult<JsonNode> r = flags.value("static-flag", EvaluationContext.empty());
    assertThat(r.value().booleanValue()).isTrue();
    EvaluationResult<JsonNode> off = flags.value("off", EvaluationContext.empty());
    assertThat(off.reason()).isEqualTo(Reason.DISABLED);
    assertThat(off.value().isNull()).isTrue();
    assertThat(flags.value("nope", EvaluationContext.empty()).errorCode())
        .isEqualTo(ErrorCode.FLAG_NOT_FOUND);
  }

  @Test
  void bulkEvaluationLeavesDisabledFlagsOutAndReportsErrorsPerFlag() {
    Map<String, EvaluationResult<JsonNode>> all = flags.evaluateAll(EvaluationContext.empty());
    assertThat(all.keySet())
        .containsExactly(
            "bool-result", "by-email", "dynamic-variant", "limits", "rollout", "static-flag");
    assertThat(all.get("rollout").errorCode()).isEqualTo(ErrorCode.TARGETING_KEY_MISSING);
    assertThat(all.get("static-flag").value().booleanValue()).isTrue();
  }

  @Test
  void contextsFromJsonAndMapsAreEquivalent() throws Exception {
    JsonNode json =
        new ObjectMapper()
            .readTree("{\"targetingKey\": \"u1\", \"email\": \"a@example.com\", \"age\": 3}");
    EvaluationContext a = EvaluationContext.fromJson(json);
    EvaluationContext b =
        EvaluationContext.fromMap(Map.of("targetingKey", "u1", "email", "a@example.com", "age", 3));
    assertThat(a.targetingKey()).isEqualTo("u1");
    assertThat(a.attributes()).isEqualTo(b.attributes());
    assertThat(flags.stringValue("by-email", "x", a).value()).isEqualTo("new");
  }

  @Test
  @SuppressWarnings("NullAway")
  void evaluationNeverThrows() {
    FlagEvaluator broken =
        FlagEvaluator.of(
            () -> {
              throw new IllegalStateException("store down");
            },
            Testbed.CLOCK);
    EvaluationResult<Boolean> r = broken.booleanValue("x", true, EvaluationContext.empty());
    assertThat(r.value()).isTrue();
    assertThat(r.errorCode()).isEqualTo(ErrorCode.GENERAL);
    assertThat(r.errorMessage()).contains("store down");
    assertThat(broken.evaluateAll(EvaluationContext.empty())).isEmpty();
    assertThat(flags.stringValue("by-email", "x", null).errorCode()).isEqualTo(ErrorCode.GENERAL);
    assertThat(flags.evaluateAll(null)).isEmpty();
  }
}
