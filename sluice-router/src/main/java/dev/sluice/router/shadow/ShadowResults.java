package dev.sluice.router.shadow;

import java.time.Duration;
import java.util.List;

/**
 * The results of shadow traffic, keyed by app and shadow version: counts per window (the {@code
 * diff_rate} an analysis can use) and recent differing pairs.
 *
 * <p>Windows have the resolution of {@code RouterMetrics} windows (1 s up to 2 minutes, 10 s up to
 * 10 minutes). The Prometheus counter {@code sluice_shadow_requests_total{app,version,result}}
 * ({@code result} = {@code same}, {@code different}, {@code error}, {@code dropped}) is written by
 * {@code RouterMetrics.writePrometheus}.
 */
public interface ShadowResults {

  /** The most differing pairs kept per app; older ones are forgotten first. */
  int MAX_DIFFS = 100;

  /**
   * Returns the shadow results of a version in the last {@code window} (1 s to 10 min); zeros for a
   * version that had no shadow traffic.
   */
  ShadowWindow window(String app, String version, Duration window);

  /**
   * Returns the most recent differing pairs of an app, newest first (at most {@link #MAX_DIFFS}).
   */
  List<ShadowDiff> diffs(String app);
}
