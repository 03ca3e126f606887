package dev.sluice.router.health;

import dev.sluice.router.Endpoint;

/**
 * A replica turned healthy or unhealthy.
 *
 * @param endpoint the replica
 * @param healthy its new state
 * @param reason what caused it, for people: {@code "GET /health: 503"}, {@code "connection
 *     refused"}, {@code "process exited with 137"}, {@code "GET /health: 200"}
 */
public record HealthChange(Endpoint endpoint, boolean healthy, String reason) {}
