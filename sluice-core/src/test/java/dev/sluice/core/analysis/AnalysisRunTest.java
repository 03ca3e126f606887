package dev.sluice.core.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.analysis.AnalysisResult.Verdict;
import dev.sluice.core.analysis.AnalysisRun.Status;
import dev.sluice.core.analysis.MetricSpec.Builtin;
import dev.sluice.core.analysis.MetricSpec.Conditions;
import dev.sluice.core.time.FakeClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Run semantics with a fake clock: a 30-measurement analysis runs in microseconds. */
class AnalysisRunTest {

  private static final AnalysisSpec SPEC =
      AnalysisSpec.of(
              List.of(
                  MetricSpec.of(
                      "errors", new Builtin(BuiltinMetric.ERROR_RATE), Conditions.max(0.05))))
          .withInterval(Duration.ofSeconds(1));

  private final FakeClock clock = FakeClock.at(Instant.parse("2026-01-01T00:00:00Z"));

  private static AnalysisResult result(Verdict v) {
    return new AnalysisResult(
        v, null, v.name().toLowerCase(java.util.Locale.ROOT), 50, 500, List.of());
  }

  /** Waits until the run is due, then measures once with the given verdict. */
  private AnalysisRun measure(AnalysisRun run, Verdict v) {
    while (!run.due(clock.instant())) {
      clock.advance(Duration.ofMillis(250));
    }
    run = run.begin(clock.instant());
    assertThat(run.due(clock.instant())).isFalse();
    clock.advance(Duration.ofMillis(40)); // measuring takes a little time
    return run.record(result(v), clock.instant());
  }

  @Test
  void theFirstMeasurementWaitsForTheInitialDelayThenOneEveryInterval() {
    AnalysisRun run =
        AnalysisRun.start(SPEC.withInitialDelay(Duration.ofSeconds(5)), clock.instant());
    assertThat(run.due(clock.instant())).isFalse();
    clock.advance(Duration.ofMillis(4999));
    assertThat(run.due(clock.instant())).isFalse();
    clock.advance(Duration.ofMillis(1));
    assertThat(run.due(clock.instant())).isTrue();
    run = run.begin(clock.instant()).record(result(Verdict.PASS), clock.instant().plusMillis(40));
    // Due again one interval after the previous due time, not after the measurement ended.
    assertThat(run.nextDue()).isEqualTo(Instant.parse("2026-01-01T00:00:06Z"));
    assertThat(run.status()).isEqualTo(Status.RUNNING);
  }

  @Test
  void aLateMeasurementMakesTheNextDueAtOnceNotTwice() {
    AnalysisRun run = AnalysisRun.start(SPEC, clock.instant()).begin(clock.instant());
    clock.advance(Duration.ofSeconds(3)); // a slow provider
    run = run.record(result(Verdict.PASS), clock.instant());
    assertThat(run.nextDue()).isEqualTo(clock.instant());
    run = run.begin(clock.instant()).record(result(Verdict.PASS), clock.instant());
    assertThat(run.nextDue()).isEqualTo(clock.instant().plusSeconds(1));
  }

  @Test
  void theFirstFailureFailsTheRunByDefault() {
    AnalysisRun run = AnalysisRun.start(SPEC, clock.instant());
    run = measure(run, Verdict.PASS);
    run = measure(run, Verdict.FAIL);
    assertThat(run.status()).isEqualTo(Status.FAILED);
    assertThat(run.reason())
        .isEqualTo("1 failed measurement, more than failureLimit 0; last: FAIL (fail)");
    assertThat(run.due(clock.instant().plusSeconds(10))).isFalse();
  }

  @Test
  void aFaultIsCaughtWithinThreeSecondsAtAOneSecondInterval() {
    // The target: interval 1s, failureLimit 0. The fault appears just after a passing
    // measurement; the next one, due 1 s later, fails the run.
    AnalysisRun run = AnalysisRun.start(SPEC, clock.instant());
    run = measure(run, Verdict.PASS);
    Instant fault = clock.instant();
    run = measure(run, Verdict.FAIL);
    assertThat(run.status()).isEqualTo(Status.FAILED);
    assertThat(Duration.between(fault, clock.instant())).isLessThan(Duration.ofSeconds(3));
  }

  @Test
  void failuresUpToTheLimitAreTolerated() {
    AnalysisRun run = AnalysisRun.start(SPEC.withLimits(2, 4, null), clock.instant());
    run = measure(run, Verdict.FAIL);
    run = measure(run, Verdict.PASS);
    run = measure(run, Verdict.FAIL);
    assertThat(run.status()).isEqualTo(Status.RUNNING);
    run = measure(run, Verdict.FAIL);
    assertThat(run.status()).isEqualTo(Status.FAILED);
    assertThat(run.failed()).isEqualTo(3);
    assertThat(run.reason()).startsWith("3 failed measurements, more than failureLimit 2");
  }

