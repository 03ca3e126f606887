package dev.sluice.core.release;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.sluice.core.analysis.AnalysisResult;
import dev.sluice.core.analysis.AnalysisResult.Verdict;
import dev.sluice.core.analysis.AnalysisRun;
import dev.sluice.core.analysis.Classification;
import dev.sluice.core.analysis.Measurement;
import dev.sluice.core.analysis.MetricUnit;
import dev.sluice.core.event.Event;
import dev.sluice.core.spec.SpecParser;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The results {@code sluice status} and {@code sluice history} show for experiments and shadows,
 * derived from recorded measurements, live and replayed from the log.
 */
class ReleaseResultsTest {

  private static final String EXPERIMENT =
      """
      apps:
        - name: shop
          listen: 127.0.0.1:8080
          runtime: {process: {command: [app], replicas: 2}}
          strategy:
            experiment:
              variants: [{version: v1, weight: 50}, {version: v2, weight: 50}]
              duration: 10m
              autoPromote: winner
              analysis: {interval: 1m, window: 2m, metrics: [{name: p50, builtin: latency_p50}, {name: errors, builtin: error_rate}]}
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
              compare: {body: json}
              analysis: {interval: 1s, count: 2, metrics: [{name: diffs, builtin: diff_rate, max: 0.01}]}
              then: {canary: {steps: [{setWeight: 50}]}}
      """;

  private final Map<String, AnalysisResult> measured = new HashMap<>();

  private static final Measurement.Test SIGNIFICANT =
      new Measurement.Test(0.98, 1.0e-6, 0.1, -2.0, -3.0, -1.0);

