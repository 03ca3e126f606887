package dev.sluice.core.spec;

import java.time.Duration;

/**
 * The router's timeouts for one app.
 *
 * @param connect to open a connection to a replica (then 502)
 * @param request from sending a request to the replica's response headers (then 504)
 * @param idle a client keep-alive connection with no request is closed after this
 * @param drain how long an upgraded connection (a WebSocket) may stay open on a version that left
 *     the routing table before the router ends it (close 1001 for a WebSocket)
 * @param tunnelIdle an upgraded connection with no byte either way is ended after this
 */
public record TimeoutSpec(
    Duration connect, Duration request, Duration idle, Duration drain, Duration tunnelIdle) {

  /** The defaults: connect 2s, request 60s, idle 60s, drain 30s, tunnelIdle 1h. */
  public static TimeoutSpec defaults() {
    return new TimeoutSpec(
        Duration.ofSeconds(2),
        Duration.ofSeconds(60),
        Duration.ofSeconds(60),
        Duration.ofSeconds(30),
        Duration.ofHours(1));
  }
}
