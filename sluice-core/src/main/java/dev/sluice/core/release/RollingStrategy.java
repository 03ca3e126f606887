package dev.sluice.core.release;

import dev.sluice.core.analysis.AnalysisRun;
import dev.sluice.core.event.Event;
import dev.sluice.core.event.Event.ReleaseSucceeded;
import dev.sluice.core.event.Event.ReplicasSet;
import dev.sluice.core.event.Event.RolledBack;
import dev.sluice.core.event.Event.StepReached;
import dev.sluice.core.event.Event.TrafficSet;
import dev.sluice.core.spec.Durations;
import dev.sluice.core.spec.StrategySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Rolling: the stable version's replicas are replaced by the new version's a batch at a time, with
 * the semantics of a Kubernetes Deployment's RollingUpdate: at most {@code replicas + maxSurge}
 * replicas run, and at least {@code replicas - maxUnavailable} are healthy. With {@code
 * maxUnavailable: 0} every new replica is healthy before an old one stops.
 *
 * <p>Traffic follows the healthy replicas: each version's weight is its share of them, so every
 * replica of either version gets about the same load. Each batch is a {@code StepReached} event; if
 * no batch completes within {@code progressDeadline}, the old version is scaled back up and gets
 * the traffic back once healthy.
 */
final class RollingStrategy implements ReleaseStrategy {

  @Override
  public List<Event> decide(AppState state, Release r, Observations observed, Instant now) {
    return switch (r.phase()) {
      case PRE_ROLLOUT -> Hooks.outcome(r, observed, "preRollout");
      case PRE_PROMOTION -> Hooks.outcome(r, observed, "prePromotion");
      case STEPS, PAUSED -> {
        List<Event> measured = Analyses.record(r, observed);
        yield measured.isEmpty() ? batch(state, r, observed, now) : measured;
      }
      case PROMOTING ->
          List.of(new TrafficSet(Map.of(r.version(), 100)), new ReleaseSucceeded(r.version()));
      default -> List.of();
    };
  }

  private List<Event> batch(AppState state, Release r, Observations observed, Instant now) {
    StrategySpec.Rolling rolling = (StrategySpec.Rolling) r.spec().strategy();
    int n = Replicas.of(r.spec(), r.version());
    String old = state.stableVersion();
    VersionState oldState = old == null ? null : state.versions().get(old);
    int oldR = oldState == null ? 0 : oldState.replicas();
    int newR = replicas(state, r.version());
    int newH = Math.min(observed.of(r.version()).healthy(), newR);
    int oldH = old == null ? 0 : Math.min(observed.of(old).healthy(), oldR);

    if (newR == n && newH == n && oldR == 0) {
      return List.of(new StepReached(1, "promotion"));
    }
    List<Event> out = new ArrayList<>();
    AnalysisRun run = Analyses.latestBatch(r);
    boolean holding = false;
    if (run != null && !Analyses.passed(run) && !r.promoteRequested()) {
      if (Analyses.failed(run)) {
        return restore(state, r, "analysis after a batch: " + run.reason());
      }
      if (run.status() == AnalysisRun.Status.INCONCLUSIVE) {
        return r.phase() == ReleasePhase.PAUSED
            ? List.of()
            : List.of(
                new Event.Paused(
                    "analysis after a batch inconclusive ("
                        + run.reason()
                        + "); 'sluice promote "
                        + state.app()
                        + "' goes on, 'sluice abort "
                        + state.app()
                        + "' stops"));
      }
      holding = true; // the next batch waits for the analysis of this one
    }
    int minAvailable = n - rolling.unavailable(n);
    int remove = holding ? 0 : Math.max(0, Math.min(oldR, oldH + newH - minAvailable));
    // never stop old replicas faster than healthy new ones arrive beyond the unavailability budget
    int oldAfter = oldR - remove;
    int newTarget = Math.min(n, n + rolling.surge(n) - oldAfter);
    if (newTarget > newR) {
      out.add(new ReplicasSet(r.version(), r.revision(), newTarget));
    }
    if (remove > 0 && oldState != null) {
      Map<String, Integer> weights = proportional(old, Math.min(oldH, oldAfter), r.version(), newH);
      if (!weights.isEmpty() && !weights.equals(state.weights())) {
        out.add(new TrafficSet(weights));
      }
      out.add(new ReplicasSet(old, oldState.revision(), oldAfter));
      out.add(
          new StepReached(
              0,
              r.version() + " " + newH + "/" + n + " healthy, " + old + " " + oldAfter + "/" + n));
      return out;
    }
    Map<String, Integer> weights = proportional(old, oldH, r.version(), newH);
    if (!weights.isEmpty() && !weights.equals(state.weights())) {
      out.add(new TrafficSet(weights));
    }
    if (out.isEmpty()
        && !holding
        && !now.isBefore(r.stepSince().plus(r.spec().progressDeadline()))) {
      return restore(
          state,
          r,
          "no batch completed within progressDeadline "
              + Durations.format(r.spec().progressDeadline())
              + ": "
              + r.version()
              + " "
              + newH
              + "/"
              + newR
              + " healthy"
              + (observed.of(r.version()).detail().isEmpty()
                  ? ""
                  : " (" + observed.of(r.version()).detail() + ")"));
    }
    return out;
  }

  /** Weights in proportion to healthy replicas; empty when neither has any. */
  static Map<String, Integer> proportional(String old, int oldCount, String neu, int newCount) {
    Map<String, Integer> w = new LinkedHashMap<>();
    if (oldCount + newCount == 0) {
      return w;
    }
    int oldWeight = old == null ? 0 : Math.round(100f * oldCount / (oldCount + newCount));
    if (old != null && oldWeight > 0) {
      w.put(old, oldWeight);
    }
    if (100 - oldWeight > 0) {
      w.put(neu, 100 - oldWeight);
    }
    return w;
  }

  /**
   * Gives up: the old version is scaled back to full size and gets the traffic back once its
   * replicas are healthy (housekeeping in {@link Decider}); the new one then stops.
   */
  static List<Event> restore(AppState state, Release r, String why) {
    String old = state.stableVersion();
    if (old == null) {
      return List.of(new Event.ReleaseFailed(why));
    }
    List<Event> out = new ArrayList<>();
    out.add(new RolledBack(old, why));
    out.addAll(Commands.restoreStable(state));
    return out;
  }

  private static int replicas(AppState state, String version) {
    VersionState v = state.versions().get(version);
    return v == null ? 0 : v.replicas();
  }
}