  /** v2 answers 2 ms faster (judged Low: better), with as many errors as v1. */
  private static AnalysisResult faster() {
    return new AnalysisResult(
        Verdict.PASS,
        100.0,
        "",
        480,
        520,
        List.of(
            new Measurement(
                "p50",
                MetricUnit.MILLISECONDS,
                10.0,
                12.0,
                Classification.PASS,
                "",
                480,
                null,
                Classification.LOW,
                SIGNIFICANT,
                null),
            new Measurement(
                "errors",
                MetricUnit.RATIO,
                0.01,
                0.01,
                Classification.PASS,
                "no significant difference (Mann-Whitney p=1 >= 0.02)",
                480,
                null,
                Classification.PASS,
                new Measurement.Test(0.98, 1.0, 0.5, null, null, null),
                null)));
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

  private static Sim experimentRunning() throws Exception {
    Sim sim = stable(EXPERIMENT);
    sim.append(Commands.deploy(sim.state, sim.spec, "v2", false, "t"));
    sim.tick();
    sim.healthy("v2", 1);
    sim.tick();
    return sim;
  }

  @Test
  void anExperimentReportsEachArmsDifferenceConfidenceAndVerdictWhileItRuns() throws Exception {
    Sim sim = experimentRunning();
    ExperimentResult before = ReleaseResults.of(sim.state, 0).experiment();
    assertThat(before.arms()).extracting(ExperimentResult.Arm::version).containsExactly("v1", "v2");
    assertThat(before.arms().get(1).requests()).isNull();
    assertThat(before.arms().get(1).verdict()).isEqualTo(ExperimentResult.Verdict.NO_DATA);
    assertThat(before.better()).isNull();

    measure(sim, "arm-v2", faster());
    ReleaseResults.Entry entry = ReleaseResults.of(sim.state, 0);
    assertThat(entry.strategy()).isEqualTo("experiment");
    ExperimentResult e = entry.experiment();
    assertThat(e.baseline()).isEqualTo("v1");
    assertThat(e.window()).isEqualTo(Duration.ofMinutes(2));
    ExperimentResult.Arm base = e.arms().get(0);
    assertThat(base.baseline()).isTrue();
    assertThat(base.requests()).isEqualTo(520L);
    ExperimentResult.Arm v2 = e.arms().get(1);
    assertThat(v2.requests()).isEqualTo(480L);
    assertThat(v2.measurements()).isEqualTo(1);
    assertThat(v2.run()).isEqualTo("RUNNING");
    assertThat(v2.verdict()).isEqualTo(ExperimentResult.Verdict.BETTER);
    ExperimentResult.Metric p50 = v2.metrics().get(0);
    assertThat(p50.value()).isEqualTo(10.0);
    assertThat(p50.baseline()).isEqualTo(12.0);
    assertThat(p50.difference()).isEqualTo(-2.0);
    assertThat(p50.relative()).isCloseTo(-1.0 / 6, within(1e-12));
    assertThat(p50.p()).isEqualTo(1.0e-6);
    assertThat(p50.confidence()).isEqualTo(0.98);
    assertThat(p50.verdict()).isEqualTo(ExperimentResult.Verdict.BETTER);
    assertThat(p50.describe())
        .isEqualTo("p50 10ms vs 12ms: -2ms (-16.7%), p=1e-6 at 98%, shift -3ms..-1ms: better");
    ExperimentResult.Metric errors = v2.metrics().get(1);
    assertThat(errors.difference()).isEqualTo(0.0);
    assertThat(errors.verdict()).isEqualTo(ExperimentResult.Verdict.NO_DIFFERENCE);
    assertThat(errors.describe())
        .isEqualTo("errors 1% vs 1%: 0% (0%), p=1 at 98%: no significant difference");
    assertThat(e.better()).isEqualTo("v2");
    assertThat(e.winner()).isNull();
  }

  @Test
  void theWinnerAndTheFinalResultOfAnExperimentAreReplayedForHistory() throws Exception {
    Sim sim = experimentRunning();
    measure(sim, "arm-v2", faster());
    sim.clock.advance(Duration.ofMinutes(10));
    tick(sim);
    assertThat(sim.state.stableVersion()).isEqualTo("v2");

    ExperimentResult now = ReleaseResults.of(sim.state, 0).experiment();
    assertThat(now.winner()).isEqualTo("v2");
    assertThat(now.chosenBy()).isEqualTo("judge");

    List<ReleaseResults.Entry> history = ReleaseResults.replay("shop", sim.log);
    assertThat(history).hasSize(1);
    ReleaseResults.Entry past = history.get(0);
    assertThat(past.revision()).isEqualTo(2);
    assertThat(past.status()).isEqualTo(sim.state.release().phase().status());
    long succeeded =
        sim.log.stream()
            .filter(r -> r.event() instanceof Event.ReleaseSucceeded s && s.version().equals("v2"))
            .findFirst()
            .orElseThrow()
            .seq();
    assertThat(past.endSeq()).isEqualTo(succeeded);
    assertThat(past.experiment()).isEqualTo(now);
  }

  @Test
  void aBaselineChosenByAPersonIsTheWinnerChosenByAPerson() throws Exception {
    Sim sim = experimentRunning();
    measure(sim, "arm-v2", faster());
    sim.append(Commands.promote(sim.state, false, "v1", "alice"));
    tick(sim);
    ExperimentResult e = ReleaseResults.of(sim.state, 0).experiment();
    assertThat(e.winner()).isEqualTo("v1");
    assertThat(e.chosenBy()).isEqualTo("person");
    // the judge still found v2 better; the person chose otherwise
    assertThat(e.better()).isEqualTo("v2");
  }

  @Test
  void aShadowReportsItsLastDiffRateOverTheComparedPairsLiveAndInHistory() throws Exception {
    Sim sim = stable(SHADOW);
    sim.append(Commands.deploy(sim.state, sim.spec, "v2", false, "t"));
    sim.tick();
    sim.healthy("v2", 1);
    sim.tick();
    ShadowResult waiting = ReleaseResults.of(sim.state, 0).shadow();
    assertThat(waiting.metric()).isEqualTo("diffs");
    assertThat(waiting.diffRate()).isNull();
    assertThat(waiting.run()).isEqualTo("RUNNING");

    Measurement diffs =
        new Measurement(
            "diffs",
            MetricUnit.RATIO,
            0.02,
            null,
            Classification.HIGH,
            "2% > max 1%",
            250,
            null,
            null,
            null,
            250L);
    measure(
        sim, "shadow", new AnalysisResult(Verdict.FAIL, 0.0, "score 0", 250, 300, List.of(diffs)));
    assertThat(sim.state.release().phase()).isEqualTo(ReleasePhase.FAILED);
    ShadowResult failed = ReleaseResults.of(sim.state, 0).shadow();
    assertThat(failed.version()).isEqualTo("v2");
    assertThat(failed.percent()).isEqualTo(50);
    assertThat(failed.diffRate()).isEqualTo(0.02);
    assertThat(failed.compared()).isEqualTo(250L);
    assertThat(failed.measurements()).isEqualTo(1);
    assertThat(failed.run()).isEqualTo("FAILED");
    assertThat(failed.reason()).startsWith("1 failed measurement");

    List<ReleaseResults.Entry> history = ReleaseResults.replay("shop", sim.log);
    assertThat(history).singleElement().satisfies(h -> assertThat(h.shadow()).isEqualTo(failed));
    assertThat(history.get(0).status()).isEqualTo("Failed");
  }

  @Test
  void releasesOfOtherStrategiesHaveNoResults() throws Exception {
    Sim sim = stable(SHADOW);
    assertThat(ReleaseResults.of(sim.state, 0)).isNull();
    assertThat(ReleaseResults.replay("shop", sim.log)).isEmpty();
  }
}
