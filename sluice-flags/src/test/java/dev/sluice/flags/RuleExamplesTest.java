package dev.sluice.flags;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The targeting examples of docs/flags.md work as the page says. */
class RuleExamplesTest {
  private static final FlagEvaluator FLAGS =
      FlagEvaluator.of(
          FlagSet.parse(
              """
              {
                "$evaluators": {"internal-users": {"ends_with": [{"var": "email"}, "@example.com"]}},
                "flags": {
                  "user-list": {"state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "off",
                    "targeting": {"if": [{"in": [{"var": "targetingKey"}, ["user-17", "user-42", "user-99"]]}, "on", null]}},
                  "attributes": {"state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "off",
                    "targeting": {"if": [{"and": [
                      {"ends_with": [{"var": "email"}, "@example.com"]},
                      {"in": [{"var": "plan"}, ["pro", "team"]]},
                      {"sem_ver": [{"var": "appVersion"}, ">=", "2.4.0"]}]}, "on", null]}},
                  "shared": {"state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "off",
                    "targeting": {"if": [{"$ref": "internal-users"}, "on", {"fractional": [["on", 5], ["off", 95]]}]}}
                }
              }
              """),
          Testbed.CLOCK);

  @Test
  void aListOfUsers() {
    assertThat(FLAGS.booleanValue("user-list", false, EvaluationContext.of("user-42")).value())
        .isTrue();
    assertThat(FLAGS.booleanValue("user-list", true, EvaluationContext.of("user-43")))
        .extracting(EvaluationResult::value, EvaluationResult::reason)
        .containsExactly(false, Reason.DEFAULT);
  }

  @Test
  void attributes() {
    EvaluationContext.Builder pro =
        EvaluationContext.builder()
            .set("email", "ada@example.com")
            .set("plan", "pro")
            .set("appVersion", "v2.10.1");
    assertThat(FLAGS.booleanValue("attributes", false, pro.build()).value()).isTrue();
    assertThat(
            FLAGS.booleanValue("attributes", true, pro.set("appVersion", "2.3.9").build()).value())
        .isFalse();
    assertThat(
            FLAGS
                .booleanValue(
                    "attributes", true, pro.set("appVersion", "2.4.0").set("plan", "free").build())
                .value())
        .isFalse();
  }

  @Test
  void sharedRulesThenARollout() {
    EvaluationContext internal =
        EvaluationContext.builder().targetingKey("u1").set("email", "x@example.com").build();
    assertThat(FLAGS.booleanValue("shared", false, internal).reason())
        .isEqualTo(Reason.TARGETING_MATCH);
    EvaluationContext external =
        EvaluationContext.builder().targetingKey("u1").set("email", "x@elsewhere.org").build();
    assertThat(FLAGS.booleanValue("shared", false, external).reason()).isEqualTo(Reason.SPLIT);
  }
}
