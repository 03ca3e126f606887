package dev.sluice.core.release;

import dev.sluice.core.spec.StrategySpec;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The world an app's state asks for: which versions run and how traffic is split. The controller
 * makes the runtime and the router match it after every decision, and after a restart.
 *
 * @param versions versions that should run
 * @param weights the main listener's weights
 * @param preview the version the preview listener routes to; null when there is none
 */
public record Desired(
    Map<String, VersionState> versions, Map<String, Integer> weights, @Nullable String preview) {

  public static Desired of(AppState state) {
    String preview =
        state
            .active()
            .filter(
                r ->
                    r.spec().strategy() instanceof StrategySpec.BlueGreen bg
                        && bg.previewListen() != null)
            .map(Release::version)
            .orElse(null);
    return new Desired(state.versions(), state.weights(), preview);
  }
}
