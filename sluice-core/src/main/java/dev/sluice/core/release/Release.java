package dev.sluice.core.release;

import dev.sluice.core.analysis.AnalysisRun;
import dev.sluice.core.spec.AppSpec;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One release of an app: a version moving towards stable under a strategy.
 *
 * @param revision the release's number
 * @param from the stable version when it started; null for a first release
 * @param trigger {@code deploy} or {@code rollback}
 * @param spec the app's spec as it was when the release started
 * @param phase where it is
 * @param startedAt when it started (the progress deadline counts from here)
 * @param phaseSince when it entered its phase
 * @param reason why it paused, failed, rolled back or was aborted; null otherwise
 * @param promoteRequested someone asked it to go on past the current pause
 * @param fullPromotion someone asked it to skip its remaining steps
 * @param skipSteps it goes straight to promotion (a first release, or a rollback within the
 *     canary's rollbackWindow)
 * @param step the index of the canary step it is at
 * @param stepSince when it reached that step
 * @param hookResults the hook phases that have finished, and whether they passed
 * @param promoteVersion the arm a person chose to promote (experiments); null otherwise
 * @param runs the release's analysis runs by name: {@code background}, {@code step-N} (a canary
 *     step), {@code batch} (between rolling batches)
 */
public record Release(
    int revision,
    String version,
    @Nullable String from,
    String trigger,
    AppSpec spec,
    ReleasePhase phase,
    Instant startedAt,
    Instant phaseSince,
    @Nullable String reason,
    boolean promoteRequested,
    boolean fullPromotion,
    boolean skipSteps,
    int step,
    Instant stepSince,
    Map<String, Boolean> hookResults,
    @Nullable String promoteVersion,
    Map<String, AnalysisRun> runs) {

  public Release {
    hookResults = Map.copyOf(hookResults);
    runs = Map.copyOf(runs);
  }

  /** A release that just started. */
  static Release started(
      int revision,
      String version,
      @Nullable String from,
      String trigger,
      AppSpec spec,
      ReleasePhase first,
      boolean skipSteps,
      Instant at) {
    return new Release(
        revision, version, from, trigger, spec, first, at, at, null, false, false, skipSteps, 0, at,
        Map.of(), null, Map.of());
  }

  /**
   * The hook phase that should be running now and has not finished, or null. Hooks are run by the
   * controller while this names them, so a restart runs an unfinished phase again.
   */
  public @Nullable String dueHooks() {
    String phaseName =
        switch (phase) {
          case PRE_ROLLOUT -> "preRollout";
          case PRE_PROMOTION -> "prePromotion";
          case SUCCEEDED -> "postPromotion";
          case ROLLED_BACK -> "onRollback";
          default -> null;
        };
    if (phaseName == null || hookResults.containsKey(phaseName)) {
      return null;
    }
    boolean any =
        switch (phaseName) {
          case "preRollout" -> !spec.hooks().preRollout().isEmpty();
          case "prePromotion" -> !spec.hooks().prePromotion().isEmpty();
          case "postPromotion" -> !spec.hooks().postPromotion().isEmpty();
          default -> !spec.hooks().onRollback().isEmpty();
        };
    return any ? phaseName : null;
  }

  Release inPhase(ReleasePhase next, Instant at, @Nullable String why) {
    Copy c = new Copy(this);
    c.phase = next;
    c.phaseSince = at;
    c.reason = why;
    return c.build();
  }

  Release withPromoteRequested(boolean full, @Nullable String version) {
    Copy c = new Copy(this);
    c.promoteRequested = true;
    c.fullPromotion = fullPromotion || full;
    if (version != null) {
      c.promoteVersion = version;
    }
    return c.build();
  }

  /** At step {@code index} from {@code at}; a promotion asked for the last pause is used up. */
  Release atStep(int index, Instant at) {
    Copy c = new Copy(this);
    c.promoteRequested = false;
    c.step = index;
    c.stepSince = at;
    return c.build();
  }

  /** With one analysis run replaced (or added). */
  Release withRun(String name, AnalysisRun run) {
    Copy c = new Copy(this);
    c.runs.put(name, run);
    return c.build();
  }

  Release withHookResult(String hookPhase, boolean passed) {
    Copy c = new Copy(this);
    c.hookResults.put(hookPhase, passed);
    return c.build();
  }

  /** The fields that change as a release goes on, copied to make the next value. */
  private static final class Copy {
    private final Release from;
    ReleasePhase phase;
    Instant phaseSince;
    @Nullable String reason;
    boolean promoteRequested;
    boolean fullPromotion;
    int step;
    Instant stepSince;
    final Map<String, Boolean> hookResults;
    @Nullable String promoteVersion;
    final Map<String, AnalysisRun> runs;

    Copy(Release r) {
      from = r;
      phase = r.phase;
      phaseSince = r.phaseSince;
      reason = r.reason;
      promoteRequested = r.promoteRequested;
      fullPromotion = r.fullPromotion;
      step = r.step;
      stepSince = r.stepSince;
      hookResults = new HashMap<>(r.hookResults);
      promoteVersion = r.promoteVersion;
      runs = new HashMap<>(r.runs);
    }

    Release build() {
      return new Release(
          from.revision,
          from.version,
          from.from,
          from.trigger,
          from.spec,
          phase,
          from.startedAt,
          phaseSince,
          reason,
          promoteRequested,
          fullPromotion,
          from.skipSteps,
          step,
          stepSince,
          hookResults,
          promoteVersion,
          runs);
    }
  }
}
