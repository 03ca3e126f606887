package dev.sluice.core.release;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.analysis.AnalysisResult;
import dev.sluice.core.analysis.AnalysisResult.Verdict;
import dev.sluice.core.analysis.AnalysisRun;
import dev.sluice.core.analysis.Classification;
import dev.sluice.core.analysis.Measurement;
import dev.sluice.core.analysis.MetricUnit;
import dev.sluice.core.event.Event;
import dev.sluice.core.spec.SpecParser;
import dev.sluice.core.spec.StrategySpec;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A/B experiments and shadow releases as pure state machines, with a fake clock. */
class ExperimentAndShadowTest {

  private static final String EXPERIMENT =
      """
      apps:
        - name: shop
          listen: 127.0.0.1:8080
          runtime: {process: {command: [app], replicas: 2}}
          strategy:
            experiment:
              variants: [{version: v1, weight: 50}, {version: v2, weight: 50}]
              sticky: {header: x-user-id}
              duration: 10m
              autoPromote: winner
              analysis: {interval: 1m, metrics: [{name: p50, builtin: latency_p50}]}
      """;

  private static final String SHADOW =
      """
      apps:
        - name: shop
          listen: 127.0.0.1:8080
          runtime: {process: {command: [app], replicas: 2}}
          strategy:
            shadow:
              percent: 50
              compare: {body: json, ignore: [/time]}
              analysis: {interval: 1s, count: 2, metrics: [{name: diffs, builtin: diff_rate, max: 0.01}]}
              then: {canary: {steps: [{setWeight: 50}]}}
      """;

  private final Map<String, AnalysisResult> measured = new HashMap<>();

  private static AnalysisResult judged(Classification judged) {
    return new AnalysisResult(
        Verdict.PASS,
        100.0,
        "",
        500,
        500,
        List.of(
            new Measurement(
                "p50",
                MetricUnit.MILLISECONDS,
                10.0,
                12.0,
                Classification.PASS,
                "",
                500,
                null,
                judged)));
  }

