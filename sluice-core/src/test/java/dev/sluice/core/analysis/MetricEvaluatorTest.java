package dev.sluice.core.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.analysis.MetricSpec.Builtin;
import dev.sluice.core.analysis.MetricSpec.Conditions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MetricEvaluatorTest {

  private static final MetricSpec P99 =
      MetricSpec.of(
              "p99", new Builtin(BuiltinMetric.LATENCY_P99), Conditions.maxRatioToBaseline(1.5))
          .withJudge(false);
  private static final MetricSpec ERRORS =
      MetricSpec.of("errors", new Builtin(BuiltinMetric.ERROR_RATE), Conditions.max(0.05));
  private static final AnalysisSpec SPEC = AnalysisSpec.of(List.of(P99, ERRORS));

  private static Measurement eval(MetricSpec m, Reading r) {
    return MetricEvaluator.evaluate(SPEC, m, r, 120);
  }

  @Test
  void describesARatioBreachTheWayTheIssueShowsIt() {
    Measurement m = eval(P99, Reading.of(412.0, 201.0));
    assertThat(m.classification()).isEqualTo(Classification.HIGH);
    assertThat(m.requests()).isEqualTo(120);
    assertThat(m.describe())
        .isEqualTo("p99 412ms vs baseline 201ms: High (ratio 2.05 > maxRatioToBaseline 1.5)");
  }

  @Test
  void passesWithinEveryCondition() {
    MetricSpec m =
        MetricSpec.of(
            "queue",
            new MetricSpec.Http("http://x/q", "/depth", Map.of(), Duration.ofSeconds(1)),
            new Conditions(100.0, 1.0, null, null));
    assertThat(eval(m, Reading.of(42)).describe()).isEqualTo("queue 42: Pass");
    assertThat(eval(m, Reading.of(0.5)).describe()).isEqualTo("queue 0.5: Low (0.5 < min 1)");
    assertThat(eval(m, Reading.of(250)).describe()).isEqualTo("queue 250: High (250 > max 100)");
  }

  @Test
  void anIncreaseIsMeasuredInTheMetricsUnit() {
    MetricSpec m =
        MetricSpec.of(
                "p50",
                new Builtin(BuiltinMetric.LATENCY_P50),
                new Conditions(null, null, null, 100.0))
            .withJudge(false);
    assertThat(eval(m, Reading.of(412.0, 201.0)).describe())
        .isEqualTo("p50 412ms vs baseline 201ms: High (increase +211ms > maxIncrease 100ms)");
  }

  @Test
  void aBaselineOfZeroMakesAnyCanaryValueAnInfiniteRatio() {
    MetricSpec m =
        MetricSpec.of("e", new Builtin(BuiltinMetric.ERROR_RATE), Conditions.maxRatioToBaseline(2))
            .withJudge(false);
    assertThat(eval(m, Reading.of(0.01, 0.0)).reason())
        .isEqualTo("ratio +Inf > maxRatioToBaseline 2 (baseline 0)");
    assertThat(eval(m, Reading.of(0.0, 0.0)).classification()).isEqualTo(Classification.PASS);
  }

  @Test
  void noCanaryValueIsNoDataNeverAFailure() {
    Measurement m = eval(ERRORS, Reading.noData("no series matched"));
    assertThat(m.classification()).isEqualTo(Classification.NODATA);
    assertThat(m.describe()).isEqualTo("errors: NoData (no series matched)");
  }

  @Test
  void aMissingBaselineSkipsItsChecksAndIsNoDataWhenNothingElseRan() {
    Measurement m =
        eval(
            P99,
            Reading.of(412.0, null)
                .withNote("baseline served 3 requests, fewer than minRequests 10"));
    assertThat(m.classification()).isEqualTo(Classification.NODATA);
    assertThat(m.reason())
        .isEqualTo(
            "maxRatioToBaseline not checked: baseline served 3 requests, fewer than minRequests"
                + " 10");
  }

  @Test
  void aMissingBaselineStillLetsTheOtherChecksDecide() {
    Sample canary = Sample.builder().add(0, 97).add(1, 3).build();
    Measurement m = eval(ERRORS, Reading.of(0.03, null).withSamples(null, canary));
    assertThat(m.classification()).isEqualTo(Classification.PASS);
    assertThat(m.describe()).isEqualTo("errors 3%: Pass (judge skipped: no baseline)");
  }

  @Test
  void theJudgeFailsAnErrorRateThatIsLowEnoughForMaxButWorseThanTheBaseline() {
    // 4% errors passes max 5%, but against a baseline with none in 1000 requests it is High.
    Sample baseline = Sample.builder().add(0, 1000).build();
    Sample canary = Sample.builder().add(0, 960).add(1, 40).build();
    Measurement m = eval(ERRORS, Reading.of(0.04, 0.0).withSamples(baseline, canary));
    assertThat(m.classification()).isEqualTo(Classification.HIGH);
    assertThat(m.describe())
        .startsWith("errors 4% vs baseline 0%: High (canary higher (Mann-Whitney p=")
        .endsWith(", A=0.52))");
  }

  @Test
  void aCanaryJudgedLowerThanItsBaselinePassesForLatency() {
    MetricSpec m = MetricSpec.of("p90", new Builtin(BuiltinMetric.LATENCY_P90), Conditions.NONE);
    Sample slow = Sample.builder().add(200, 50).add(210, 50).build();
    Sample fast = Sample.builder().add(10, 50).add(11, 50).build();
    assertThat(eval(m, Reading.of(11.0, 210.0).withSamples(slow, fast)).classification())
        .isEqualTo(Classification.PASS);
    Measurement high = eval(m, Reading.of(210.0, 11.0).withSamples(fast, slow));
    assertThat(high.classification()).isEqualTo(Classification.HIGH);
    assertThat(high.reason()).contains("shift +").contains("98% CI");
  }

  @Test
  void aSignificantButTinyLatencyShiftIsToleratedNotCalledHigh() {
    // thousands of requests: 0.5 ms slower is significant (a cold JVM), and harmless
    MetricSpec m = MetricSpec.of("p50", new Builtin(BuiltinMetric.LATENCY_P50), Conditions.NONE);
    Sample baseline = Sample.builder().add(1.0, 3000).add(1.2, 3000).build();
    Sample canary = Sample.builder().add(1.5, 3000).add(1.7, 3000).build();
    Measurement tiny = eval(m, Reading.of(1.6, 1.1).withSamples(baseline, canary));
    assertThat(tiny.classification()).isEqualTo(Classification.PASS);
    assertThat(tiny.reason()).contains("within the 1ms tolerated shift");

    Sample slower = Sample.builder().add(21.0, 3000).add(21.2, 3000).build();
    assertThat(eval(m, Reading.of(21.1, 1.1).withSamples(baseline, slower)).classification())
        .isEqualTo(Classification.HIGH);
  }

  @Test
  void maxIncreaseSetsTheShiftTheJudgeTolerates() {
    MetricSpec m =
        MetricSpec.of(
            "p99", new Builtin(BuiltinMetric.LATENCY_P99), new Conditions(null, null, null, 100.0));
    Sample baseline = Sample.builder().add(10, 500).add(12, 500).build();
    Sample fifty = Sample.builder().add(60, 500).add(62, 500).build();
    Sample twoHundred = Sample.builder().add(210, 500).add(212, 500).build();
    assertThat(eval(m, Reading.of(62.0, 12.0).withSamples(baseline, fifty)).classification())
        .isEqualTo(Classification.PASS);
    assertThat(eval(m, Reading.of(212.0, 12.0).withSamples(baseline, twoHundred)).classification())
        .isEqualTo(Classification.HIGH);
  }

  @Test
  void everyFailingCheckIsNamedAndTheFirstClassifies() {
    MetricSpec m =
        MetricSpec.of(
                "p99",
                new Builtin(BuiltinMetric.LATENCY_P99),
                new Conditions(300.0, null, 1.5, null))
            .withJudge(false);
    assertThat(eval(m, Reading.of(412.0, 201.0)).describe())
        .isEqualTo(
            "p99 412ms vs baseline 201ms: High (412ms > max 300ms; ratio 2.05 >"
                + " maxRatioToBaseline 1.5)");
  }

  @Test
  void checksPassOrFailWithoutAValue() {
    MetricSpec smoke =
        MetricSpec.of(
            "smoke",
            new MetricSpec.Command(List.of("./check.sh"), Duration.ofSeconds(10)),
            Conditions.NONE);
    assertThat(eval(smoke, Reading.passed("exit status 0")).describe())
        .isEqualTo("smoke: Pass (exit status 0)");
    assertThat(eval(smoke, Reading.failed("exit status 3: no route")).describe())
        .isEqualTo("smoke: Fail (exit status 3: no route)");
  }

  @Test
  void anErrorKeepsTheProvidersMessage() {
    Measurement m = Measurement.error(ERRORS, 40, "connection refused");
    assertThat(m.describe()).isEqualTo("errors: Error (connection refused)");
    assertThat(m.error()).isEqualTo("connection refused");
  }

  @Test
  void recordsTheJudgesPValueAndLatencyShiftForExperimentsToReport() {
    MetricSpec p50 =
        MetricSpec.of("p50", new Builtin(BuiltinMetric.LATENCY_P50), Conditions.max(1000.0));
    Sample.Builder b = Sample.builder();
    Sample.Builder c = Sample.builder();
    for (int i = 0; i < 50; i++) {
      b.add(10 + i % 5, 1);
      c.add(50 + i % 5, 1);
    }
    Measurement m = eval(p50, Reading.of(52.0, 12.0).withSamples(b.build(), c.build()));
    assertThat(m.judged()).isEqualTo(Classification.HIGH);
    Measurement.Test t = m.test();
    assertThat(t).isNotNull();
    assertThat(t.confidence()).isEqualTo(SPEC.confidence());
    assertThat(t.p()).isLessThan(1e-6);
    assertThat(t.effect()).isEqualTo(1.0);
    // every canary observation is 40 ms above its baseline counterpart
    assertThat(t.shift()).isEqualTo(40.0);
    assertThat(t.shiftLow()).isBetween(38.0, 40.0);
    assertThat(t.shiftHigh()).isBetween(40.0, 42.0);
  }

  @Test
  void errorRatesGetAPValueButNoShiftAndPlainReadingsNoTest() {
    Sample baseline = Sample.builder().add(0, 1000).build();
    Sample canary = Sample.builder().add(0, 960).add(1, 40).build();
    Measurement m = eval(ERRORS, Reading.of(0.04, 0.0).withSamples(baseline, canary));
    assertThat(m.test()).isNotNull();
    assertThat(m.test().shift()).isNull();
    assertThat(eval(P99, Reading.of(412.0, 201.0)).test()).isNull();
  }

  @Test
  void keepsHowManyObservationsAProviderCounted() {
    MetricSpec diffs =
        MetricSpec.of("diffs", new Builtin(BuiltinMetric.DIFF_RATE), Conditions.max(0.01));
    Measurement m = eval(diffs, Reading.of(0.02).withObservations(250));
    assertThat(m.observations()).isEqualTo(250L);
    assertThat(m.canary()).isEqualTo(0.02);
    assertThat(eval(P99, Reading.of(412.0, 201.0)).observations()).isNull();
  }
}
