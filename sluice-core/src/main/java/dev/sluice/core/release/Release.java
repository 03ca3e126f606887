package dev.sluice.core.release;

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
 * @param promoteRequested someone asked it to go on past a pause
 * @param hookResults the hook phases that have finished, and whether they passed
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
    Map<String, Boolean> hookResults) {

  public Release {
    hookResults = Map.copyOf(hookResults);
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

  Release withHookResult(String hookPhase, boolean passed) {
    Map<String, Boolean> results = new HashMap<>(hookResults);
    results.put(hookPhase, passed);
    return new Release(
        revision,
        version,
        from,
        trigger,
        spec,
        phase,
        startedAt,
        phaseSince,
        reason,
        promoteRequested,
        results);
  }

  Release inPhase(ReleasePhase next, Instant at, @Nullable String why) {
    return new Release(
        revision,
        version,
        from,
        trigger,
        spec,
        next,
        startedAt,
        at,
        why,
        promoteRequested,
        hookResults);
  }

  Release withPromoteRequested() {
    return new Release(
        revision,
        version,
        from,
        trigger,
        spec,
        phase,
        startedAt,
        phaseSince,
        reason,
        true,
        hookResults);
  }
}
