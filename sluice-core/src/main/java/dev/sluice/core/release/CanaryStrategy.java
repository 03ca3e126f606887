package dev.sluice.core.release;

import dev.sluice.core.analysis.AnalysisRun;
import dev.sluice.core.event.Event;
import dev.sluice.core.event.Event.Paused;
import dev.sluice.core.event.Event.ReleaseSucceeded;
import dev.sluice.core.event.Event.ReplicasSet;
import dev.sluice.core.event.Event.RolledBack;
import dev.sluice.core.event.Event.StepReached;
import dev.sluice.core.event.Event.TrafficSet;
import dev.sluice.core.release.Observations.VersionHealth;
import dev.sluice.core.spec.AppSpec;
import dev.sluice.core.spec.Durations;
import dev.sluice.core.spec.StrategySpec;
import dev.sluice.core.spec.StrategySpec.CanaryStep;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Canary: the new version takes a growing share of traffic step by step (Argo Rollouts' {@code
 * setWeight} and {@code pause} steps, and Flagger's confirm-promotion gate), then is scaled to full
 * size and takes all traffic.
 *
 * <p>The stable version keeps its full size until promotion, so sending all traffic back to it
 * (abort, rollback, a failed gate) is one table swap. The canary's replicas follow its weight
 * ({@code ceil(replicas * weight / 100)}, at least 1) unless {@code canaryReplicas} fixes them; a
 * weight is set only once those replicas are healthy. A first release, and a rollback within {@code
 * rollbackWindow}, skip the steps.
 */
final class CanaryStrategy implements ReleaseStrategy {

  @Override
  public List<Event> decide(AppState state, Release r, Observations observed, Instant now) {
    AppSpec spec = r.spec();
    StrategySpec.Canary canary = (StrategySpec.Canary) spec.strategy();
    String stable = state.stableVersion();
    List<Event> measured = Analyses.record(r, observed);
    if (!measured.isEmpty()) {
      return measured;
    }
    AnalysisRun background = r.runs().get(AppState.BACKGROUND);
    if (background != null && r.phase() != ReleasePhase.PROMOTING && !r.phase().isDone()) {
      if (Analyses.failed(background)) {
        return rollback(state, r, "background analysis: " + background.reason());
      }
      if (background.status() == AnalysisRun.Status.INCONCLUSIVE) {
        return r.phase() == ReleasePhase.PAUSED
            ? List.of()
            : List.of(
                new Paused(
                    "background analysis inconclusive ("
                        + background.reason()
                        + "); 'sluice promote "
                        + state.app()
                        + "' goes on, 'sluice abort "
                        + state.app()
                        + "' stops"));
      }
    }
    return switch (r.phase()) {
      case PRE_ROLLOUT -> Hooks.outcome(r, observed, "preRollout");
      case PRE_PROMOTION -> Hooks.outcome(r, observed, "prePromotion");
      case STEPS, PAUSED -> {
        if (stable == null || r.skipSteps() || r.fullPromotion()) {
          yield List.of(new StepReached(canary.steps().size(), "promotion"));
        }
        yield step(state, r, canary, stable, observed, now);
      }
      case PROMOTING -> promote(state, r, observed, now);
      default -> List.of();
    };
  }

