package dev.sluice.router.health;

import dev.sluice.router.Endpoint;
import java.util.function.Consumer;

/**
 * The router's active health checker: replicas it watches are probed over HTTP on the router's
 * event loops, and only healthy ones get traffic.
 *
 * <p>An endpoint that is not watched counts as healthy; a connect failure of the proxy marks a
 * watched endpoint down at once, and its checks bring it back.
 */
public interface HealthChecks {

  /** Starts (or restarts with new options) the checks of an endpoint. */
  void watch(Endpoint endpoint, HealthCheckOptions options);

  /** Stops checking an endpoint; it then counts as healthy again. */
  void unwatch(Endpoint endpoint);

  /** Returns whether the endpoint may get traffic. */
  boolean isHealthy(Endpoint endpoint);

  /**
   * Marks an endpoint unhealthy now (the runtime saw its process exit, for example); for a watched
   * endpoint, {@code healthyThreshold} passed checks bring it back.
   */
  void markDown(Endpoint endpoint, String reason);

  /**
   * Adds a listener of health changes. It runs on an event loop: it must return quickly and must
   * not block.
   */
  void addListener(Consumer<HealthChange> listener);
}
