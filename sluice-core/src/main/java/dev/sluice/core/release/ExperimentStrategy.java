package dev.sluice.core.release;

import dev.sluice.core.analysis.AnalysisResult;
import dev.sluice.core.analysis.AnalysisRun;
import dev.sluice.core.analysis.Classification;
import dev.sluice.core.analysis.Measurement;
import dev.sluice.core.analysis.MetricSpec;
import dev.sluice.core.event.Event;
import dev.sluice.core.event.Event.Paused;
import dev.sluice.core.event.Event.ReleaseSucceeded;
import dev.sluice.core.event.Event.ReplicasSet;
import dev.sluice.core.event.Event.RolledBack;
import dev.sluice.core.event.Event.StepReached;
import dev.sluice.core.event.Event.TrafficSet;
import dev.sluice.core.spec.Durations;
import dev.sluice.core.spec.StrategySpec;
import dev.sluice.core.spec.StrategySpec.Experiment.Arm;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * An A/B experiment: every arm runs (replicas by its weight, at least 1), users are split between
 * them by weight (sticky per user, in the router), and each challenger arm is measured against the
 * first arm, the baseline, every analysis interval for {@code duration}.
 *
 * <p>Deciding. For each challenger, its last measurement says, per metric, whether it is
 * significantly higher or lower than the baseline (the Mann-Whitney judge on latency and errors,
 * the conditions on the rest). Latency and errors are better low, so a challenger is <b>better</b>
 * when some metric is Low and none High, <b>worse</b> when some metric is High. With {@code
 * autoPromote: winner} the experiment ends by itself when exactly one arm is better than all others
 * (a better challenger; or the baseline when every challenger is worse); otherwise it pauses for
 * {@code sluice promote APP --version V}. A challenger whose analysis run fails on a critical
 * metric ends the experiment at once, back on the stable version; a challenger that is only worse
 * on a metric that is not critical runs to the end of the duration and loses.
 */
final class ExperimentStrategy implements ReleaseStrategy {

  @Override
  public List<Event> decide(AppState state, Release r, Observations observed, Instant now) {
    StrategySpec.Experiment e = (StrategySpec.Experiment) r.spec().strategy();
    List<Event> measured = Analyses.record(r, observed);
    if (!measured.isEmpty()) {
      return measured;
    }
    if (r.promoteVersion() != null && e.arm(r.promoteVersion()) != null) {
      return promote(r.promoteVersion());
    }
    return switch (r.phase()) {
      case PRE_ROLLOUT -> Hooks.outcome(r, observed, "preRollout");
      case STEPS, PAUSED -> r.step() == 0 ? start(state, r, e, observed) : run(state, r, e, now);
      default -> List.of();
    };
  }

  /** Starts every arm; once all are healthy, splits the traffic and starts measuring. */
  private List<Event> start(
      AppState state, Release r, StrategySpec.Experiment e, Observations observed) {
    List<Event> out = new ArrayList<>();
    boolean healthy = true;
    for (Arm arm : e.arms()) {
      int full = Replicas.of(r.spec(), arm.version());
      int want = Math.max(1, (full * arm.weight() + 99) / 100);
      VersionState v = state.versions().get(arm.version());
      if (v == null || v.replicas() < want) {
        out.add(
            new ReplicasSet(
                arm.version(), r.revision(), Math.max(want, v == null ? 0 : v.replicas())));
      }
      healthy &= observed.of(arm.version()).healthy() >= want;
    }
    if (!out.isEmpty() || !healthy) {
      return out;
    }
    Map<String, Integer> weights = new LinkedHashMap<>();
    e.arms().forEach(a -> weights.put(a.version(), a.weight()));
    return List.of(
        new TrafficSet(weights),
        new StepReached(1, "experiment for " + Durations.format(e.duration())));
  }

  private List<Event> run(AppState state, Release r, StrategySpec.Experiment e, Instant now) {
    for (Map.Entry<String, AnalysisRun> run : r.runs().entrySet()) {
      if (Analyses.failed(run.getValue()) && criticalFailed(run.getValue(), e)) {
        String stable = state.stableVersion();
        String why = "experiment arm " + run.getKey().substring(4) + ": " + run.getValue().reason();
        if (stable == null) {
          return List.of(new Event.ReleaseFailed(why));
        }
        return List.of(new RolledBack(stable, why), new TrafficSet(Map.of(stable, 100)));
      }
    }
    if (now.isBefore(r.stepSince().plus(e.duration()))) {
      return List.of();
    }
    String winner = winner(r, e);
    if (winner != null && e.autoPromoteWinner()) {
      return promote(winner);
    }
    if (r.phase() == ReleasePhase.PAUSED) {
      return List.of();
    }
    return List.of(
        new Paused(
            "experiment over: "
                + (winner == null ? "no arm is significantly better" : winner + " is better")
                + "; 'sluice promote "
                + state.app()
                + " --version V' ends it with V"));
  }

  /**
   * Whether the run's last measurement failed on a critical metric. An arm that is merely worse on
   * a metric is a result of the experiment, not a reason to end it before its duration.
   */
  private static boolean criticalFailed(AnalysisRun run, StrategySpec.Experiment e) {
    AnalysisResult last = run.last();
    if (last == null) {
      return false;
    }
    for (Measurement m : last.measurements()) {
      MetricSpec metric = e.analysis().metric(m.metric());
      Classification c = m.classification();
      if (metric != null
          && metric.critical()
          && c != Classification.PASS
          && c != Classification.ERROR
          && c != Classification.NODATA) {
        return true;
      }
    }
    return false;
  }

  private static List<Event> promote(String version) {
    return List.of(new TrafficSet(Map.of(version, 100)), new ReleaseSucceeded(version));
  }

  /** The arm better than all others by the last measurements, or null when there is none. */
  static @Nullable String winner(Release r, StrategySpec.Experiment e) {
    List<String> better = new ArrayList<>();
    boolean allWorse = true;
    for (Arm arm : e.arms().subList(1, e.arms().size())) {
      AnalysisRun run = r.runs().get("arm-" + arm.version());
      AnalysisResult last = run == null ? null : run.last();
      ExperimentResult.Verdict v =
          last == null ? ExperimentResult.Verdict.NO_DATA : ExperimentResult.verdict(last);
      if (v == ExperimentResult.Verdict.BETTER) {
        better.add(arm.version());
      }
      allWorse &= v == ExperimentResult.Verdict.WORSE;
    }
    if (better.size() == 1) {
      return better.get(0);
    }
    return better.isEmpty() && allWorse ? e.arms().get(0).version() : null;
  }
}
