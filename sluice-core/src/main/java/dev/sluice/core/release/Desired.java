package dev.sluice.core.release;

import dev.sluice.core.spec.RoutingSpec;
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
 * @param stable the stable version (what a routing rule's {@code stable} means); null before the
 *     first release
 * @param canary the version being released (what a rule's {@code canary} means); null when none
 * @param routing the rules and sticky assignment to apply (an experiment's own {@code sticky}
 *     replaces the app's)
 * @param shadow requests to copy to the version being released, when it is a shadow release that is
 *     shadowing; null otherwise
 */
public record Desired(
    Map<String, VersionState> versions,
    Map<String, Integer> weights,
    @Nullable String preview,
    @Nullable String stable,
    @Nullable String canary,
    RoutingSpec routing,
    StrategySpec.@Nullable Shadow shadow) {

  public static Desired of(AppState state) {
    Release active = state.active().orElse(null);
    String preview =
        active != null
                && active.spec().strategy() instanceof StrategySpec.BlueGreen bg
                && bg.previewListen() != null
            ? active.version()
            : null;
    RoutingSpec routing =
        active != null
            ? active.spec().routing()
            : state.stable() == null ? RoutingSpec.none() : stableRouting(state);
    if (active != null
        && active.spec().strategy() instanceof StrategySpec.Experiment e
        && e.sticky() != null) {
      routing = new RoutingSpec(routing.routes(), e.sticky());
    }
    StrategySpec.Shadow shadow =
        active != null
                && active.spec().strategy() instanceof StrategySpec.Shadow sh
                && active.step() >= 1
            ? sh
            : null;
    return new Desired(
        state.versions(),
        state.weights(),
        preview,
        state.stableVersion(),
        active == null ? null : active.version(),
        routing,
        shadow);
  }

  /** The routing of the stable version's spec (kept between releases). */
  private static RoutingSpec stableRouting(AppState state) {
    Release last = state.release();
    return last == null ? RoutingSpec.none() : last.spec().routing();
  }
}
