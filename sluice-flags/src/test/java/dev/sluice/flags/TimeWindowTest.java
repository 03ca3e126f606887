package dev.sluice.flags;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Time windows with {@code $flagd.timestamp} (Unix seconds from the injected clock). */
class TimeWindowTest {
  // On from 2026-03-01T00:00:00Z (1772323200) until before 2026-03-08T00:00:00Z (1772928000).
  private static final FlagSet SET =
      FlagSet.parse(
          """
          {"flags": {"spring-sale": {
            "state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "off",
            "targeting": {"if": [
              {"and": [{"<=": [1772323200, {"var": "$flagd.timestamp"}]}, {"<": [{"var": "$flagd.timestamp"}, 1772928000]}]},
              "on", null]}},
           "between": {
            "state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "off",
            "targeting": {"if": [{"<=": [1772323200, {"var": "$flagd.timestamp"}, 1772927999]}, "on", null]}}}}
          """);

  private static FlagEvaluator at(String instant) {
    return FlagEvaluator.of(SET, Clock.fixed(Instant.parse(instant), ZoneOffset.UTC));
  }

  @ParameterizedTest(name = "at {0} the sale is {1}")
  @CsvSource({
    "2026-02-28T23:59:59Z, false",
    "2026-03-01T00:00:00Z, true",
    "2026-03-07T23:59:59Z, true",
    "2026-03-08T00:00:00Z, false"
  })
  void theWindowIsHalfOpen(String now, boolean on) {
    assertThat(at(now).booleanValue("spring-sale", !on, EvaluationContext.empty()).value())
        .isEqualTo(on);
    assertThat(at(now).booleanValue("between", !on, EvaluationContext.empty()).value())
        .isEqualTo(on);
  }

  @Test
  void insideTheWindowTheReasonIsTargetingMatch() {
    assertThat(
            at("2026-03-02T12:00:00Z")
                .booleanValue("spring-sale", false, EvaluationContext.empty())
                .reason())
        .isEqualTo(Reason.TARGETING_MATCH);
  }
}
