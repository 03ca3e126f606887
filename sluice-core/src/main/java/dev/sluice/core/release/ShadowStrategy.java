package dev.sluice.core.release;

import dev.sluice.core.analysis.AnalysisRun;
import dev.sluice.core.event.Event;
import dev.sluice.core.event.Event.Paused;
import dev.sluice.core.event.Event.ReleaseContinued;
import dev.sluice.core.event.Event.ReleaseFailed;
import dev.sluice.core.event.Event.ReleaseStarted;
import dev.sluice.core.event.Event.ReplicasSet;
import dev.sluice.core.event.Event.StepReached;
import dev.sluice.core.spec.SpecException;
import dev.sluice.core.spec.SpecParser;
import dev.sluice.core.spec.StrategySpec;
import java.time.Instant;
import java.util.List;

/**
 * Shadow: the new version runs beside the stable one and gets copies of (a share of) the requests;
 * users only ever see the stable version's answers. The router compares the two answers and counts
 * a {@code diff_rate}; an analysis on it (and on the shadow's errors and latency) decides.
 *
 * <p>A failed analysis fails the release (nobody saw the new version). A passed one lets the
 * release go on as the shadow's {@code then} strategy for the same version — a canary, usually: the
 * release is marked continued and a new release starts with the spec's strategy replaced, so the
 * running replicas are reused. That happens by itself with {@code autoPromote}, else on {@code
 * sluice promote}; without an analysis a person decides.
 */
final class ShadowStrategy implements ReleaseStrategy {

  @Override
  public List<Event> decide(AppState state, Release r, Observations observed, Instant now) {
    StrategySpec.Shadow sh = (StrategySpec.Shadow) r.spec().strategy();
    List<Event> measured = Analyses.record(r, observed);
    if (!measured.isEmpty()) {
      return measured;
    }
    return switch (r.phase()) {
      case PRE_ROLLOUT -> Hooks.outcome(r, observed, "preRollout");
      case STEPS, PAUSED ->
          r.step() == 0 ? start(state, r, sh, observed, now) : watch(state, r, sh);
      default -> List.of();
    };
  }

  /** How many replicas the shadow runs: its share of the full size, at least one. */
  static int size(Release r, StrategySpec.Shadow sh) {
    int full = Replicas.of(r.spec(), r.version());
    return Math.max(1, (full * sh.percent() + 99) / 100);
  }

  private List<Event> start(
      AppState state, Release r, StrategySpec.Shadow sh, Observations observed, Instant now) {
    int want = size(r, sh);
    VersionState v = state.versions().get(r.version());
    if (v == null || v.replicas() < want) {
      return List.of(new ReplicasSet(r.version(), r.revision(), want));
    }
    if (state.stableVersion() == null) {
      return List.of(new ReleaseFailed("a shadow needs a stable version to copy requests from"));
    }
    if (observed.of(r.version()).healthy() < want) {
      if (now.isBefore(r.startedAt().plus(r.spec().progressDeadline()))) {
        return List.of();
      }
      return List.of(
          new ReleaseFailed(
              r.version()
                  + " was not healthy within progressDeadline: "
                  + observed.of(r.version()).detail()));
    }
    return List.of(new StepReached(1, "shadowing " + sh.percent() + "% of requests"));
  }

  private List<Event> watch(AppState state, Release r, StrategySpec.Shadow sh) {
    AnalysisRun run = r.runs().get("shadow");
    if (run != null && Analyses.failed(run)) {
      return List.of(new ReleaseFailed("shadow analysis: " + run.reason()));
    }
    boolean agreed = run == null || Analyses.passed(run);
    if (agreed && (r.promoteRequested() || (sh.autoPromote() && run != null))) {
      return continueAs(state, r, sh);
    }
    if (r.phase() == ReleasePhase.PAUSED) {
      return List.of();
    }
    if (run != null && run.status() == AnalysisRun.Status.INCONCLUSIVE) {
      return List.of(
          new Paused(
              "shadow analysis inconclusive ("
                  + run.reason()
                  + "); 'sluice abort "
                  + state.app()
                  + "' stops it, a new deploy starts over"));
    }
    if (agreed && !sh.autoPromote()) {
      return List.of(
          new Paused(
              (run == null ? "shadowing" : "responses agree")
                  + "; 'sluice promote "
                  + state.app()
                  + "' goes on as "
                  + sh.then().kind()));
    }
    return List.of();
  }

  /** Ends the shadow release and starts its continuation with the {@code then} strategy. */
  private static List<Event> continueAs(AppState state, Release r, StrategySpec.Shadow sh) {
    String spec;
    try {
      spec = SpecParser.withStrategy(r.spec().snapshot(), sh.thenSnapshot());
    } catch (SpecException e) {
      return List.of(new ReleaseFailed("cannot continue the shadow: " + e.getMessage()));
    }
    int next = state.lastRevision() + 1;
    return List.of(
        new ReleaseContinued(next, sh.then().kind()),
        new ReleaseStarted(
            next, r.version(), sh.then().kind(), state.stableVersion(), "shadow", spec, false));
  }
}
