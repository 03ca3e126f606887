package dev.sluice.router;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of one {@link Listener}: its app name, address, timeouts and balancing.
 *
 * <pre>{@code
 * ListenerOptions.of("shop", new InetSocketAddress("127.0.0.1", 8080))
 *     .withRequestTimeout(Duration.ofSeconds(30));
 * }</pre>
 *
 * @param name app name; the {@code app} label of the listener's metrics
 * @param address where to listen; port 0 picks a free port
 * @param connectTimeout limit for opening an upstream connection (then 504, after retries)
 * @param requestTimeout limit from sending a request upstream to its response headers (504)
 * @param idleTimeout how long an idle client keep-alive connection stays open
 * @param balancing how a replica is chosen within a version
 * @param maxRetries how many other replicas a request may try after a connect failure or a pooled
 *     connection found closed, while no request body has been sent
 * @param tunnelIdleTimeout how long a tunnel (an upgraded connection, such as a WebSocket) may go
 *     without a byte either way before the router ends it
 */
public record ListenerOptions(
    String name,
    InetSocketAddress address,
    Duration connectTimeout,
    Duration requestTimeout,
    Duration idleTimeout,
    Balancing balancing,
    int maxRetries,
    Duration tunnelIdleTimeout) {

  /** Validates. */
  public ListenerOptions {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(address, "address");
    positive("connectTimeout", connectTimeout);
    positive("requestTimeout", requestTimeout);
    positive("idleTimeout", idleTimeout);
    Objects.requireNonNull(balancing, "balancing");
    if (maxRetries < 0 || maxRetries > 5) {
      throw new IllegalArgumentException("maxRetries: " + maxRetries + " (expected: 0..5)");
    }
    positive("tunnelIdleTimeout", tunnelIdleTimeout);
  }

  /**
   * Defaults: connect 2 s, request 60 s, idle 75 s, least outstanding, 2 retries, tunnel idle 1 h.
   */
  public static ListenerOptions of(String name, InetSocketAddress address) {
    return new ListenerOptions(
        name,
        address,
        Duration.ofSeconds(2),
        Duration.ofSeconds(60),
        Duration.ofSeconds(75),
        Balancing.LEAST_OUTSTANDING,
        2,
        Duration.ofHours(1));
  }

  /** Returns a copy with this connect timeout. */
  public ListenerOptions withConnectTimeout(Duration d) {
    return new ListenerOptions(
        name, address, d, requestTimeout, idleTimeout, balancing, maxRetries, tunnelIdleTimeout);
  }

  /** Returns a copy with this request timeout. */
  public ListenerOptions withRequestTimeout(Duration d) {
    return new ListenerOptions(
        name, address, connectTimeout, d, idleTimeout, balancing, maxRetries, tunnelIdleTimeout);
  }

  /** Returns a copy with this idle timeout. */
  public ListenerOptions withIdleTimeout(Duration d) {
    return new ListenerOptions(
        name, address, connectTimeout, requestTimeout, d, balancing, maxRetries, tunnelIdleTimeout);
  }

  /** Returns a copy with this balancing. */
  public ListenerOptions withBalancing(Balancing b) {
    return new ListenerOptions(
        name,
        address,
        connectTimeout,
        requestTimeout,
        idleTimeout,
        b,
        maxRetries,
        tunnelIdleTimeout);
  }

  /** Returns a copy with this retry limit. */
  public ListenerOptions withMaxRetries(int n) {
    return new ListenerOptions(
        name,
        address,
        connectTimeout,
        requestTimeout,
        idleTimeout,
        balancing,
        n,
        tunnelIdleTimeout);
  }

  /** Returns a copy with this tunnel idle timeout. */
  public ListenerOptions withTunnelIdleTimeout(Duration d) {
    return new ListenerOptions(
        name, address, connectTimeout, requestTimeout, idleTimeout, balancing, maxRetries, d);
  }

  private static void positive(String field, Duration d) {
    Objects.requireNonNull(d, field);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(field + ": " + d + " (expected: a positive duration)");
    }
  }
}