  private void measure(Sim sim, String run, AnalysisResult result) throws Exception {
    Release r = sim.state.active().orElseThrow();
    AnalysisRun current = r.runs().get(run);
    measured.put(
        Observations.measurementKey(r.revision(), run, current.measurements() + 1), result);
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

  /** An app whose stable version is v1, deployed with a plain blue-green spec. */
  private static Sim stable(String yaml) throws Exception {
    Sim sim = new Sim(yaml);
    sim.append(
        List.of(
            new Event.ReleaseStarted(
                1,
                "v1",
                "blueGreen",
                null,
                "deploy",
                SpecParser.withStrategy(sim.spec.snapshot(), "{\"blueGreen\":{}}"),
                false),
            new Event.ReplicasSet("v1", 1, 2),
            new Event.TrafficSet(Map.of("v1", 100)),
            new Event.ReleaseSucceeded("v1")));
    sim.healthy("v1", 2);
    return sim;
  }

  @Test
  void anExperimentSplitsUsersByWeightAndPromotesASignificantlyBetterArm() throws Exception {
    Sim sim = stable(EXPERIMENT);
    sim.append(Commands.deploy(sim.state, sim.spec, "v2", false, "t"));
    tick(sim);
    assertThat(sim.state.versions().get("v2").replicas()).isEqualTo(1);
    assertThat(Desired.of(sim.state).routing().sticky()).isNotNull();
    sim.healthy("v2", 1);
    tick(sim);
    assertThat(sim.state.weights()).isEqualTo(Map.of("v1", 50, "v2", 50));
    assertThat(sim.state.active().orElseThrow().runs()).containsOnlyKeys("arm-v2");

    measure(sim, "arm-v2", judged(Classification.LOW));
    sim.clock.advance(Duration.ofMinutes(9));
    tick(sim);
    assertThat(sim.state.active()).isPresent();
    sim.clock.advance(Duration.ofMinutes(1));
    tick(sim);
    assertThat(sim.state.stableVersion()).isEqualTo("v2");
    assertThat(sim.state.weights()).isEqualTo(Map.of("v2", 100));
  }

  @Test
  void aDeployOfAVersionThatIsNotAnArmIsRefused() throws Exception {
    Sim sim = stable(EXPERIMENT);
    assertThatThrownBy(() -> Commands.deploy(sim.state, sim.spec, "v3", false, "t"))
        .hasMessage("version: \"v3\" (expected: one of the experiment's variants: v1, v2)");
  }

  @Test
  void anExperimentWithoutASignificantWinnerWaitsForAPersonToChoose() throws Exception {
    Sim sim = stable(EXPERIMENT);
    sim.append(Commands.deploy(sim.state, sim.spec, "v2", false, "t"));
    tick(sim);
    sim.healthy("v2", 1);
    tick(sim);
    measure(sim, "arm-v2", judged(Classification.PASS));
    sim.clock.advance(Duration.ofMinutes(11));
    tick(sim);
    assertThat(sim.state.release().phase()).isEqualTo(ReleasePhase.PAUSED);
    assertThat(sim.state.release().reason())
        .isEqualTo(
            "experiment over: no arm is significantly better; 'sluice promote shop --version V'"
                + " ends it with V");
    assertThatThrownBy(() -> Commands.promote(sim.state, false, "v9", "alice"))
        .hasMessage("version: \"v9\" (expected: one of the experiment's arms: v1, v2)");
    sim.append(Commands.promote(sim.state, false, "v1", "alice"));
    tick(sim);
    assertThat(sim.state.stableVersion()).isEqualTo("v1");
    assertThat(sim.state.weights()).isEqualTo(Map.of("v1", 100));
    tick(sim);
    assertThat(sim.state.versions()).containsOnlyKeys("v1");
  }

  private static AnalysisResult higher(String metric) {
    return new AnalysisResult(
        Verdict.FAIL,
        0.0,
        "score 0",
        500,
        500,
        List.of(
            new Measurement(
                metric,
                MetricUnit.MILLISECONDS,
                40.0,
                12.0,
                Classification.HIGH,
                "judged higher",
                500,
                null,
                Classification.HIGH)));
  }

  @Test
  void anArmWorseOnEveryMeasurementLetsTheBaselineWin() throws Exception {
    Sim sim = stable(EXPERIMENT);
    sim.append(Commands.deploy(sim.state, sim.spec, "v2", false, "t"));
    tick(sim);
    sim.healthy("v2", 1);
    tick(sim);
    measure(sim, "arm-v2", higher("p50"));
    // worse on a metric that is not critical: a result of the experiment, which runs its course
    assertThat(sim.state.release().phase()).isEqualTo(ReleasePhase.STEPS);
    assertThat(sim.state.weights()).isEqualTo(Map.of("v1", 50, "v2", 50));
    sim.clock.advance(Duration.ofMinutes(10));
    tick(sim);
    assertThat(sim.state.release().phase()).isEqualTo(ReleasePhase.SUCCEEDED);
    assertThat(sim.state.stableVersion()).isEqualTo("v1");
    assertThat(sim.state.weights()).isEqualTo(Map.of("v1", 100));
  }

  @Test
  void anArmFailingACriticalMetricEndsTheExperimentAtOnce() throws Exception {
    Sim sim =
        stable(
            EXPERIMENT.replace(
                "{name: p50, builtin: latency_p50}",
                "{name: p50, builtin: latency_p50}, {name: errors, builtin: error_rate, max:"
                    + " 0.05, critical: true}"));
    sim.append(Commands.deploy(sim.state, sim.spec, "v2", false, "t"));
    tick(sim);
    sim.healthy("v2", 1);
    tick(sim);
    measure(sim, "arm-v2", higher("errors"));
    assertThat(sim.state.release().phase()).isEqualTo(ReleasePhase.ROLLED_BACK);
    assertThat(sim.state.weights()).isEqualTo(Map.of("v1", 100));
  }

  @Test
  void aShadowCopiesRequestsThenContinuesAsACanaryWhenItsResponsesAgree() throws Exception {
    Sim sim = stable(SHADOW);
    sim.append(Commands.deploy(sim.state, sim.spec, "v2", false, "t"));
    tick(sim);
    assertThat(sim.state.versions().get("v2").replicas()).isEqualTo(1);
    assertThat(Desired.of(sim.state).shadow()).isNull();
    sim.healthy("v2", 1);
    tick(sim);
    StrategySpec.Shadow shadow = Desired.of(sim.state).shadow();
    assertThat(shadow).isNotNull();
    assertThat(shadow.percent()).isEqualTo(50);
    assertThat(sim.state.weights()).isEqualTo(Map.of("v1", 100));
    assertThatThrownBy(() -> Commands.promote(sim.state, false, "alice"))
        .hasMessage(
            "the shadow's responses have not been judged to agree yet (0 measurements so far);"
                + " promotion waits for its analysis");

    AnalysisResult agree = new AnalysisResult(Verdict.PASS, 100.0, "", 100, 100, List.of());
    measure(sim, "shadow", agree);
    measure(sim, "shadow", agree);
    assertThat(sim.state.release().phase()).isEqualTo(ReleasePhase.PAUSED);
    assertThat(sim.state.release().reason())
        .isEqualTo("responses agree; 'sluice promote shop' goes on as canary");
    sim.append(Commands.promote(sim.state, false, "alice"));
    tick(sim);
    Release next = sim.state.active().orElseThrow();
    assertThat(next.revision()).isEqualTo(3);
    assertThat(next.trigger()).isEqualTo("shadow");
    assertThat(next.spec().strategy()).isInstanceOf(StrategySpec.Canary.class);
    assertThat(sim.state.weights()).isEqualTo(Map.of("v1", 50, "v2", 50));
    assertThat(sim.log.stream().map(r -> r.event().describe()))
        .contains("continued as release 3 (canary)");
    assertThat(AppState.replay("shop", sim.log)).isEqualTo(sim.state);
  }

  @Test
  void aShadowWhoseResponsesDifferFailsWithoutUsersSeeingIt() throws Exception {
    Sim sim = stable(SHADOW);
    sim.append(Commands.deploy(sim.state, sim.spec, "v2", false, "t"));
    tick(sim);
    sim.healthy("v2", 1);
    tick(sim);
    measure(
        sim,
        "shadow",
        new AnalysisResult(Verdict.FAIL, 0.0, "diffs 12% > max 1%", 100, 100, List.of()));
    assertThat(sim.state.release().phase()).isEqualTo(ReleasePhase.FAILED);
    assertThat(sim.state.release().reason()).startsWith("shadow analysis: 1 failed measurement");
    assertThat(sim.state.weights()).isEqualTo(Map.of("v1", 100));
    tick(sim);
    assertThat(sim.state.versions()).containsOnlyKeys("v1");
  }
}
