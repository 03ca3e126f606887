package dev.sluice.flags;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** The {@code environments} extension: per-environment overrides and export for plain flagd. */
class EnvironmentsTest {
  private static final String DOC =
      """
      {
        "flags": {
          "new-checkout": {
            "state": "ENABLED",
            "variants": {"on": true, "off": false},
            "defaultVariant": "off",
            "environments": {
              "staging": {"defaultVariant": "on"},
              "production": {"targeting": {"fractional": [["on", 10], ["off", 90]]}},
              "legacy": {"state": "DISABLED"}
            }
          },
          "banner": {"state": "ENABLED", "variants": {"a": "A", "b": "B"}, "defaultVariant": "a",
                     "targeting": {"if": [{"==": [{"var": "environment"}, "staging"]}, "b", null]}}
        }
      }
      """;

  private final FlagSet set = FlagSet.parse(DOC);
  private final FlagEvaluator flags = FlagEvaluator.of(set, Testbed.CLOCK);

  private static EvaluationContext in(String environment, String user) {
    return EvaluationContext.builder().environment(environment).targetingKey(user).build();
  }

  @Test
  void eachEnvironmentServesItsOwnDefinition() {
    assertThat(flags.booleanValue("new-checkout", false, in("staging", "u1")))
        .extracting(EvaluationResult::value, EvaluationResult::reason)
        .containsExactly(true, Reason.STATIC);
    assertThat(flags.booleanValue("new-checkout", true, EvaluationContext.of("u1")))
        .extracting(EvaluationResult::value, EvaluationResult::reason)
        .containsExactly(false, Reason.STATIC);
    assertThat(flags.booleanValue("new-checkout", true, in("legacy", "u1")).reason())
        .isEqualTo(Reason.DISABLED);
    assertThat(flags.booleanValue("new-checkout", false, in("unknown", "u1")).value()).isFalse();
  }

  @Test
  void productionRollsOutToAboutTenPercent() {
    int on = 0;
    for (int i = 0; i < 2000; i++) {
      EvaluationResult<Boolean> r =
          flags.booleanValue("new-checkout", false, in("production", "user-" + i));
      assertThat(r.reason()).isEqualTo(Reason.SPLIT);
      on += r.value() ? 1 : 0;
    }
    assertThat(on).isBetween(140, 260);
  }

  @Test
  void theEnvironmentAttributeSelectsTheEnvironmentAndRulesSeeIt() {
    EvaluationContext byAttribute =
        EvaluationContext.builder().set("environment", "staging").build();
    assertThat(byAttribute.environment()).isEqualTo("staging");
    assertThat(flags.booleanValue("new-checkout", false, byAttribute).value()).isTrue();
    assertThat(flags.stringValue("banner", "x", byAttribute).value()).isEqualTo("B");
    // An explicit environment (from the client's token) wins over the attribute.
    EvaluationContext both =
        EvaluationContext.builder().set("environment", "staging").environment("production").build();
    assertThat(both.environment()).isEqualTo("production");
    assertThat(flags.stringValue("banner", "x", both).value()).isEqualTo("A");
  }

  @Test
  void flagsReportTheirConfigurationPerEnvironment() {
    Flag flag = set.flag("new-checkout").orElseThrow();
    assertThat(flag.environments()).containsExactlyInAnyOrder("staging", "production", "legacy");
    assertThat(flag.config("staging").defaultVariant()).contains("on");
    assertThat(flag.config("production").targeting()).isPresent();
    assertThat(flag.config().targeting()).isEmpty();
    assertThat(set.environments()).containsExactlyInAnyOrder("staging", "production", "legacy");
  }

  @Test
  void exportForOneEnvironmentIsPlainFlagdWithTheOverridesApplied() throws Exception {
    ObjectMapper json = new ObjectMapper();
    JsonNode production = json.readTree(set.toFlagdJson("production"));
    JsonNode flag = production.get("flags").get("new-checkout");
    assertThat(flag.has("environments")).isFalse();
    assertThat(flag.get("defaultVariant").textValue()).isEqualTo("off");
    assertThat(flag.get("targeting"))
        .isEqualTo(json.readTree("{\"fractional\": [[\"on\", 10], [\"off\", 90]]}"));
    JsonNode legacy = json.readTree(set.toFlagdJson("legacy")).get("flags").get("new-checkout");
    assertThat(legacy.get("state").textValue()).isEqualTo("DISABLED");
    JsonNode base = json.readTree(set.toFlagdJson(null)).get("flags").get("new-checkout");
    assertThat(base.has("environments")).isFalse();
    assertThat(base.has("targeting")).isFalse();

    // The export is a valid set and evaluates like the environment did.
    FlagEvaluator exported =
        FlagEvaluator.of(FlagSet.parse(set.toFlagdJson("production")), Testbed.CLOCK);
    for (int i = 0; i < 200; i++) {
      assertThat(
              exported
                  .booleanValue("new-checkout", false, EvaluationContext.of("user-" + i))
                  .value())
          .isEqualTo(
              flags.booleanValue("new-checkout", false, in("production", "user-" + i)).value());
    }
  }
}
