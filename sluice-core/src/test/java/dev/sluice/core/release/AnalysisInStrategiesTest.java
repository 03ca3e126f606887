package dev.sluice.core.release;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.analysis.AnalysisResult;
import dev.sluice.core.analysis.AnalysisResult.Verdict;
import dev.sluice.core.analysis.AnalysisRun;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Canary and rolling releases driven by analysis verdicts, with a fake clock. */
class AnalysisInStrategiesTest {

  private static final String CANARY =
      """
      apps:
        - name: shop
          listen: 127.0.0.1:8080
          runtime: {process: {command: [app], replicas: 2}}
          strategy:
            canary:
              analysis:
                interval: 1s
                failureLimit: 1
                metrics: [{name: errors, builtin: error_rate, max: 0.05}]
              steps:
                - setWeight: 20
                - analysis: {interval: 1s, count: 2, metrics: [{name: p99, builtin: latency_p99, maxRatioToBaseline: 1.5}]}
                - setWeight: 50
      """;

  private static AnalysisResult result(Verdict v) {
    return new AnalysisResult(
        v, v == Verdict.PASS ? 100.0 : 0.0, v.name().toLowerCase(), 100, 100, List.of());
  }

  /** The controller's part: measurement results keyed as the strategy expects them. */
  private final Map<String, AnalysisResult> measured = new HashMap<>();

  private void measure(Sim sim, String run, Verdict v) throws Exception {
    Release r = sim.state.active().orElseThrow();
    AnalysisRun current = r.runs().get(run);
    measured.put(
        Observations.measurementKey(r.revision(), run, current.measurements() + 1), result(v));
    tick(sim);
  }

  private void tick(Sim sim) throws Exception {
    sim.health.keySet().retainAll(sim.state.versions().keySet());
    sim.state =
        Decider.settle(
            sim.state,
            new Observations(sim.health, sim.hooks, Set.of(), measured),
            sim.clock.instant(),
            (b, e) -> sim.append(e));
  }

  private Sim canaryAtTwentyPercent() throws Exception {
    Sim sim = new Sim(CANARY);
    sim.deploy("v1");
    sim.healthy("v1", 2);
    tick(sim);
    sim.deploy("v2");
    sim.healthy("v2", 1);
    tick(sim);
    assertThat(sim.state.weights()).isEqualTo(Map.of("v1", 80, "v2", 20));
    return sim;
  }

  @Test
  void theBackgroundAnalysisStartsWithTheFirstWeightAndItsFailuresRollBack() throws Exception {
    Sim sim = canaryAtTwentyPercent();
    Release r = sim.state.active().orElseThrow();
    assertThat(r.runs()).containsKeys("background", "step-2");
    measure(sim, "background", Verdict.FAIL);
    assertThat(sim.state.active()).isPresent(); // failureLimit 1 tolerates one
    measure(sim, "background", Verdict.FAIL);
    assertThat(sim.state.release().phase()).isEqualTo(ReleasePhase.ROLLED_BACK);
    assertThat(sim.state.release().reason())
        .isEqualTo(
            "background analysis: 2 failed measurements, more than failureLimit 1; last: FAIL,"
                + " score 0 (fail)");
    assertThat(sim.state.weights()).isEqualTo(Map.of("v1", 100));
    assertThat(sim.log.stream().map(x -> x.event().type()))
        .containsSubsequence("AnalysisMeasured", "AnalysisMeasured", "RolledBack", "TrafficSet");
  }

  @Test
  void aStepAnalysisGoesOnWhenItSucceeds() throws Exception {
    Sim sim = canaryAtTwentyPercent();
    measure(sim, "background", Verdict.PASS);
    measure(sim, "step-2", Verdict.PASS);
    assertThat(sim.state.active().orElseThrow().step()).isEqualTo(1);
    measure(sim, "step-2", Verdict.PASS);
    // step 3 (setWeight 50 needs no more replicas) is done at once: on to promotion
    assertThat(sim.state.weights()).isEqualTo(Map.of("v1", 50, "v2", 50));
    assertThat(sim.state.release().phase()).isEqualTo(ReleasePhase.PROMOTING);
  }