  @Test
  void errorsEndTheRunOnlyWhenMoreThanTheLimitComeInARow() {
    AnalysisRun run = AnalysisRun.start(SPEC, clock.instant());
    for (int i = 0; i < 4; i++) {
      run = measure(run, Verdict.ERROR);
    }
    run = measure(run, Verdict.PASS); // the streak ends
    assertThat(run.consecutiveErrors()).isZero();
    for (int i = 0; i < 4; i++) {
      run = measure(run, Verdict.ERROR);
    }
    assertThat(run.status()).isEqualTo(Status.RUNNING);
    run = measure(run, Verdict.ERROR);
    assertThat(run.status()).isEqualTo(Status.ERROR);
    assertThat(run.errors()).isEqualTo(9);
    assertThat(run.reason())
        .isEqualTo("5 errors in a row, more than consecutiveErrorLimit 4; last: ERROR (error)");
  }

  @Test
  void inconclusiveMeasurementsNeverFailAndHaveNoLimitByDefault() {
    AnalysisRun run = AnalysisRun.start(SPEC, clock.instant());
    for (int i = 0; i < 50; i++) {
      run = measure(run, i % 2 == 0 ? Verdict.INCONCLUSIVE : Verdict.MARGINAL);
    }
    assertThat(run.status()).isEqualTo(Status.RUNNING);
    assertThat(run.inconclusive()).isEqualTo(50);
  }

  @Test
  void moreInconclusiveMeasurementsThanTheLimitEndTheRunInconclusive() {
    AnalysisRun run = AnalysisRun.start(SPEC.withLimits(0, 4, 2), clock.instant());
    run = measure(run, Verdict.INCONCLUSIVE);
    run = measure(run, Verdict.PASS);
    run = measure(run, Verdict.MARGINAL);
    assertThat(run.status()).isEqualTo(Status.RUNNING);
    run = measure(run, Verdict.INCONCLUSIVE);
    assertThat(run.status()).isEqualTo(Status.INCONCLUSIVE);
    assertThat(run.reason())
        .isEqualTo(
            "3 inconclusive measurements, more than inconclusiveLimit 2; last: INCONCLUSIVE"
                + " (inconclusive)");
  }

  @Test
  void aCountEndsTheRunSuccessfulWhenSomethingPassed() {
    AnalysisRun run = AnalysisRun.start(SPEC.withCount(3), clock.instant());
    run = measure(run, Verdict.INCONCLUSIVE);
    run = measure(run, Verdict.PASS);
    assertThat(run.status()).isEqualTo(Status.RUNNING);
    run = measure(run, Verdict.PASS);
    assertThat(run.status()).isEqualTo(Status.SUCCESSFUL);
    assertThat(run.reason())
        .isEqualTo("3 measurements (2 passed, 0 failed, 1 inconclusive, 0 errors)");
    assertThat(run.due(clock.instant().plusSeconds(5))).isFalse();
  }

  @Test
  void aCountReachedWithoutAPassIsInconclusiveNotSuccessful() {
    AnalysisRun run = AnalysisRun.start(SPEC.withCount(2), clock.instant());
    run = measure(run, Verdict.INCONCLUSIVE);
    run = measure(run, Verdict.ERROR);
    assertThat(run.status()).isEqualTo(Status.INCONCLUSIVE);
    assertThat(run.reason())
        .isEqualTo(
            "no measurement passed: 2 measurements (0 passed, 0 failed, 1 inconclusive, 1 error);"
                + " last: ERROR (error)");
  }

  @Test
  void aFailureOnTheLastCountedMeasurementStillFails() {
    AnalysisRun run = AnalysisRun.start(SPEC.withCount(2), clock.instant());
    run = measure(run, Verdict.PASS);
    run = measure(run, Verdict.FAIL);
    assertThat(run.status()).isEqualTo(Status.FAILED);
  }

  @Test
  void stoppingARunningRunIsSuccessfulAndLaterResultsChangeNothing() {
    AnalysisRun run = AnalysisRun.start(SPEC, clock.instant());
    run = measure(run, Verdict.PASS);
    run = run.begin(clock.instant());
    AnalysisRun stopped = run.stop(clock.instant());
    assertThat(stopped.status()).isEqualTo(Status.SUCCESSFUL);
    assertThat(stopped.reason())
        .isEqualTo("stopped after 1 measurement (1 passed, 0 failed, 0 inconclusive, 0 errors)");
    assertThat(stopped.record(result(Verdict.FAIL), clock.instant())).isEqualTo(stopped);
    assertThat(stopped.stop(clock.instant())).isEqualTo(stopped);
  }

  @Test
  void replayingTheRecordedResultsGivesTheSameState() {
    AnalysisRun run = AnalysisRun.start(SPEC.withLimits(1, 4, null), clock.instant());
    Instant start = clock.instant();
    List<Verdict> verdicts = List.of(Verdict.PASS, Verdict.ERROR, Verdict.FAIL, Verdict.PASS);
    List<Instant> at = new java.util.ArrayList<>();
    for (Verdict v : verdicts) {
      run = measure(run, v);
      at.add(clock.instant());
    }
    AnalysisRun replayed = AnalysisRun.start(SPEC.withLimits(1, 4, null), start);
    for (int i = 0; i < verdicts.size(); i++) {
      replayed = replayed.record(result(verdicts.get(i)), at.get(i));
    }
    assertThat(replayed).isEqualTo(run);
  }
}
