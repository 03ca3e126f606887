package dev.sluice.router;

import dev.sluice.router.flags.EdgeFlags;
import dev.sluice.router.health.HealthChecks;
import dev.sluice.router.internal.RouterCore;
import dev.sluice.router.metrics.RouterMetrics;
import dev.sluice.router.shadow.ShadowResults;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * Sluice's data plane: an HTTP/1.1 and HTTP/2 reverse proxy (TLS, h2c, gRPC; see {@link
 * ListenerOptions}) that owns its event loops, listeners, upstream connection pools, health checks
 * and per-version metrics.
 *
 * <pre>{@code
 * try (Router router = Router.create(RouterOptions.defaults())) {
 *   Listener shop = router.listen(ListenerOptions.of("shop", new InetSocketAddress(8080)));
 *   shop.update(RoutingTable.builder().version("v1", 100, replicas).build());
 * }
 * }</pre>
 */
public interface Router extends AutoCloseable {

  /**
   * Starts a router with its event loops (io_uring where the kernel allows it, else epoll when its
   * native library loads, else NIO).
   */
  static Router create(RouterOptions options) {
    return RouterCore.start(options);
  }

  /**
   * Binds a listener, initially with an empty table (503 to every request).
   *
   * @throws java.io.UncheckedIOException when the address cannot be bound
   */
  Listener listen(ListenerOptions options);

  /**
   * Sets the flags the router evaluates for every request of {@code app} (replacing any set
   * before), or removes them with null. The next request sees the change.
   */
  void edgeFlags(String app, @Nullable EdgeFlags flags);

  /** Returns the active health checker of endpoints. */
  HealthChecks health();

  /** Returns the per-version metrics. */
  RouterMetrics metrics();

  /** Returns the results of shadow traffic: counts per window, diff rates, differing pairs. */
  ShadowResults shadow();

  /** Returns the number of requests in flight on this endpoint (0 for an unknown one). */
  int inFlight(Endpoint endpoint);

  /** Returns the number of open tunnels (upgraded connections, WebSockets) to this endpoint. */
  int tunnels(Endpoint endpoint);

  /**
   * Completes with true once none of these endpoints has a request in flight or an open tunnel, or
   * with false when the timeout passes first. Call it after the endpoints left the routing tables;
   * their tunnels then end within their table's {@link RoutingTable#drainTimeout()}.
   */
  CompletableFuture<Boolean> awaitDrained(Collection<Endpoint> endpoints, Duration timeout);

  /** Returns "io_uring", "epoll" or "nio": the transport the event loops use. */
  String transport();

  /** Closes listeners, stops health checks and the event loops. */
  @Override
  void close();
}
