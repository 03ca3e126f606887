package dev.sluice.core.analysis;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * How a canary is analysed: when measurements are taken, how many failures, errors and inconclusive
 * results end the run, and the metrics of each measurement. The vocabulary is Argo Rollouts'
 * ({@code interval}, {@code count}, {@code failureLimit}...), read by {@link AnalysisSpecReader}.
 *
 * @param interval time between measurements, 1 s or more
 * @param count measurements to take; null runs until the strategy stops the run
 * @param initialDelay wait before the first measurement
 * @param window how far back each measurement looks (the router keeps 10 minutes)
 * @param failureLimit failed measurements tolerated; one more fails the run (0: the first fails it)
 * @param consecutiveErrorLimit provider errors in a row tolerated; one more ends the run in error
 * @param inconclusiveLimit inconclusive (or marginal) measurements tolerated; one more ends the run
 *     inconclusive; null for no limit
 * @param minRequests requests the canary must have served in the window for a measurement to count;
 *     with fewer it is inconclusive, never a failure
 * @param confidence the judge's confidence level
 * @param passScore the score (0..100) from which a measurement passes
 * @param marginalScore the score from which a measurement is marginal rather than failed
 * @param metrics what each measurement measures; names are unique
 */
public record AnalysisSpec(
    Duration interval,
    @Nullable Integer count,
    Duration initialDelay,
    Duration window,
    int failureLimit,
    int consecutiveErrorLimit,
    @Nullable Integer inconclusiveLimit,
    long minRequests,
    double confidence,
    double passScore,
    double marginalScore,
    List<MetricSpec> metrics) {

  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(5);

  /** The longest window: what the router keeps. */
  public static final Duration MAX_WINDOW = Duration.ofMinutes(10);

  public static final int DEFAULT_CONSECUTIVE_ERROR_LIMIT = 4;
  public static final long DEFAULT_MIN_REQUESTS = 10;
  public static final double DEFAULT_PASS_SCORE = 75;
  public static final double DEFAULT_MARGINAL_SCORE = 50;

  public AnalysisSpec {
    if (interval.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new IllegalArgumentException("interval: " + interval + " (expected: 1s or more)");
    }
    if (window.compareTo(Duration.ofSeconds(1)) < 0 || window.compareTo(MAX_WINDOW) > 0) {
      throw new IllegalArgumentException("window: " + window + " (expected: 1s..10m)");
    }
    metrics = List.copyOf(metrics);
    Set<String> names = new HashSet<>();
    for (MetricSpec m : metrics) {
      if (!names.add(m.name())) {
        throw new IllegalArgumentException(
            "metrics: '" + m.name() + "' appears twice (expected: unique names)");
      }
    }
    if (marginalScore > passScore) {
      throw new IllegalArgumentException(
          "thresholds.marginal: " + marginalScore + " (expected: at most pass " + passScore + ")");
    }
  }

  /**
   * An analysis of these metrics with every default: 5 s interval and window, no count, no initial
   * delay, failureLimit 0, consecutiveErrorLimit 4, no inconclusive limit, minRequests 10,
   * confidence 0.98, thresholds 75 and 50.
   */
  public static AnalysisSpec of(List<MetricSpec> metrics) {
    return new AnalysisSpec(
        DEFAULT_INTERVAL,
        null,
        Duration.ZERO,
        DEFAULT_INTERVAL,
        0,
        DEFAULT_CONSECUTIVE_ERROR_LIMIT,
        null,
        DEFAULT_MIN_REQUESTS,
        MannWhitneyJudge.DEFAULT_CONFIDENCE,
        DEFAULT_PASS_SCORE,
        DEFAULT_MARGINAL_SCORE,
        metrics);
  }

  /** The metric with this name, or null. */
  public @Nullable MetricSpec metric(String name) {
    for (MetricSpec m : metrics) {
      if (m.name().equals(name)) {
        return m;
      }
    }
    return null;
  }

  public AnalysisSpec withInterval(Duration interval) {
    return new AnalysisSpec(
        interval,
        count,
        initialDelay,
        window,
        failureLimit,
        consecutiveErrorLimit,
        inconclusiveLimit,
        minRequests,
        confidence,
        passScore,
        marginalScore,
        metrics);
  }

  public AnalysisSpec withCount(@Nullable Integer count) {
    return new AnalysisSpec(
        interval,
        count,
        initialDelay,
        window,
        failureLimit,
        consecutiveErrorLimit,
        inconclusiveLimit,
        minRequests,
        confidence,
        passScore,
        marginalScore,
        metrics);
  }

  public AnalysisSpec withInitialDelay(Duration initialDelay) {
    return new AnalysisSpec(
        interval,
        count,
        initialDelay,
        window,
        failureLimit,
        consecutiveErrorLimit,
        inconclusiveLimit,
        minRequests,
        confidence,
        passScore,
        marginalScore,
        metrics);
  }

  public AnalysisSpec withLimits(
      int failureLimit, int consecutiveErrorLimit, @Nullable Integer inconclusiveLimit) {
    return new AnalysisSpec(
        interval,
        count,
        initialDelay,
        window,
        failureLimit,
        consecutiveErrorLimit,
        inconclusiveLimit,
        minRequests,
        confidence,
        passScore,
        marginalScore,
        metrics);
  }

  public AnalysisSpec withMinRequests(long minRequests) {
    return new AnalysisSpec(
        interval,
        count,
        initialDelay,
        window,
        failureLimit,
        consecutiveErrorLimit,
        inconclusiveLimit,
        minRequests,
        confidence,
        passScore,
        marginalScore,
        metrics);
  }

  public AnalysisSpec withThresholds(double passScore, double marginalScore) {
    return new AnalysisSpec(
        interval,
        count,
        initialDelay,
        window,
        failureLimit,
        consecutiveErrorLimit,
        inconclusiveLimit,
        minRequests,
        confidence,
        passScore,
        marginalScore,
        metrics);
  }
}