  private List<Event> step(
      AppState state,
      Release r,
      StrategySpec.Canary canary,
      String stable,
      Observations observed,
      Instant now) {
    int i = r.step();
    if (i >= canary.steps().size()) {
      return List.of(new StepReached(i, "promotion"));
    }
    CanaryStep step = canary.steps().get(i);
    List<Event> next =
        i + 1 < canary.steps().size()
            ? List.of(new StepReached(i + 1, describeNext(canary, i + 1)))
            : toPromotion(state, r, i + 1);
    return switch (step) {
      case CanaryStep.SetWeight w -> {
        int full = Replicas.of(r.spec(), r.version());
        int want =
            canary.canaryReplicas() != null
                ? canary.canaryReplicas()
                : Math.max(1, (full * w.weight() + 99) / 100);
        List<Event> out = new ArrayList<>();
        int have = replicas(state, r.version());
        if (want > have) {
          out.add(new ReplicasSet(r.version(), r.revision(), want));
          yield out;
        }
        if (observed.of(r.version()).healthy() < want) {
          yield notHealthyInTime(state, r, observed, now);
        }
        Map<String, Integer> weights = new LinkedHashMap<>();
        weights.put(stable, 100 - w.weight());
        weights.put(r.version(), w.weight());
        if (!weights.equals(state.weights())) {
          out.add(new TrafficSet(weights));
        }
        if (want < have) {
          out.add(new ReplicasSet(r.version(), r.revision(), want));
        }
        out.addAll(next);
        yield out;
      }
      case CanaryStep.Pause p -> {
        if (r.promoteRequested()) {
          yield next;
        }
        if (p.duration() == null) {
          yield r.phase() == ReleasePhase.PAUSED
              ? List.of()
              : List.of(
                  new Paused(
                      "step " + (i + 1) + " waits for 'sluice promote " + state.app() + "'"));
        }
        yield now.isBefore(r.stepSince().plus(p.duration())) ? List.of() : next;
      }
      case CanaryStep.Analysis a -> {
        AnalysisRun run = r.runs().get("step-" + (i + 1));
        if (run == null || Analyses.passed(run) || r.promoteRequested()) {
          yield next;
        }
        if (Analyses.failed(run)) {
          yield rollback(state, r, "analysis at step " + (i + 1) + ": " + run.reason());
        }
        if (run.status() == AnalysisRun.Status.INCONCLUSIVE && r.phase() != ReleasePhase.PAUSED) {
          yield List.of(
              new Paused(
                  "analysis at step "
                      + (i + 1)
                      + " inconclusive ("
                      + run.reason()
                      + "); 'sluice promote "
                      + state.app()
                      + "' goes on, 'sluice abort "
                      + state.app()
                      + "' stops"));
        }
        yield List.of();
      }
      case CanaryStep.Gate g -> {
        if (observed.gateOpen(r.revision(), i)) {
          yield next;
        }
        if (now.isBefore(r.stepSince().plus(g.timeout()))) {
          yield List.of();
        }
        yield rollback(
            state, r, g.describe() + " did not answer 200 within " + Durations.format(g.timeout()));
      }
    };
  }

  /**
   * The move to promotion after the last step. A background analysis that has not passed once holds
   * it (a canary judged only inconclusive or marginal has not earned all the traffic); after three
   * such measurements the release pauses for a person to decide.
   */
  private static List<Event> toPromotion(AppState state, Release r, int index) {
    AnalysisRun bg = r.runs().get(AppState.BACKGROUND);
    if (bg == null || bg.passed() > 0 || r.promoteRequested() || bg.status().done()) {
      return List.of(new StepReached(index, "promotion"));
    }
    if (bg.measurements() < 3 || r.phase() == ReleasePhase.PAUSED) {
      return List.of();
    }
    return List.of(
        new Paused(
            "background analysis has not passed once in "
                + bg.measurements()
                + " measurements (last: "
                + (bg.last() == null ? "none" : bg.last().describe())
                + "); 'sluice promote "
                + state.app()
                + "' goes on, 'sluice abort "
                + state.app()
                + "' stops"));
  }

  private static String describeNext(StrategySpec.Canary canary, int index) {
    return index >= canary.steps().size() ? "promotion" : canary.steps().get(index).describe();
  }

  private List<Event> promote(AppState state, Release r, Observations observed, Instant now) {
    int full = Replicas.of(r.spec(), r.version());
    if (replicas(state, r.version()) != full) {
      return List.of(new ReplicasSet(r.version(), r.revision(), full));
    }
    if (observed.of(r.version()).healthy() < full) {
      return notHealthyInTime(state, r, observed, now);
    }
    return List.of(new TrafficSet(Map.of(r.version(), 100)), new ReleaseSucceeded(r.version()));
  }

  private static int replicas(AppState state, String version) {
    VersionState v = state.versions().get(version);
    return v == null ? 0 : v.replicas();
  }

  /**
   * Waiting for canary replicas: after {@code progressDeadline} in one step the release is rolled
   * back (with no stable version, it fails).
   */
  private static List<Event> notHealthyInTime(
      AppState state, Release r, Observations observed, Instant now) {
    Instant since = r.phase() == ReleasePhase.PROMOTING ? r.phaseSince() : r.stepSince();
    if (now.isBefore(since.plus(r.spec().progressDeadline()))) {
      return List.of();
    }
    VersionHealth h = observed.of(r.version());
    String why =
        r.version()
            + " was not healthy within progressDeadline "
            + Durations.format(r.spec().progressDeadline())
            + ": "
            + h.healthy()
            + " replicas healthy"
            + (h.detail().isEmpty() ? "" : " (" + h.detail() + ")");
    return rollback(state, r, why);
  }

  static List<Event> rollback(AppState state, Release r, String why) {
    String stable = state.stableVersion();
    if (stable == null) {
      return List.of(new Event.ReleaseFailed(why));
    }
    List<Event> out = new ArrayList<>();
    out.add(new RolledBack(stable, why));
    if (state.weights().getOrDefault(r.version(), 0) > 0) {
      out.add(new TrafficSet(Map.of(stable, 100)));
    }
    return out;
  }
}
