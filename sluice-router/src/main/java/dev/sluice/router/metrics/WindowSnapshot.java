package dev.sluice.router.metrics;

import java.time.Duration;
import org.HdrHistogram.Histogram;

/**
 * What one version of one app did during a recent window of time, e.g. the last 5 seconds.
 *
 * <p>{@code latency} holds the time from request headers received to response completed, in
 * microseconds, for every request completed in the window; it is this snapshot's own copy, so
 * callers may read or change it (a Mann-Whitney test can walk its {@code recordedValues()}). Values
 * are kept to 2 significant digits and capped at 10 minutes.
 *
 * @param window the length asked for
 * @param requests requests completed in the window
 * @param counts those requests by status class
 * @param upstreamFailures failed upstream attempts (connect, reset, timeout), retried or not
 * @param latency latency distribution in microseconds
 */
public record WindowSnapshot(
    Duration window, long requests, StatusCounts counts, long upstreamFailures, Histogram latency) {

  /** Returns the share of 5xx answers, 0 when there were no requests. */
  public double errorShare() {
    return requests == 0 ? 0.0 : (double) counts.serverError() / requests;
  }

  /** Returns a latency percentile (0..100), zero when there were no requests. */
  public Duration percentile(double percentile) {
    if (percentile < 0 || percentile > 100) {
      throw new IllegalArgumentException("percentile: " + percentile + " (expected: 0..100)");
    }
    if (latency.getTotalCount() == 0) {
      return Duration.ZERO;
    }
    return Duration.ofNanos(latency.getValueAtPercentile(percentile) * 1000);
  }
}