  @Test
  void anInconclusiveStepAnalysisPausesUntilAPersonDecides() throws Exception {
    Sim sim = canaryAtTwentyPercent();
    measure(sim, "background", Verdict.PASS);
    measure(sim, "step-2", Verdict.INCONCLUSIVE);
    measure(sim, "step-2", Verdict.INCONCLUSIVE);
    assertThat(sim.state.release().phase()).isEqualTo(ReleasePhase.PAUSED);
    assertThat(sim.state.release().reason())
        .startsWith("analysis at step 2 inconclusive (no measurement passed: 2 measurements");
    sim.append(Commands.promote(sim.state, false, "alice"));
    tick(sim);
    assertThat(sim.state.weights()).isEqualTo(Map.of("v1", 50, "v2", 50));
    assertThat(sim.state.release().phase()).isEqualTo(ReleasePhase.PROMOTING);
  }

  @Test
  void aCanaryWhoseBackgroundAnalysisNeverPassedIsNotPromotedWithoutAPerson() throws Exception {
    Sim sim = canaryAtTwentyPercent();
    measure(sim, "step-2", Verdict.PASS);
    measure(sim, "step-2", Verdict.PASS);
    assertThat(sim.state.weights()).isEqualTo(Map.of("v1", 50, "v2", 50));
    assertThat(sim.state.release().phase()).isEqualTo(ReleasePhase.STEPS);
    measure(sim, "background", Verdict.MARGINAL);
    measure(sim, "background", Verdict.INCONCLUSIVE);
    assertThat(sim.state.release().phase()).isEqualTo(ReleasePhase.STEPS);
    measure(sim, "background", Verdict.MARGINAL);
    assertThat(sim.state.release().phase()).isEqualTo(ReleasePhase.PAUSED);
    assertThat(sim.state.release().reason())
        .isEqualTo(
            "background analysis has not passed once in 3 measurements (last: MARGINAL, score 0"
                + " (marginal)); 'sluice promote shop' goes on, 'sluice abort shop' stops");
    sim.append(Commands.promote(sim.state, false, "alice"));
    tick(sim);
    assertThat(sim.state.release().phase()).isEqualTo(ReleasePhase.PROMOTING);
  }

  @Test
  void aRollingAnalysisBetweenBatchesHoldsTheNextBatchAndAFailureRestoresTheOldVersion()
      throws Exception {
    Sim sim =
        new Sim(
            """
            apps:
              - name: shop
                listen: 127.0.0.1:8080
                runtime: {process: {command: [app], replicas: 4}}
                strategy:
                  rolling:
                    maxSurge: 1
                    maxUnavailable: 0
                    analysis: {interval: 1s, count: 1, metrics: [{name: errors, builtin: error_rate, max: 0.05}]}
            """);
    sim.deploy("v1");
    sim.healthy("v1", 4);
    tick(sim);
    tick(sim);
    sim.deploy("v2");
    sim.healthy("v2", 1);
    tick(sim);
    assertThat(sim.state.versions().get("v1").replicas()).isEqualTo(3);
    assertThat(sim.state.active().orElseThrow().runs()).containsKey("batch-1");
    sim.healthy("v2", 2);
    tick(sim);
    assertThat(sim.state.versions().get("v1").replicas()).as("held by the analysis").isEqualTo(3);
    measure(sim, "batch-1", Verdict.PASS);
    assertThat(sim.state.versions().get("v1").replicas()).isEqualTo(2);
    sim.healthy("v2", 3);
    measure(sim, "batch-2", Verdict.FAIL);
    assertThat(sim.state.release().phase()).isEqualTo(ReleasePhase.ROLLED_BACK);
    assertThat(sim.state.versions().get("v1").replicas()).isEqualTo(4);
    assertThat(sim.state.release().reason())
        .isEqualTo(
            "analysis after a batch: 1 failed measurement, more than failureLimit 0; last: FAIL, score 0 (fail)");
  }

  @Test
  void replayingALogWithMeasurementsGivesTheSameState() throws Exception {
    Sim sim = canaryAtTwentyPercent();
    measure(sim, "background", Verdict.PASS);
    measure(sim, "step-2", Verdict.PASS);
    sim.clock.advance(Duration.ofSeconds(3));
    measure(sim, "step-2", Verdict.PASS);
    assertThat(AppState.replay("shop", sim.log)).isEqualTo(sim.state);
  }
}
