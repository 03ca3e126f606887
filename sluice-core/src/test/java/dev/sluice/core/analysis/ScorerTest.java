package dev.sluice.core.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.analysis.AnalysisResult.Verdict;
import dev.sluice.core.analysis.MetricSpec.Builtin;
import dev.sluice.core.analysis.MetricSpec.Conditions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScorerTest {

  private static MetricSpec metric(String name) {
    return MetricSpec.of(name, new Builtin(BuiltinMetric.REQUEST_RATE), Conditions.max(1e9));
  }

  private static Measurement m(String name, Classification c) {
    return new Measurement(name, MetricUnit.NUMBER, 1.0, null, c, "", 100, null);
  }

  private static AnalysisResult score(AnalysisSpec spec, Measurement... ms) {
    return Scorer.score(spec, List.of(ms), 100, 900);
  }

  private static final AnalysisSpec FOUR =
      AnalysisSpec.of(List.of(metric("a"), metric("b"), metric("c"), metric("d")));

  @Test
  void theScoreIsTheWeightedShareOfPassingMetrics() {
    AnalysisResult r =
        score(
            FOUR,
            m("a", Classification.PASS),
            m("b", Classification.PASS),
            m("c", Classification.PASS),
            m("d", Classification.HIGH));
    assertThat(r.score()).isEqualTo(75.0);
    assertThat(r.verdict()).isEqualTo(Verdict.PASS);
    assertThat(r.canaryRequests()).isEqualTo(100);
    assertThat(r.baselineRequests()).isEqualTo(900);

    AnalysisSpec weighted = AnalysisSpec.of(List.of(metric("a"), metric("b").withWeight(3)));
    AnalysisResult w = score(weighted, m("a", Classification.PASS), m("b", Classification.LOW));
    assertThat(w.score()).isEqualTo(25.0);
    assertThat(w.verdict()).isEqualTo(Verdict.FAIL);
    assertThat(w.reason()).isEqualTo("score 25 < marginal 50");
  }

  @Test
  void betweenTheThresholdsIsMarginal() {
    AnalysisResult r =
        score(
            FOUR,
            m("a", Classification.PASS),
            m("b", Classification.PASS),
            m("c", Classification.HIGH),
            m("d", Classification.HIGH));
    assertThat(r.verdict()).isEqualTo(Verdict.MARGINAL);
    assertThat(r.describe())
        .isEqualTo(
            "MARGINAL, score 50 (score 50 < pass 75): a 1: Pass; b 1: Pass; c 1: High; d 1: High");
  }

  @Test
  void aFailedCriticalMetricMakesTheScoreZero() {
    AnalysisSpec spec =
        AnalysisSpec.of(List.of(metric("a"), metric("b"), metric("errors").withCritical(true)));
    AnalysisResult r =
        score(
            spec,
            m("a", Classification.PASS),
            m("b", Classification.PASS),
            m("errors", Classification.HIGH));
    assertThat(r.score()).isEqualTo(0.0);
    assertThat(r.verdict()).isEqualTo(Verdict.FAIL);
    assertThat(r.reason()).isEqualTo("critical metric errors is High");
  }

  @Test
  void noDataCountsNeitherWay() {
    AnalysisResult r =
        score(
            FOUR,
            m("a", Classification.PASS),
            m("b", Classification.NODATA),
            m("c", Classification.NODATA),
            m("d", Classification.PASS));
    assertThat(r.score()).isEqualTo(100.0);
    assertThat(r.verdict()).isEqualTo(Verdict.PASS);
  }

  @Test
  void allNoDataOrACriticalNoDataIsInconclusive() {
    AnalysisResult none =
        score(
            FOUR,
            m("a", Classification.NODATA),
            m("b", Classification.NODATA),
            m("c", Classification.NODATA),
            m("d", Classification.NODATA));
    assertThat(none.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
    assertThat(none.score()).isNull();
    assertThat(none.reason()).isEqualTo("no metric had data");

    AnalysisSpec spec = AnalysisSpec.of(List.of(metric("a"), metric("errors").withCritical(true)));
    AnalysisResult critical =
        score(spec, m("a", Classification.PASS), m("errors", Classification.NODATA));
    assertThat(critical.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
    assertThat(critical.reason()).isEqualTo("critical metric errors has no data");
  }

  @Test
  void providerErrorsNeverHideAFailure() {
    AnalysisSpec two = AnalysisSpec.of(List.of(metric("a"), metric("b")));
    AnalysisResult failed = score(two, m("a", Classification.HIGH), m("b", Classification.ERROR));
    assertThat(failed.verdict()).isEqualTo(Verdict.FAIL);

    AnalysisResult error = score(two, m("a", Classification.PASS), m("b", Classification.ERROR));
    assertThat(error.verdict()).isEqualTo(Verdict.ERROR);
    assertThat(error.reason()).isEqualTo("metric b could not be measured");
    assertThat(error.score()).isEqualTo(100.0);
  }

  @Test
  void weightZeroMetricsAreShownButDoNotCount() {
    AnalysisSpec spec = AnalysisSpec.of(List.of(metric("a"), metric("info").withWeight(0)));
    AnalysisResult r = score(spec, m("a", Classification.PASS), m("info", Classification.HIGH));
    assertThat(r.score()).isEqualTo(100.0);
    assertThat(r.verdict()).isEqualTo(Verdict.PASS);
  }

  @Test
  void thresholdsComeFromTheSpec() {
    AnalysisSpec strict = FOUR.withThresholds(100, 90);
    List<Measurement> ms = new ArrayList<>();
    for (String n : List.of("a", "b", "c")) {
      ms.add(m(n, Classification.PASS));
    }
    ms.add(m("d", Classification.FAIL));
    assertThat(Scorer.score(strict, ms, 10, 10).verdict()).isEqualTo(Verdict.FAIL);
  }

  @Test
  void tooFewRequestsIsInconclusiveWithoutMeasuring() {
    AnalysisResult r =
        AnalysisResult.tooFewRequests(FOUR.withMinRequests(20), Duration.ofSeconds(5), 4, 300);
    assertThat(r.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
    assertThat(r.measurements()).isEmpty();
    assertThat(r.describe())
        .isEqualTo(
            "INCONCLUSIVE (canary served 4 requests in the last 5s, fewer than minRequests 20)");
  }
}
