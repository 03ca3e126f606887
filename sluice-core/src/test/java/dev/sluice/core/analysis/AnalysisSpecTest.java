package dev.sluice.core.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.analysis.MetricSpec.Builtin;
import dev.sluice.core.analysis.MetricSpec.Conditions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The records guard what the reader checks, for specs built in code. */
class AnalysisSpecTest {
  private static final MetricSpec ERRORS =
      MetricSpec.of("errors", new Builtin(BuiltinMetric.ERROR_RATE), Conditions.max(0.05));

  @Test
  void theDefaultsAreTheDocumentedOnes() {
    AnalysisSpec spec = AnalysisSpec.of(List.of(ERRORS));
    assertThat(spec.interval()).isEqualTo(Duration.ofSeconds(5));
    assertThat(spec.window()).isEqualTo(Duration.ofSeconds(5));
    assertThat(spec.count()).isNull();
    assertThat(spec.initialDelay()).isZero();
    assertThat(spec.failureLimit()).isZero();
    assertThat(spec.consecutiveErrorLimit()).isEqualTo(4);
    assertThat(spec.inconclusiveLimit()).isNull();
    assertThat(spec.minRequests()).isEqualTo(10);
    assertThat(spec.confidence()).isEqualTo(0.98);
    assertThat(spec.passScore()).isEqualTo(75);
    assertThat(spec.marginalScore()).isEqualTo(50);
    assertThat(ERRORS.judge()).isTrue();
    assertThat(ERRORS.effectSize()).isEqualTo(0.005);
    assertThat(ERRORS.weight()).isEqualTo(1);
    assertThat(ERRORS.critical()).isFalse();
  }

  @Test
  void rejectsRepeatedNamesAndThresholdsTheWrongWayRound() {
    assertThatThrownBy(() -> AnalysisSpec.of(List.of(ERRORS, ERRORS)))
        .hasMessage("metrics: 'errors' appears twice (expected: unique names)");
    assertThatThrownBy(() -> AnalysisSpec.of(List.of(ERRORS)).withThresholds(50, 60))
        .hasMessage("thresholds.marginal: 60.0 (expected: at most pass 50.0)");
  }

  @Test
  void rejectsAWindowTheRouterDoesNotKeep() {
    AnalysisSpec spec = AnalysisSpec.of(List.of(ERRORS));
    assertThatThrownBy(
            () ->
                new AnalysisSpec(
                    spec.interval(),
                    null,
                    Duration.ZERO,
                    Duration.ofMinutes(11),
                    0,
                    4,
                    null,
                    10,
                    0.98,
                    75,
                    50,
                    spec.metrics()))
        .hasMessage("window: PT11M (expected: 1s..10m)");
  }

  @Test
  void onlyMetricsWithSamplesCanBeJudged() {
    MetricSpec rate =
        MetricSpec.of("rate", new Builtin(BuiltinMetric.REQUEST_RATE), Conditions.max(100));
    assertThat(rate.judge()).isFalse();
    assertThatThrownBy(() -> rate.withJudge(true))
        .hasMessage("rate.judge: true (expected: only builtin error_rate and latency metrics)");
  }
}
