package dev.sluice.core.spec;

import java.time.Duration;

/**
 * The active health check the router runs against every replica: an HTTP GET of {@code path} that
 * must answer 2xx within {@code timeout}, every {@code interval}. A replica is healthy after {@code
 * healthyThreshold} passes in a row and unhealthy after {@code unhealthyThreshold} failures in a
 * row (the rise/fall counters of HAProxy and nginx).
 */
public record HealthSpec(
    String path,
    Duration interval,
    Duration timeout,
    int healthyThreshold,
    int unhealthyThreshold) {

  /** The defaults: GET /health every 2s, 1s timeout, 2 to rise, 3 to fall. */
  public static HealthSpec defaults() {
    return new HealthSpec("/health", Duration.ofSeconds(2), Duration.ofSeconds(1), 2, 3);
  }
}
