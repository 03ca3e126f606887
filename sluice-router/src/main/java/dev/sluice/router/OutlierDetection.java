package dev.sluice.router;

import java.time.Duration;
import java.util.Objects;

/**
 * Passive outlier detection of a listener: a replica that fails {@code consecutiveFailures}
 * requests in a row (a 5xx answer, or a connection that could not be opened, was reset or timed
 * out) is ejected: it gets no requests for a while, whatever its active health checks say.
 *
 * <p>As Envoy's {@code consecutive_5xx} detection: the ejection lasts {@code baseEjection} times
 * the number of times the replica was ejected (capped at the greater of 300 s and the base), and
 * that number falls by one for every {@code baseEjection} the replica spends without being ejected.
 * At most {@code maxEjectionPercent} of a version's replicas are ejected at once, but always at
 * least one may be (a single-replica version can be ejected, and its requests then go to other
 * versions as when it is unhealthy). Ejections show as {@code sluice_replica_ejected}.
 *
 * @param consecutiveFailures failures in a row that eject a replica; 0 turns detection off
 * @param baseEjection how long a first ejection lasts
 * @param maxEjectionPercent most replicas of a version ejected at the same time, 0..100
 */
public record OutlierDetection(
    int consecutiveFailures, Duration baseEjection, int maxEjectionPercent) {

  /** No outlier detection. */
  public static final OutlierDetection DISABLED =
      new OutlierDetection(0, Duration.ofSeconds(30), 50);

  /** Validates. */
  public OutlierDetection {
    Objects.requireNonNull(baseEjection, "baseEjection");
    if (consecutiveFailures < 0) {
      throw new IllegalArgumentException(
          "outlierDetection.consecutiveFailures: "
              + consecutiveFailures
              + " (expected: 0 or more)");
    }
    if (baseEjection.isNegative() || baseEjection.isZero()) {
      throw new IllegalArgumentException(
          "outlierDetection.baseEjection: " + baseEjection + " (expected: a positive duration)");
    }
    if (maxEjectionPercent < 0 || maxEjectionPercent > 100) {
      throw new IllegalArgumentException(
          "outlierDetection.maxEjectionPercent: " + maxEjectionPercent + " (expected: 0..100)");
    }
  }

  /** Returns whether detection is on. */
  public boolean enabled() {
    return consecutiveFailures > 0;
  }
}
