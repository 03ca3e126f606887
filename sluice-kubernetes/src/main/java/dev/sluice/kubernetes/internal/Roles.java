package dev.sluice.kubernetes.internal;

import dev.sluice.core.release.AppState;
import dev.sluice.core.release.Release;
import dev.sluice.core.spec.StrategySpec;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Which version plays which part in an app's traffic: the stable one behind the stable Service, the
 * new one behind the canary (or preview) Service, and their weights.
 *
 * <p>The stable version keeps its part while a canary's weight grows past half: swapping the two
 * Services' selectors mid-release would move traffic in two steps that are not atomic. Only when
 * the release succeeds (the state's stable version changes) does the stable Service switch.
 *
 * @param stable the version behind the stable Service; null before any version takes traffic
 * @param canary the new version, behind the canary Service; null when no release needs one
 * @param stableWeight the stable Service's weight
 * @param canaryWeight the canary Service's weight
 * @param preview the version a blue-green release previews (the canary of a blue-green); null when
 *     none
 */
public record Roles(
    @Nullable String stable,
    @Nullable String canary,
    int stableWeight,
    int canaryWeight,
    @Nullable String preview) {

  /** The parts of the versions of {@code state}. */
  public static Roles of(AppState state) {
    Map<String, Integer> weights = state.weights();
    String release = state.active().map(Release::version).orElse(null);
    String stable = state.stableVersion();
    if (stable == null || !state.versions().containsKey(stable) && !weights.containsKey(stable)) {
      stable = heaviest(weights, release);
    }
    String canary = null;
    for (Map.Entry<String, Integer> w : weights.entrySet()) {
      if (w.getValue() > 0 && !w.getKey().equals(stable)) {
        canary = w.getKey();
      }
    }
    if (canary == null && release != null && !release.equals(stable)) {
      canary = release;
    }
    if (stable == null && canary != null && weights.getOrDefault(canary, 0) == 0) {
      // a first release before its switch: nothing serves users yet
      return new Roles(null, canary, 0, 0, blueGreen(state) ? canary : null);
    }
    int sw = stable == null ? 0 : weights.getOrDefault(stable, 0);
    int cw = canary == null ? 0 : weights.getOrDefault(canary, 0);
    String preview = canary != null && release != null && blueGreen(state) ? canary : null;
    return new Roles(stable, canary, sw, cw, preview);
  }

  /** The role label of {@code version}'s Deployment: stable, preview, canary, or null for none. */
  public @Nullable String roleOf(String version) {
    if (version.equals(stable)) {
      return "stable";
    }
    if (version.equals(preview)) {
      return "preview";
    }
    return version.equals(canary) ? "canary" : null;
  }

  private static boolean blueGreen(AppState state) {
    return state
        .active()
        .map(r -> r.spec().strategy() instanceof StrategySpec.BlueGreen)
        .orElse(false);
  }

  private static @Nullable String heaviest(Map<String, Integer> weights, @Nullable String not) {
    String best = null;
    int max = 0;
    for (Map.Entry<String, Integer> w : new java.util.TreeMap<>(weights).entrySet()) {
      if (w.getValue() > max && !w.getKey().equals(not)) {
        best = w.getKey();
        max = w.getValue();
      }
    }
    if (best == null && not != null && weights.getOrDefault(not, 0) > 0) {
      return not; // a first release that already took all traffic
    }
    return best;
  }
}
