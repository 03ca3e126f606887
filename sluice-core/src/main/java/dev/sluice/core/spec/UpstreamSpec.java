package dev.sluice.core.spec;

import java.time.Duration;

/**
 * How the router treats an app's replicas when they fail or are busy: passive outlier detection,
 * retries and their budget, and limits per replica. See docs/resilience.md.
 *
 * <pre>{@code
 * upstream:
 *   outlierDetection: {consecutiveFailures: 5, baseEjection: 30s, maxEjectionPercent: 50}
 *   maxRetries: 2
 *   retryBudget: {percent: 20, minPerSecond: 3}
 *   maxConnectionsPerReplica: 0       # 0: no limit
 *   maxPendingPerReplica: 0
 * }</pre>
 *
 * @param outlierDetection when a replica is taken out of traffic for failing in a row
 * @param maxRetries how many other replicas a request may try, 0..5; default 2
 * @param retryBudget how many retries may be added to the traffic
 * @param maxConnectionsPerReplica most requests in flight per replica, 0 for no limit (the default)
 * @param maxPendingPerReplica most requests waiting for a replica at its limit; default 0 (over the
 *     limit is answered 503 at once)
 */
public record UpstreamSpec(
    OutlierDetection outlierDetection,
    int maxRetries,
    RetryBudget retryBudget,
    int maxConnectionsPerReplica,
    int maxPendingPerReplica) {

  /**
   * Passive outlier detection.
   *
   * @param consecutiveFailures 5xx answers or connection failures in a row that eject a replica; 0
   *     turns detection off; default 5
   * @param baseEjection how long a first ejection lasts (then times the number of ejections, at
   *     most 300 s or the base); default 30s
   * @param maxEjectionPercent most replicas of a version ejected at once; default 50
   */
  public record OutlierDetection(
      int consecutiveFailures, Duration baseEjection, int maxEjectionPercent) {

    /** The defaults: 5 in a row, 30s, 50 %. */
    public static OutlierDetection defaults() {
      return new OutlierDetection(5, Duration.ofSeconds(30), 50);
    }
  }

  /**
   * The retry budget: retries over the last 10 s stay under {@code percent} % of the requests plus
   * {@code minPerSecond} per second.
   *
   * @param percent default 20
   * @param minPerSecond default 3
   */
  public record RetryBudget(int percent, int minPerSecond) {

    /** The defaults: 20 % and 3 per second. */
    public static RetryBudget defaults() {
      return new RetryBudget(20, 3);
    }
  }

  /** The defaults: outlier detection on (5, 30s, 50 %), 2 retries in a 20 % budget, no limits. */
  public static UpstreamSpec defaults() {
    return new UpstreamSpec(OutlierDetection.defaults(), 2, RetryBudget.defaults(), 0, 0);
  }
}
