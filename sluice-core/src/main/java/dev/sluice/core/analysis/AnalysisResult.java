package dev.sluice.core.analysis;

import dev.sluice.core.analysis.internal.Decimals;
import dev.sluice.core.spec.Durations;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The outcome of one measurement of every metric of an analysis: each metric's {@link Measurement},
 * the score and the verdict. {@link Scorer} makes them.
 *
 * @param verdict what the measurement says about the canary
 * @param score 0..100, the weighted share of passing metrics; null when nothing was scored
 * @param reason why the verdict, e.g. {@code critical metric errors is High}
 * @param canaryRequests requests the canary served in the window
 * @param baselineRequests requests the baseline served in the window
 * @param measurements one per metric, in spec order; empty when the measurement was skipped
 */
public record AnalysisResult(
    Verdict verdict,
    @Nullable Double score,
    String reason,
    long canaryRequests,
    long baselineRequests,
    List<Measurement> measurements) {

  /** What one measurement says. */
  public enum Verdict {
    /** The score reached the pass threshold. */
    PASS,
    /** The score is between the marginal and pass thresholds: neither pass nor failure. */
    MARGINAL,
    /** A critical metric failed, or the score is below the marginal threshold. */
    FAIL,
    /** Not enough data to judge (too few requests, no data for a critical metric). */
    INCONCLUSIVE,
    /** A provider could not measure, and nothing failed. */
    ERROR
  }

  public AnalysisResult {
    measurements = List.copyOf(measurements);
  }

  /**
   * The result of a measurement skipped because the canary served fewer than {@code minRequests}
   * requests: inconclusive, never a failure.
   */
  public static AnalysisResult tooFewRequests(
      AnalysisSpec spec, Duration window, long canaryRequests, long baselineRequests) {
    String reason =
        "canary served "
            + canaryRequests
            + (canaryRequests == 1 ? " request" : " requests")
            + " in the last "
            + Durations.format(window)
            + ", fewer than minRequests "
            + spec.minRequests();
    return new AnalysisResult(
        Verdict.INCONCLUSIVE, null, reason, canaryRequests, baselineRequests, List.of());
  }

  /**
   * One line for people, e.g. {@code FAIL, score 0 (critical metric errors is High): errors 30% vs
   * baseline 0%: High (30% > max 5%); p99 12ms vs baseline 11ms: Pass}.
   */
  public String describe() {
    StringBuilder b = new StringBuilder(verdict.name());
    if (score != null) {
      b.append(", score ").append(Decimals.format(score));
    }
    if (!reason.isEmpty()) {
      b.append(" (").append(reason).append(')');
    }
    for (int i = 0; i < measurements.size(); i++) {
      b.append(i == 0 ? ": " : "; ").append(measurements.get(i).describe());
    }
    return b.toString();
  }
}
