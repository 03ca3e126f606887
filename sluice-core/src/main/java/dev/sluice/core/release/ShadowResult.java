package dev.sluice.core.release;

import dev.sluice.core.analysis.AnalysisResult;
import dev.sluice.core.analysis.AnalysisRun;
import dev.sluice.core.analysis.BuiltinMetric;
import dev.sluice.core.analysis.Measurement;
import dev.sluice.core.analysis.MetricSpec;
import dev.sluice.core.spec.StrategySpec;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Where a shadow release stands by its recorded measurements: the last {@code diff_rate} its
 * analysis measured, over how many compared pairs, and the analysis run's status. The differing
 * pairs themselves live in the router ({@code sluice shadow diffs APP}), not in the event log.
 *
 * @param version the shadow version
 * @param percent the share of requests copied to it
 * @param metric the name of the analysis metric that reads {@code diff_rate}, or null when the
 *     analysis has none (or there is no analysis)
 * @param diffRate the last measured diff rate, null before one (or without such a metric)
 * @param compared the pairs compared in that measurement's window, null when unknown
 * @param window how far back each measurement looked, null without an analysis
 * @param measurements measurements of the shadow's analysis so far
 * @param run the analysis run's status, null before it started or without an analysis
 * @param reason the run's reason (why it ended), empty while it runs
 */
public record ShadowResult(
    String version,
    int percent,
    @Nullable String metric,
    @Nullable Double diffRate,
    @Nullable Long compared,
    @Nullable Duration window,
    int measurements,
    @Nullable String run,
    String reason) {

  /** The result of a shadow release, or null for a release of another strategy. */
  public static @Nullable ShadowResult of(Release r) {
    if (!(r.spec().strategy() instanceof StrategySpec.Shadow sh)) {
      return null;
    }
    String metric = null;
    if (sh.analysis() != null) {
      for (MetricSpec m : sh.analysis().metrics()) {
        if (m.provider() instanceof MetricSpec.Builtin b && b.metric() == BuiltinMetric.DIFF_RATE) {
          metric = m.name();
          break;
        }
      }
    }
    AnalysisRun run = r.runs().get("shadow");
    AnalysisResult last = run == null ? null : run.last();
    Double rate = null;
    Long compared = null;
    if (last != null && metric != null) {
      for (Measurement m : last.measurements()) {
        if (m.metric().equals(metric)) {
          rate = m.canary();
          compared = m.observations();
        }
      }
    }
    return new ShadowResult(
        r.version(),
        sh.percent(),
        metric,
        rate,
        compared,
        sh.analysis() == null ? null : sh.analysis().window(),
        run == null ? 0 : run.measurements(),
        run == null ? null : run.status().name(),
        run == null ? "" : run.reason());
  }
}
