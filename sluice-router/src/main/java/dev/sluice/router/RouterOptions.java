package dev.sluice.router;

/**
 * Settings of a {@link Router}, frozen when the router is created.
 *
 * @param eventLoops number of event-loop threads; client connections, their upstream connections
 *     and health checks all run on these
 * @param maxIdlePerEndpoint idle upstream connections kept per endpoint per event loop
 * @param ticker time source for latencies and metric windows
 */
public record RouterOptions(int eventLoops, int maxIdlePerEndpoint, Ticker ticker) {

  /** Validates. */
  public RouterOptions {
    if (eventLoops < 1) {
      throw new IllegalArgumentException(
          "eventLoops: " + eventLoops + " (expected: 1 or more threads)");
    }
    if (maxIdlePerEndpoint < 0) {
      throw new IllegalArgumentException(
          "maxIdlePerEndpoint: " + maxIdlePerEndpoint + " (expected: 0 or more)");
    }
  }

  /** One event loop per available processor, 256 idle connections, the system ticker. */
  public static RouterOptions defaults() {
    return new RouterOptions(Runtime.getRuntime().availableProcessors(), 256, Ticker.system());
  }

  /** Returns a copy with this many event loops. */
  public RouterOptions withEventLoops(int n) {
    return new RouterOptions(n, maxIdlePerEndpoint, ticker);
  }

  /** Returns a copy keeping at most this many idle connections per endpoint and event loop. */
  public RouterOptions withMaxIdlePerEndpoint(int n) {
    return new RouterOptions(eventLoops, n, ticker);
  }

  /** Returns a copy with this time source. */
  public RouterOptions withTicker(Ticker t) {
    return new RouterOptions(eventLoops, maxIdlePerEndpoint, t);
  }
}
