package dev.sluice.router.health;

import java.time.Duration;
import java.util.Objects;

/**
 * How one replica is checked: {@code GET path} every {@code interval}, over HTTP/1.1 or (with
 * {@code h2c}) HTTP/2 with prior knowledge; a 2xx answer within {@code timeout} passes.
 *
 * <p>A replica becomes healthy after {@code healthyThreshold} passes in a row and unhealthy after
 * {@code unhealthyThreshold} failures in a row. It starts unhealthy unless {@code startHealthy} is
 * set.
 *
 * @param path request path, starting with '/'
 * @param interval time between the starts of two checks
 * @param timeout limit for connecting and getting the response headers
 * @param healthyThreshold passes in a row that make an unhealthy replica healthy
 * @param unhealthyThreshold failures in a row that make a healthy replica unhealthy
 * @param startHealthy whether a newly watched replica gets traffic before its first pass
 * @param h2c whether the check speaks HTTP/2 with prior knowledge (replicas reached with {@code
 *     upstreamProtocol: h2c}) instead of HTTP/1.1
 */
public record HealthCheckOptions(
    String path,
    Duration interval,
    Duration timeout,
    int healthyThreshold,
    int unhealthyThreshold,
    boolean startHealthy,
    boolean h2c) {

  /** Validates. */
  public HealthCheckOptions {
    Objects.requireNonNull(path, "path");
    if (!path.startsWith("/")) {
      throw new IllegalArgumentException("health.path: '" + path + "' (expected: starts with /)");
    }
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("health.interval: " + interval + " (expected: > 0)");
    }
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("health.timeout: " + timeout + " (expected: > 0)");
    }
    if (healthyThreshold < 1) {
      throw new IllegalArgumentException(
          "health.healthyThreshold: " + healthyThreshold + " (expected: 1 or more)");
    }
    if (unhealthyThreshold < 1) {
      throw new IllegalArgumentException(
          "health.unhealthyThreshold: " + unhealthyThreshold + " (expected: 1 or more)");
    }
  }

  /** Options that start the replica unhealthy. */
  public HealthCheckOptions(
      String path, Duration interval, Duration timeout, int healthy, int unhealthy) {
    this(path, interval, timeout, healthy, unhealthy, false, false);
  }

  /** Options checked over HTTP/1.1. */
  public HealthCheckOptions(
      String path,
      Duration interval,
      Duration timeout,
      int healthy,
      int unhealthy,
      boolean startHealthy) {
    this(path, interval, timeout, healthy, unhealthy, startHealthy, false);
  }

  /** Returns a copy that lets a new replica take traffic before its first passed check. */
  public HealthCheckOptions withStartHealthy(boolean start) {
    return new HealthCheckOptions(
        path, interval, timeout, healthyThreshold, unhealthyThreshold, start, h2c);
  }

  /** Returns a copy checked over HTTP/2 with prior knowledge (true) or HTTP/1.1. */
  public HealthCheckOptions withH2c(boolean on) {
    return new HealthCheckOptions(
        path, interval, timeout, healthyThreshold, unhealthyThreshold, startHealthy, on);
  }
}
