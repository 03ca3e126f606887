package dev.sluice.server.analysis;

import dev.sluice.router.metrics.WindowSnapshot;
import dev.sluice.router.shadow.ShadowWindow;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * What one measurement is about: the app, the canary and the stable (baseline) version it is
 * compared with, the window, and what the router saw of both versions in that window.
 *
 * @param app the app (the router's listener name)
 * @param stable the stable version; null when there is none to compare with
 * @param canary the version under analysis
 * @param window how far back the measurement looks
 * @param minRequests below this many requests in the window a version's data does not count
 * @param canaryTraffic the router's window of the canary
 * @param baselineTraffic the router's window of the stable version; null when there is none
 * @param shadow the router's comparisons of the canary's shadow answers with the stable ones in the
 *     window; null when the router keeps none
 */
public record Target(
    String app,
    @Nullable String stable,
    String canary,
    Duration window,
    long minRequests,
    WindowSnapshot canaryTraffic,
    @Nullable WindowSnapshot baselineTraffic,
    @Nullable ShadowWindow shadow) {

  public Target(
      String app,
      @Nullable String stable,
      String canary,
      Duration window,
      long minRequests,
      WindowSnapshot canaryTraffic,
      @Nullable WindowSnapshot baselineTraffic) {
    this(app, stable, canary, window, minRequests, canaryTraffic, baselineTraffic, null);
  }
}
